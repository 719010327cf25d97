/**
 * The year report's data: what the report page draws, built from a finished run's or PoA study's output
 * folder. Pure (no I/O) so the dashboard page can import the types and the CSV builders too.
 */

import type { SocialStudy } from '../study/social-study.js';
import { decileMeans as decileMeansInOrder } from '../study/spread.js';
import type { LinksFigures, RedTeamDamage } from '../study/study-rows.js';

export const REPORT_FORMAT_VERSION = 1;

export interface ReportHome {
  home: string;
  bus: string;
  phase: string;
  policy: string;
  assets: string[];
  tariffAtStart: string;
  tariffAtEnd: string;
  billGbp: number;
  passiveBillGbp: number;
  /** passive bill − this bill: positive means the home saved. */
  savingGbp: number;
  carbonKg: number;
  passiveCarbonKg: number;
  importKwh: number;
  exportKwh: number;
  comfortDegreeHoursOutside: number;
  evShortfallKwh: number;
  switches: number;
}

/** Per-step network series (x = days since the start of the run). */
export interface ReportSeries {
  dayOffset: number[];
  substationKw: number[];
  transformerLoadingPct: number[];
  minVoltageV: number[];
  maxVoltageV: number[];
}

export interface ReportHeatmap {
  /** Rows: `bus/phase` of each customer connection that was ever outside the band (all of them if none). */
  rows: string[];
  /** minutes[row][hour]: minutes outside 216.2–253 V in that hour of the day over the run. */
  minutes: number[][];
  underMinutes: number[];
  overMinutes: number[];
  /** Connections checked (rows may leave out those never outside the band). */
  connections: number;
}

export interface ReportLine {
  line: string;
  fromBus: string;
  toBus: string;
  maxLoadingPct: number;
  overloadSteps: number;
}

export interface ReportSupplier {
  supplier: string;
  customers: number;
  billRevenueGbp: number;
  wholesaleCostGbp: number;
  networkCostGbp: number;
  profitGbp: number;
  profitVsPassiveGbp: number;
}

export interface ReportSwitch {
  home: string;
  from: string;
  to: string;
  requestedDay: number;
  outcome: string;
  lagWorkingDays: number | null;
  exitFeeGbp: number;
  reason: string;
}

export interface ReportSharedBattery {
  capacityKwh: number;
  storedKwh: number;
  drawnKwh: number;
  accountGbp: number;
  stepsWithCuts: number;
  socKwh: number[];
  perHome: { home: string; group: string | null; storedKwh: number; drawnKwh: number; valueGbp: number }[];
}

export interface ReportFlexAuction {
  limitKw: number;
  auctions: number;
  clearedKwh: number;
  paymentsGbp: number;
  perHome: { home: string; offers: number; awards: number; paymentGbp: number }[];
}

export interface ReportPoaPolicy {
  policy: string;
  socialCostGbp: number;
  billsGbp: number;
  reinforcementGbp: number;
  carbonCostGbp: number;
  transformerPeakKw: number;
  busMinutesOutsideStatutoryLimits: number;
  giniOfBenefit: number | null;
  benefitPerDecileGbp: number[];
}

export interface ReportPoa {
  priceOfAnarchy: number;
  headroomLostPct: number;
  cooperativeGapPct: number;
  transformerLimitKw: number;
  policies: ReportPoaPolicy[];
}

/** A red-team study (`gridflex study redteam`): one attack without and with each defence. */
export interface ReportRedTeam {
  attack: string;
  policy: string;
  transformerRatingKw: number;
  /** Homes whose own agents attack (left out of the honest bills). */
  attackers: string[];
  rows: RedTeamDamage[];
}

/** A links study (`gridflex study links`): cooperative control against latency × loss on one class of links. */
export interface ReportLinks {
  link: string;
  /** What the latency counts (steps or rounds). */
  unit: string;
  limitKw: number;
  rows: LinksFigures[];
}

/** A sweep over social graphs (`gridflex study sweep`, social.json): the topologies side by side. */
export type ReportSocial = Pick<SocialStudy, 'rows' | 'answer'>;

/** Everything the report page shows; a run has `run`, a PoA study `poa`, the other studies theirs. */
export interface ReportData {
  format: typeof REPORT_FORMAT_VERSION;
  kind: 'run' | 'study-poa' | 'study-redteam' | 'study-links' | 'study-social';
  scenario: string;
  seed: number;
  days: number;
  /** Policy for a run ("scenario" when each home ran its own); "study" for a PoA study. */
  policy: string;
  /** Which history run this came from, if any (for the page title and links). */
  runId?: number;
  run?: {
    startDay: number;
    stepMinutes: number;
    homes: ReportHome[];
    totals: {
      billsGbp: number;
      passiveBillsGbp: number;
      carbonKg: number;
      passiveCarbonKg: number;
      importKwh: number;
      exportKwh: number;
    };
    network: {
      transformerPeakKw: number;
      passiveTransformerPeakKw: number;
      transformerPeakLoadingPct: number;
      transformerOverloadSteps: number;
      minVoltageV: number;
      maxVoltageV: number;
      busMinutesOutsideStatutoryLimits: number;
      lossesKwh: number;
    };
    /** Mean saving per decile of homes ranked by passive bill (decile 1: the smallest bills). */
    savingPerDecileGbp: number[];
    /** Gini of the per-home saving (null when the mean saving is ≤ 0). */
    giniOfSaving: number | null;
    series: ReportSeries;
    /** Transformer loading sorted high to low (at most 1000 points spanning the run). */
    loadingDurationPct: number[];
    /** The passive baseline's transformer loading per step and its duration curve (absent in older runs). */
    passiveLoadingPct?: number[];
    passiveLoadingDurationPct?: number[];
    heatmap: ReportHeatmap;
    /** Rated lines, most loaded first (at most 20). */
    lines: ReportLine[];
    linesOverloaded: number;
    linesRated: number;
    suppliers: ReportSupplier[];
    switching: { requests: number; completed: number; failed: number; rejected: number; log: ReportSwitch[] };
    sharedBattery?: ReportSharedBattery;
    flexAuction?: ReportFlexAuction;
  };
  poa?: ReportPoa;
  redTeam?: ReportRedTeam;
  links?: ReportLinks;
  social?: ReportSocial;
}

export { gini } from '../study/spread.js';

/** Mean of `values` in each tenth of the homes, ranked by `rankBy` ascending (ties by position). */
export function decileMeans(values: readonly number[], rankBy: readonly number[]): number[] {
  const order = rankBy
    .map((value, index) => ({ value, index }))
    .sort((a, b) => a.value - b.value || a.index - b.index)
    .map(({ index }) => index);
  return decileMeansInOrder(values, order);
}

/** Sorted high to low and thinned evenly to at most `maxPoints` (keeping the first and last). */
export function durationCurve(values: readonly number[], maxPoints = 1000): number[] {
  const sorted = [...values].sort((a, b) => b - a);
  if (sorted.length <= maxPoints) return sorted;
  return Array.from(
    { length: maxPoints },
    (_, i) => sorted[Math.round((i * (sorted.length - 1)) / (maxPoints - 1))] as number,
  );
}

/** One CSV cell: quoted when it holds a comma, quote or line break. */
function cell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'number' ? (Number.isFinite(value) ? String(value) : '') : value;
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A red-team or links study's rows (undefined for a run or a PoA study). */
function studyCsv(report: ReportData): string | undefined {
  if (report.redTeam) {
    const rows = report.redTeam.rows;
    return csv(
      [
        'row',
        'transformer_peak_kw',
        'over_rating_kwh',
        'largest_rise_kw',
        'voltage_breach_bus_minutes',
        'honest_bills_gbp',
        'social_cost_gbp',
        'ev_shortfall_kwh',
      ],
      rows.map((row) => [
        row.name,
        row.transformerPeakKw,
        row.overRatingKwh,
        row.largestRiseKw,
        row.voltageBreachBusMinutes,
        row.honestBillsGbp,
        row.socialCostGbp,
        row.evShortfallKwh,
      ]),
    );
  }
  if (report.links) {
    return csv(
      [
        `latency_${report.links.unit}`,
        'loss',
        'social_cost_gbp',
        'bills_gbp',
        'transformer_peak_kw',
        'peak_above_limit_kw',
        'bus_minutes_outside_limits',
      ],
      report.links.rows.map((row) => [
        row.latency,
        row.loss,
        row.socialCostGbp,
        row.billsGbp,
        row.transformerPeakKw,
        row.peakAboveLimitKw,
        row.busMinutesOutsideStatutoryLimits,
      ]),
    );
  }
  if (report.social) {
    return csv(
      [
        'topology',
        'homes',
        'adopters_at_end',
        'social_edges',
        'tariff_copies',
        'social_cost_gbp',
        'bills_gbp',
        'transformer_peak_kw',
        'last_day_peak_kw',
        'peak_above_limit_kw',
        'bus_minutes_outside_limits',
        ...Array.from({ length: report.days }, (_, day) => `adopters_day_${day + 1}`),
      ],
      report.social.rows.map((row) => [
        row.label,
        row.homes,
        row.adoptersAtEnd,
        row.socialEdges,
        row.tariffCopies,
        row.socialCostGbp,
        row.billsGbp,
        row.transformerPeakKw,
        row.lastDayPeakKw,
        row.peakAboveLimitKw,
        row.busMinutesOutsideStatutoryLimits,
        ...Array.from({ length: report.days }, (_, day) => row.adoptersPerDay[day]),
      ]),
    );
  }
  return undefined;
}

function csv(header: string[], rows: (string | number | null | undefined)[][]): string {
  return `${[header, ...rows].map((row) => row.map(cell).join(',')).join('\n')}\n`;
}

/** The per-home table as CSV (one row per home; a PoA study has one row per policy instead). */
export function perHomeCsv(report: ReportData): string {
  const study = studyCsv(report);
  if (study !== undefined) return study;
  if (!report.run) {
    return csv(
      [
        'policy',
        'social_cost_gbp',
        'bills_gbp',
        'reinforcement_gbp',
        'carbon_cost_gbp',
        'transformer_peak_kw',
        'bus_minutes_outside_limits',
        'gini_of_benefit',
      ],
      (report.poa?.policies ?? []).map((p) => [
        p.policy,
        p.socialCostGbp,
        p.billsGbp,
        p.reinforcementGbp,
        p.carbonCostGbp,
        p.transformerPeakKw,
        p.busMinutesOutsideStatutoryLimits,
        p.giniOfBenefit,
      ]),
    );
  }
  return csv(
    [
      'home',
      'bus',
      'phase',
      'policy',
      'assets',
      'tariff_at_start',
      'tariff_at_end',
      'bill_gbp',
      'passive_bill_gbp',
      'saving_gbp',
      'carbon_kg',
      'passive_carbon_kg',
      'import_kwh',
      'export_kwh',
      'comfort_degree_hours_outside',
      'ev_shortfall_kwh',
      'switches',
    ],
    report.run.homes.map((home) => [
      home.home,
      home.bus,
      home.phase,
      home.policy,
      home.assets.join(' '),
      home.tariffAtStart,
      home.tariffAtEnd,
      home.billGbp,
      home.passiveBillGbp,
      home.savingGbp,
      home.carbonKg,
      home.passiveCarbonKg,
      home.importKwh,
      home.exportKwh,
      home.comfortDegreeHoursOutside,
      home.evShortfallKwh,
      home.switches,
    ]),
  );
}

/** The charts' series as CSV: network per step, then the loading-duration curve, deciles and heatmap. */
export function chartSeriesCsv(report: ReportData): string {
  // A red-team or links study's charts draw its rows.
  const study = studyCsv(report);
  if (study !== undefined) return study;
  const run = report.run;
  if (!run) {
    const policies = report.poa?.policies ?? [];
    return csv(
      ['decile', ...policies.map((p) => `${p.policy}_benefit_gbp`)],
      Array.from({ length: 10 }, (_, d) => [d + 1, ...policies.map((p) => p.benefitPerDecileGbp[d] ?? null)]),
    );
  }
  const s = run.series;
  const sections = [
    '# network per step',
    csv(
      ['step', 'day_offset', 'substation_kw', 'transformer_loading_pct', 'min_voltage_v', 'max_voltage_v'],
      s.dayOffset.map((day, k) => [
        k,
        day,
        s.substationKw[k],
        s.transformerLoadingPct[k],
        s.minVoltageV[k],
        s.maxVoltageV[k],
      ]),
    ),
    '# transformer loading-duration curve (this run and the passive baseline)',
    csv(
      ['fraction_of_time', 'loading_pct', 'passive_loading_pct'],
      run.loadingDurationPct.map((pct, i, all) => [
        all.length > 1 ? Number((i / (all.length - 1)).toFixed(4)) : 0,
        pct,
        run.passiveLoadingDurationPct?.[i],
      ]),
    ),
    '# saving per decile of passive bill',
    csv(
      ['decile', 'mean_saving_gbp'],
      run.savingPerDecileGbp.map((gbp, d) => [d + 1, gbp]),
    ),
    '# minutes outside the statutory band by connection and hour of day',
    csv(
      ['connection', ...Array.from({ length: 24 }, (_, h) => `h${String(h).padStart(2, '0')}`)],
      run.heatmap.rows.map((row, r) => [row, ...(run.heatmap.minutes[r] ?? [])]),
    ),
  ];
  return sections.join('\n');
}
