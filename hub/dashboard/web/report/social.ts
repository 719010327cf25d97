/**
 * The report of a sweep over social graphs: per topology the adoption curve, the street's peak and social
 * cost against its limit, the tariffs the homes end on, and the answer to "does the cooperative outcome survive
 * adding a hub or cutting clusters?" in the words the study wrote from its figures (hub/study/social-study.ts).
 */
import type { ReportData } from '../../../report/model.ts';
import { h } from '../lib/dom.ts';
import { formatGbp } from '../lib/format.ts';
import { OKABE_ITO } from '../lib/palette.ts';
import { bars, chart, rowsChart, STUDY_COLOURS } from './charts.ts';
import { section, table } from './render.ts';
import { peakBars, socialCostChart } from './studies.ts';

type SocialPart = NonNullable<ReportData['social']>;
type SocialRow = SocialPart['rows'][number];

/** `flat-cap 7, ev-tou 1`: homes per tariff, most first. */
function tariffMix(tariffs: Record<string, number>): string {
  return Object.entries(tariffs)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([tariff, homes]) => `${tariff} ${homes}`)
    .join(', ');
}

export function renderSocial(root: HTMLElement, study: SocialPart): void {
  const first = study.rows[0] as SocialRow;
  const days = Math.max(...study.rows.map((row) => row.adoptersPerDay.length));
  const box = section(
    root,
    'social-graph',
    'Social graph: does the cooperative outcome survive a hub, or cut clusters?',
    `${first.homes} homes; ${first.adoptedPolicy} spreads along each topology from its seed homes. The street's limit is ${first.transformerLimitKw.toFixed(1)} kW. Social cost = bills + reinforcement for the peak above the limit + carbon.`,
  );
  box.append(h('ul', { class: 'social-answer' }, ...study.answer.map((sentence) => h('li', {}, sentence))));
  chart(box, {
    title: `Homes on ${first.adoptedPolicy} day by day`,
    caption: `Homes on ${first.adoptedPolicy} at the start of each day, of ${first.homes}: one line per topology.`,
    x: Array.from({ length: days }, (_, day) => day + 1),
    xLabel: 'day',
    wholeX: true,
    yLabel: 'homes',
    yRange: [0, first.homes],
    series: study.rows.map((row, index) => ({
      label: row.label,
      colour: STUDY_COLOURS[index % STUDY_COLOURS.length] as string,
      values: row.adoptersPerDay,
    })),
    height: 260,
  });
  const names = study.rows.map((row) => row.label);
  rowsChart(box, names, {
    title: 'Peak against the limit',
    caption: `The street's peak over the run and on its last day, kW; the limit is ${first.transformerLimitKw.toFixed(1)} kW.`,
    xLabel: 'topology',
    yLabel: 'kW',
    series: [
      peakBars(study.rows),
      bars(
        'last day’s peak',
        OKABE_ITO.vermillion,
        study.rows.map((row) => row.lastDayPeakKw),
      ),
      {
        label: 'limit',
        colour: OKABE_ITO.black,
        values: study.rows.map((row) => row.transformerLimitKw),
        dash: true,
      },
    ],
  });
  socialCostChart(box, names, {
    title: 'Social cost',
    caption: 'Social cost and bills, £, per topology.',
    xLabel: 'topology',
    billsLabel: 'bills',
    socialCostGbp: study.rows.map((row) => row.socialCostGbp),
    billsGbp: study.rows.map((row) => row.billsGbp),
  });
  box.append(
    table(
      [
        'topology',
        `on ${first.adoptedPolicy} at the end`,
        'ties',
        'tariff copies',
        'tariffs at the end',
        'social cost',
        'bills',
        'peak',
        'last day’s peak',
        'above the limit',
        'bus-minutes outside band',
      ],
      study.rows.map((row) => [
        row.label,
        `${row.adoptersAtEnd} of ${row.homes}`,
        row.socialEdges,
        row.tariffCopies,
        tariffMix(row.tariffsAtEnd),
        formatGbp(row.socialCostGbp),
        formatGbp(row.billsGbp),
        `${row.transformerPeakKw.toFixed(1)} kW`,
        `${row.lastDayPeakKw.toFixed(1)} kW`,
        `${row.peakAboveLimitKw.toFixed(1)} kW`,
        row.busMinutesOutsideStatutoryLimits,
      ]),
      [false, true, true, true, false, true, true, true, true, true, true],
    ),
  );
}
