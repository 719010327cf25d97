/** The report of a red-team study and of a links study: key figures, charts of their rows, the table. */
import type { ReportData } from '../../../report/model.ts';
import { h } from '../lib/dom.ts';
import { formatGbp } from '../lib/format.ts';
import { OKABE_ITO } from '../lib/palette.ts';
import { bars, chart, rowsChart, type SeriesSpec, STUDY_COLOURS } from './charts.ts';
import { keyFigure, section, table } from './render.ts';

type RedTeamPart = NonNullable<ReportData['redTeam']>;
type LinksPart = NonNullable<ReportData['links']>;

/** Each row's transformer peak as bars, kW. */
export function peakBars(rows: readonly { transformerPeakKw: number }[]): SeriesSpec {
  return bars(
    'peak',
    OKABE_ITO.blue,
    rows.map((row) => row.transformerPeakKw),
  );
}

/** A study's social cost and bills, £: a pair of bars per row. */
export function socialCostChart(
  box: HTMLElement,
  names: string[],
  spec: {
    title: string;
    caption: string;
    xLabel: string;
    billsLabel: string;
    socialCostGbp: number[];
    billsGbp: number[];
  },
): void {
  rowsChart(box, names, {
    title: spec.title,
    caption: spec.caption,
    xLabel: spec.xLabel,
    yLabel: '£',
    series: [
      bars('social cost', OKABE_ITO.blue, spec.socialCostGbp),
      bars(spec.billsLabel, OKABE_ITO.bluishGreen, spec.billsGbp),
    ],
  });
}

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
  rowsChart(box, names, {
    title: 'Transformer peak and largest rise',
    caption: `The street's largest import and its largest rise from one step to the next, kW; the rating is ${study.transformerRatingKw.toFixed(0)} kW.`,
    xLabel: 'row',
    yLabel: 'kW',
    series: [
      peakBars(study.rows),
      bars(
        'largest rise',
        OKABE_ITO.vermillion,
        study.rows.map((row) => row.largestRiseKw),
      ),
    ],
  });
  socialCostChart(box, names, {
    title: 'Social cost and honest homes’ bills',
    caption:
      'Social cost (bills + reinforcement for the peak above the rating + carbon) and the honest homes’ bills, £.',
    xLabel: 'row',
    billsLabel: 'honest bills',
    socialCostGbp: study.rows.map((row) => row.socialCostGbp),
    billsGbp: study.rows.map((row) => row.honestBillsGbp),
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
      colour: STUDY_COLOURS[index % STUDY_COLOURS.length] as string,
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
