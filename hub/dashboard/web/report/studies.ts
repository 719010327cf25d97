/** The report of a red-team study and of a links study: key figures, charts of their rows, the table. */
import type { ReportData } from '../../../report/model.ts';
import { h } from '../lib/dom.ts';
import { formatGbp } from '../lib/format.ts';
import { OKABE_ITO } from '../lib/palette.ts';
import { chart } from './charts.ts';
import { keyFigure, section, table } from './render.ts';

type RedTeamPart = NonNullable<ReportData['redTeam']>;
type LinksPart = NonNullable<ReportData['links']>;

/** A colour per loss probability, in the order the study lists them. */
const LOSS_COLOURS = [
  OKABE_ITO.blue,
  OKABE_ITO.vermillion,
  OKABE_ITO.bluishGreen,
  OKABE_ITO.orange,
  OKABE_ITO.reddishPurple,
  OKABE_ITO.skyBlue,
  OKABE_ITO.black,
];

export function renderRedTeam(root: HTMLElement, study: RedTeamPart): void {
  const [calm, attacked] = study.rows;
  if (calm && attacked) {
    root.append(
      h(
        'section',
        { class: 'key-figures', 'aria-label': 'key figures' },
        keyFigure(
          'Peak under attack',
          `${attacked.transformerPeakKw.toFixed(1)} kW`,
          `${calm.transformerPeakKw.toFixed(1)} kW without the attack; rating ${study.transformerRatingKw.toFixed(0)} kW`,
          attacked.transformerPeakKw > calm.transformerPeakKw ? 'bad' : 'neutral',
        ),
        keyFigure(
          'Social cost under attack',
          formatGbp(attacked.socialCostGbp),
          `${formatGbp(calm.socialCostGbp)} without the attack`,
          attacked.socialCostGbp > calm.socialCostGbp ? 'bad' : 'neutral',
        ),
      ),
    );
  }
  const box = section(
    root,
    'red-team',
    `Red team: ${study.attack} without and with each defence`,
    `${study.policy === 'scenario' ? 'Each home under its own policy from the scenario' : `Every home under ${study.policy}`}. Attacking homes: ${study.attackers.join(', ') || 'none'} (left out of the honest bills).`,
  );
  const names = study.rows.map((row) => row.name);
  const x = names.map((_, index) => index);
  chart(box, {
    title: 'Transformer peak and largest rise',
    caption: `The street's largest import and its largest rise from one step to the next, kW; the rating is ${study.transformerRatingKw.toFixed(0)} kW.`,
    x,
    categories: names,
    xLabel: 'row',
    yLabel: 'kW',
    series: [
      {
        label: 'peak',
        colour: OKABE_ITO.blue,
        values: study.rows.map((row) => row.transformerPeakKw),
        bars: true,
      },
      {
        label: 'largest rise',
        colour: OKABE_ITO.vermillion,
        values: study.rows.map((row) => row.largestRiseKw),
        bars: true,
      },
    ],
    height: 240,
  });
  chart(box, {
    title: 'Social cost and honest homes’ bills',
    caption:
      'Social cost (bills + reinforcement for the peak above the rating + carbon) and the honest homes’ bills, £.',
    x,
    categories: names,
    xLabel: 'row',
    yLabel: '£',
    series: [
      {
        label: 'social cost',
        colour: OKABE_ITO.blue,
        values: study.rows.map((row) => row.socialCostGbp),
        bars: true,
      },
      {
        label: 'honest bills',
        colour: OKABE_ITO.bluishGreen,
        values: study.rows.map((row) => row.honestBillsGbp),
        bars: true,
      },
    ],
    height: 240,
  });
  box.append(
    table(
      [
        'row',
        'peak',
        'over the rating',
        'largest rise',
        'bus-minutes outside band',
        'honest bills',
        'social cost',
        'EV shortfall',
      ],
      study.rows.map((row) => [
        row.name,
        `${row.transformerPeakKw.toFixed(1)} kW`,
        `${row.overRatingKwh.toFixed(1)} kWh`,
        `${row.largestRiseKw.toFixed(1)} kW`,
        row.voltageBreachBusMinutes,
        formatGbp(row.honestBillsGbp),
        formatGbp(row.socialCostGbp),
        `${row.evShortfallKwh.toFixed(1)} kWh`,
      ]),
      [false, true, true, true, true, true, true, true],
    ),
  );
}

export function renderLinks(root: HTMLElement, study: LinksPart): void {
  const latencies = [...new Set(study.rows.map((row) => row.latency))].sort((a, b) => a - b);
  const losses = [...new Set(study.rows.map((row) => row.loss))].sort((a, b) => a - b);
  const box = section(
    root,
    'links',
    `Cooperative control over ${study.link} links: latency × loss`,
    `Latency in ${study.unit}; the street's limit is ${study.limitKw.toFixed(1)} kW. Social cost = bills + reinforcement for the peak above the limit + carbon.`,
  );
  const byLoss = (value: (row: LinksPart['rows'][number]) => number) =>
    losses.map((loss, index) => ({
      label: `loss ${loss}`,
      colour: LOSS_COLOURS[index % LOSS_COLOURS.length] as string,
      values: latencies.map((latency) => {
        const row = study.rows.find((candidate) => candidate.latency === latency && candidate.loss === loss);
        return row ? value(row) : null;
      }),
    }));
  chart(box, {
    title: 'Social cost against latency',
    caption: `Social cost, £, against the links' latency in ${study.unit}: one line per loss probability.`,
    x: latencies,
    xLabel: `latency (${study.unit})`,
    yLabel: '£',
    series: byLoss((row) => row.socialCostGbp),
    height: 240,
  });
  chart(box, {
    title: 'Peak above the limit against latency',
    caption: `The transformer peak above the ${study.limitKw.toFixed(1)} kW limit, kW: one line per loss probability.`,
    x: latencies,
    xLabel: `latency (${study.unit})`,
    yLabel: 'kW',
    series: byLoss((row) => row.peakAboveLimitKw),
    height: 240,
  });
  box.append(
    table(
      [
        `latency (${study.unit})`,
        'loss',
        'social cost',
        'bills',
        'peak',
        'above the limit',
        'bus-minutes outside band',
      ],
      study.rows.map((row) => [
        row.latency,
        row.loss,
        formatGbp(row.socialCostGbp),
        formatGbp(row.billsGbp),
        `${row.transformerPeakKw.toFixed(1)} kW`,
        `${row.peakAboveLimitKw.toFixed(1)} kW`,
        row.busMinutesOutsideStatutoryLimits,
      ]),
      [true, true, true, true, true, true, true],
    ),
  );
}
