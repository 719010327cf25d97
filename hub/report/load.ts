/**
 * Reads a finished run's output folder (metrics.json and the CSV/JSONL files `gridflex run` writes) or a PoA
 * study's (poa.json) into {@link ReportData}. Every file is checked; a missing or malformed one is an
 * InputError naming the file (and the row for CSVs). Optional files (older runs, market modules) may be absent.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { InputError } from '../errors.js';
import { readInputFile } from '../read-input.js';
import {
  decileMeans,
  durationCurve,
  gini,
  REPORT_FORMAT_VERSION,
  type ReportData,
  type ReportHeatmap,
  type ReportLine,
  type ReportSeries,
  type ReportSwitch,
} from './model.js';

const num = z.number();
const HomeSchema = z.object({
  home: z.string(),
  bus: z.string(),
  phase: z.string(),
  policy: z.string(),
  assets: z.array(z.string()),
  tariffAtStart: z.string(),
  tariffAtEnd: z.string(),
  billGbp: num,
  importKwh: num,
  exportKwh: num,
  carbonKg: num,
  comfortDegreeHoursOutside: num,
  evShortfallKwh: num,
  switches: num,
  vsPassive: z.object({ billGbp: num, carbonKg: num }),
});
const MetricsSchema = z.object({
  scenario: z.string(),
  policy: z.string(),
  seed: num,
  startDay: num,
  days: num,
  stepMinutes: num.positive(),
  perHome: z.array(HomeSchema).min(1),
  network: z.object({
    transformerPeakKw: num,
    transformerPeakLoadingPct: num,
    minVoltageV: num,
    maxVoltageV: num,
    busMinutesOutsideStatutoryLimits: num,
    lossesKwh: num,
    transformerOverloadSteps: num,
    vsPassive: z.object({ transformerPeakKw: num }),
  }),
  suppliers: z.array(
    z.object({
      supplier: z.string(),
      profitGbp: num,
      customers: num,
      billRevenueGbp: num,
      wholesaleCostGbp: num,
      networkCostGbp: num,
      vsPassive: z.object({ profitGbp: num }),
    }),
  ),
  totals: z.object({
    billsGbp: num,
    carbonKg: num,
    importKwh: num,
    exportKwh: num,
    vsPassive: z.object({ billsGbp: num, carbonKg: num }),
  }),
  switching: z.object({ requests: num, completed: num, completedLate: num, failed: num, rejected: num }),
  flexAuction: z
    .object({
      limitKw: num,
      auctions: num,
      clearedKwh: num,
      paymentsGbp: num,
      perHome: z.array(z.object({ home: z.string(), offers: num, awards: num, paymentGbp: num })),
    })
    .optional(),
  sharedAssets: z
    .object({
      communityBattery: z.object({
        capacityKwh: num,
        storedKwh: num,
        drawnKwh: num,
        accountGbp: num,
        stepsWithCuts: num,
        perHome: z.array(
          z.object({
            home: z.string(),
            group: z.string().nullable(),
            storedKwh: num,
            drawnKwh: num,
            valueGbp: num,
          }),
        ),
      }),
    })
    .optional(),
});

const PoaSchema = z.object({
  scenario: z.string(),
  seed: num,
  days: num,
  priceOfAnarchy: num,
  headroomLostPct: num,
  cooperativeGapPct: num,
  policies: z.record(
    z.string(),
    z.object({
      socialCostGbp: num,
      billsGbp: num,
      reinforcementGbp: num,
      carbonCostGbp: num,
      transformerPeakKw: num,
      busMinutesOutsideStatutoryLimits: num,
      giniOfBenefit: num.nullable(),
      benefitPerDecileGbp: z.array(num),
    }),
  ),
  network: z.object({ transformerLimitKw: num }),
});

const SwitchSchema = z.object({
  homeId: z.string(),
  fromTariffId: z.string(),
  toTariffId: z.string(),
  requestMinute: num,
  lagWorkingDays: num.nullable(),
  outcome: z.string(),
  reason: z.string(),
  exitFeeGbp: num,
});

/** Switching-log entries the report lists in full; the counts cover all of them. */
const MAX_SWITCH_ROWS = 500;
/** Lines the overload table shows. */
const MAX_LINE_ROWS = 20;

/** Each study's file that marks its folder (a run's is metrics.json; a sweep writes results.csv). */
const STUDY_FILES = {
  poa: 'poa.json',
  links: 'links.json',
  redTeam: 'results.json',
  social: 'social.json',
} as const;

/** True when `dir` holds a run's or a reported study's outputs. */
export function isReportableDir(dir: string): boolean {
  return ['metrics.json', ...Object.values(STUDY_FILES)].some((file) => existsSync(join(dir, file)));
}

/** The report of the run or study (PoA, links, red team) whose outputs are in `dir`. */
export function loadReport(dir: string): ReportData {
  if (existsSync(join(dir, 'metrics.json'))) return loadRunReport(dir);
  if (existsSync(join(dir, STUDY_FILES.poa))) return loadPoaReport(dir);
  if (existsSync(join(dir, STUDY_FILES.links))) return loadLinksReport(dir);
  if (existsSync(join(dir, STUDY_FILES.redTeam))) return loadRedTeamReport(dir);
  if (existsSync(join(dir, STUDY_FILES.social))) return loadSocialReport(dir);
  throw new InputError(
    dir,
    'holds none of metrics.json (gridflex run), poa.json (study poa), links.json (study links), results.json (study redteam), social.json (study sweep over social graphs)',
  );
}

const RedTeamResultsSchema = z.object({
  scenario: z.string(),
  seed: num,
  days: num,
  policy: z.string(),
  attack: z.object({ kind: z.string() }),
  transformerRatingKw: num,
  attackers: z.array(z.string()),
  rows: z
    .array(
      z.object({
        name: z.string(),
        transformerPeakKw: num,
        overRatingKwh: num,
        largestRiseKw: num,
        voltageBreachBusMinutes: num,
        honestBillsGbp: num,
        socialCostGbp: num,
        evShortfallKwh: num,
      }),
    )
    .min(1),
});

function loadRedTeamReport(dir: string): ReportData {
  const study = parseJsonFile(join(dir, STUDY_FILES.redTeam), RedTeamResultsSchema);
  return {
    format: REPORT_FORMAT_VERSION,
    kind: 'study-redteam',
    scenario: study.scenario,
    seed: study.seed,
    days: study.days,
    policy: study.policy,
    redTeam: {
      attack: study.attack.kind,
      policy: study.policy,
      transformerRatingKw: study.transformerRatingKw,
      attackers: study.attackers,
      rows: study.rows,
    },
  };
}

const LinksResultsSchema = z.object({
  scenario: z.string(),
  seed: num,
  link: z.string(),
  unit: z.string(),
  days: num,
  limitKw: num,
  rows: z
    .array(
      z.object({
        latency: num,
        loss: num,
        socialCostGbp: num,
        billsGbp: num,
        transformerPeakKw: num,
        peakAboveLimitKw: num,
        busMinutesOutsideStatutoryLimits: num,
      }),
    )
    .min(1),
});

function loadLinksReport(dir: string): ReportData {
  const study = parseJsonFile(join(dir, STUDY_FILES.links), LinksResultsSchema);
  return {
    format: REPORT_FORMAT_VERSION,
    kind: 'study-links',
    scenario: study.scenario,
    seed: study.seed,
    days: study.days,
    policy: 'cooperative',
    links: {
      link: study.link,
      unit: study.unit,
      limitKw: study.limitKw,
      rows: study.rows,
    },
  };
}

const SocialStudySchema = z.object({
  scenario: z.string(),
  seed: num,
  days: num,
  rows: z
    .array(
      z.object({
        label: z.string(),
        kind: z.string(),
        policy: z.string(),
        homes: num,
        adoptedPolicy: z.string(),
        adoptersPerDay: z.array(num),
        adoptersAtEnd: num,
        socialEdges: num,
        tariffCopies: num,
        tariffsAtEnd: z.record(z.string(), num),
        billsGbp: num,
        socialCostGbp: num,
        transformerPeakKw: num,
        lastDayPeakKw: num,
        transformerLimitKw: num,
        peakAboveLimitKw: num,
        busMinutesOutsideStatutoryLimits: num,
      }),
    )
    .min(1),
  answer: z.array(z.string()),
});

function loadSocialReport(dir: string): ReportData {
  const study = parseJsonFile(join(dir, STUDY_FILES.social), SocialStudySchema);
  return {
    format: REPORT_FORMAT_VERSION,
    kind: 'study-social',
    scenario: study.scenario,
    seed: study.seed,
    days: study.days,
    policy: [...new Set(study.rows.map((row) => row.policy))].join(', '),
    social: { rows: study.rows, answer: study.answer },
  };
}

function loadPoaReport(dir: string): ReportData {
  const file = join(dir, STUDY_FILES.poa);
  const poa = parseJsonFile(file, PoaSchema);
  return {
    format: REPORT_FORMAT_VERSION,
    kind: 'study-poa',
    scenario: poa.scenario,
    seed: poa.seed,
    days: poa.days,
    policy: 'study',
    poa: {
      priceOfAnarchy: poa.priceOfAnarchy,
      headroomLostPct: poa.headroomLostPct,
      cooperativeGapPct: poa.cooperativeGapPct,
      transformerLimitKw: poa.network.transformerLimitKw,
      policies: Object.entries(poa.policies).map(([policy, figures]) => ({ policy, ...figures })),
    },
  };
}

function loadRunReport(dir: string): ReportData {
  const metrics = parseJsonFile(join(dir, 'metrics.json'), MetricsSchema);
  const homes = metrics.perHome.map((home) => ({
    home: home.home,
    bus: home.bus,
    phase: home.phase,
    policy: home.policy,
    assets: home.assets,
    tariffAtStart: home.tariffAtStart,
    tariffAtEnd: home.tariffAtEnd,
    billGbp: home.billGbp,
    passiveBillGbp: round4(home.billGbp - home.vsPassive.billGbp),
    savingGbp: round4(-home.vsPassive.billGbp),
    carbonKg: home.carbonKg,
    passiveCarbonKg: round4(home.carbonKg - home.vsPassive.carbonKg),
    importKwh: home.importKwh,
    exportKwh: home.exportKwh,
    comfortDegreeHoursOutside: home.comfortDegreeHoursOutside,
    evShortfallKwh: home.evShortfallKwh,
    switches: home.switches,
  }));
  const savings = homes.map((home) => home.savingGbp);
  const series = readNetworkSeries(join(dir, 'network.csv'), metrics.stepMinutes);
  const passiveLoadingPct = readColumn(join(dir, 'passive-network.csv'), 'transformer_loading_pct');
  const { lines, linesOverloaded, linesRated } = readLines(join(dir, 'line-loading.csv'));
  const switches = readJsonLines(join(dir, 'switching-log.jsonl'), SwitchSchema);
  const battery = metrics.sharedAssets?.communityBattery;
  const flex = metrics.flexAuction;
  const { network, totals } = metrics;
  return {
    format: REPORT_FORMAT_VERSION,
    kind: 'run',
    scenario: metrics.scenario,
    seed: metrics.seed,
    days: metrics.days,
    policy: metrics.policy,
    run: {
      startDay: metrics.startDay,
      stepMinutes: metrics.stepMinutes,
      homes,
      totals: {
        billsGbp: totals.billsGbp,
        passiveBillsGbp: round4(totals.billsGbp - totals.vsPassive.billsGbp),
        carbonKg: totals.carbonKg,
        passiveCarbonKg: round4(totals.carbonKg - totals.vsPassive.carbonKg),
        importKwh: totals.importKwh,
        exportKwh: totals.exportKwh,
      },
      network: {
        transformerPeakKw: network.transformerPeakKw,
        passiveTransformerPeakKw: round4(network.transformerPeakKw - network.vsPassive.transformerPeakKw),
        transformerPeakLoadingPct: network.transformerPeakLoadingPct,
        transformerOverloadSteps: network.transformerOverloadSteps,
        minVoltageV: network.minVoltageV,
        maxVoltageV: network.maxVoltageV,
        busMinutesOutsideStatutoryLimits: network.busMinutesOutsideStatutoryLimits,
        lossesKwh: network.lossesKwh,
      },
      savingPerDecileGbp: decileMeans(
        savings,
        homes.map((home) => home.passiveBillGbp),
      ).map(round4),
      giniOfSaving: roundOrNull(gini(savings)),
      series,
      loadingDurationPct: durationCurve(series.transformerLoadingPct),
      ...(passiveLoadingPct.length === series.transformerLoadingPct.length
        ? { passiveLoadingPct, passiveLoadingDurationPct: durationCurve(passiveLoadingPct) }
        : {}),
      heatmap: readHeatmap(join(dir, 'voltage-violations.csv')),
      lines,
      linesOverloaded,
      linesRated,
      suppliers: metrics.suppliers.map((supplier) => ({
        supplier: supplier.supplier,
        customers: supplier.customers,
        billRevenueGbp: supplier.billRevenueGbp,
        wholesaleCostGbp: supplier.wholesaleCostGbp,
        networkCostGbp: supplier.networkCostGbp,
        profitGbp: supplier.profitGbp,
        profitVsPassiveGbp: supplier.vsPassive.profitGbp,
      })),
      switching: {
        requests: metrics.switching.requests,
        completed: metrics.switching.completed + metrics.switching.completedLate,
        failed: metrics.switching.failed,
        rejected: metrics.switching.rejected,
        log: switches.slice(0, MAX_SWITCH_ROWS).map(
          (entry): ReportSwitch => ({
            home: entry.homeId,
            from: entry.fromTariffId,
            to: entry.toTariffId,
            requestedDay: Math.floor(entry.requestMinute / 1440) + 1,
            outcome: entry.outcome,
            lagWorkingDays: entry.lagWorkingDays,
            exitFeeGbp: entry.exitFeeGbp,
            reason: entry.reason,
          }),
        ),
      },
      ...(battery
        ? {
            sharedBattery: {
              capacityKwh: battery.capacityKwh,
              storedKwh: battery.storedKwh,
              drawnKwh: battery.drawnKwh,
              accountGbp: battery.accountGbp,
              stepsWithCuts: battery.stepsWithCuts,
              socKwh: readColumn(join(dir, 'shared-battery.csv'), 'soc_kwh'),
              perHome: battery.perHome.map(({ home, group, storedKwh, drawnKwh, valueGbp }) => ({
                home,
                group,
                storedKwh,
                drawnKwh,
                valueGbp,
              })),
            },
          }
        : {}),
      ...(flex
        ? {
            flexAuction: {
              limitKw: flex.limitKw,
              auctions: flex.auctions,
              clearedKwh: flex.clearedKwh,
              paymentsGbp: flex.paymentsGbp,
              perHome: flex.perHome.map(({ home, offers, awards, paymentGbp }) => ({
                home,
                offers,
                awards,
                paymentGbp,
              })),
            },
          }
        : {}),
    },
  };
}

function parseJsonFile<T>(file: string, schema: z.ZodType<T>): T {
  let value: unknown;
  try {
    value = JSON.parse(readInputFile(file, 'run output'));
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(file, `not JSON: ${(error as Error).message}`);
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new InputError(file, describeIssues(parsed.error.issues));
  return parsed.data;
}

function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  const first = issues[0];
  if (!first) return 'invalid';
  const path = first.path.join('.') || '(top level)';
  return `${path}: ${first.message}${issues.length > 1 ? ` (and ${issues.length - 1} more problems)` : ''}`;
}

/** A CSV file as a header and rows of cells (none of the runner's CSVs quote their cells). */
function readCsv(file: string): { header: string[]; rows: string[][] } {
  const lines = readInputFile(file, 'run output')
    .split('\n')
    .filter((line) => line.length > 0);
  const header = (lines[0] ?? '').split(',');
  const rows = lines.slice(1).map((line, index) => {
    const cells = line.split(',');
    if (cells.length !== header.length) {
      throw new InputError(`${file}:${index + 2}`, `expected ${header.length} cells, found ${cells.length}`);
    }
    return cells;
  });
  return { header, rows };
}

function columnIndex(file: string, header: string[], name: string): number {
  const index = header.indexOf(name);
  if (index < 0) throw new InputError(file, `no "${name}" column`);
  return index;
}

function numberCell(file: string, row: number, text: string | undefined): number {
  const value = Number(text);
  if (text === undefined || text === '' || !Number.isFinite(value)) {
    throw new InputError(`${file}:${row + 2}`, `expected a number, found "${text ?? ''}"`);
  }
  return value;
}

function readColumn(file: string, name: string): number[] {
  if (!existsSync(file)) return [];
  const { header, rows } = readCsv(file);
  const index = columnIndex(file, header, name);
  return rows.map((row, r) => numberCell(file, r, row[index]));
}

function readNetworkSeries(file: string, stepMinutes: number): ReportSeries {
  const { header, rows } = readCsv(file);
  const column = (name: string) => {
    const index = columnIndex(file, header, name);
    return rows.map((row, r) => numberCell(file, r, row[index]));
  };
  return {
    dayOffset: rows.map((_, k) => round4((k * stepMinutes) / 1440)),
    substationKw: column('substation_kw'),
    transformerLoadingPct: column('transformer_loading_pct'),
    minVoltageV: column('min_voltage_v'),
    maxVoltageV: column('max_voltage_v'),
  };
}

function readHeatmap(file: string): ReportHeatmap {
  // Runs recorded before this output existed have no heatmap; the page says so.
  if (!existsSync(file)) return { rows: [], minutes: [], underMinutes: [], overMinutes: [], connections: 0 };
  const { header, rows } = readCsv(file);
  const bus = columnIndex(file, header, 'bus');
  const phase = columnIndex(file, header, 'phase');
  const under = columnIndex(file, header, 'under_min');
  const over = columnIndex(file, header, 'over_min');
  const first = columnIndex(file, header, 'h00_min');
  const all = rows.map((row, r) => ({
    name: `${row[bus]}/${row[phase]}`,
    under: numberCell(file, r, row[under]),
    over: numberCell(file, r, row[over]),
    minutes: Array.from({ length: 24 }, (_, h) => numberCell(file, r, row[first + h])),
  }));
  const violated = all.filter((entry) => entry.under + entry.over > 0);
  const shown = violated.length > 0 ? violated : all;
  return {
    rows: shown.map((entry) => entry.name),
    minutes: shown.map((entry) => entry.minutes),
    underMinutes: shown.map((entry) => entry.under),
    overMinutes: shown.map((entry) => entry.over),
    connections: all.length,
  };
}

function readLines(file: string): { lines: ReportLine[]; linesOverloaded: number; linesRated: number } {
  if (!existsSync(file)) return { lines: [], linesOverloaded: 0, linesRated: 0 };
  const { header, rows } = readCsv(file);
  const [line, from, to, max, steps] = [
    'line',
    'from_bus',
    'to_bus',
    'max_loading_pct',
    'overload_steps',
  ].map((name) => columnIndex(file, header, name)) as [number, number, number, number, number];
  const all = rows.map((row, r) => ({
    line: row[line] ?? '',
    fromBus: row[from] ?? '',
    toBus: row[to] ?? '',
    maxLoadingPct: numberCell(file, r, row[max]),
    overloadSteps: numberCell(file, r, row[steps]),
  }));
  const sorted = [...all].sort((a, b) => b.maxLoadingPct - a.maxLoadingPct);
  return {
    lines: sorted.slice(0, MAX_LINE_ROWS),
    linesOverloaded: all.filter((entry) => entry.overloadSteps > 0).length,
    linesRated: all.length,
  };
}

function readJsonLines<T>(file: string, schema: z.ZodType<T>): T[] {
  if (!existsSync(file)) return [];
  return readInputFile(file, 'run output')
    .split('\n')
    .flatMap((line, index) => {
      if (line.trim() === '') return [];
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        throw new InputError(`${file}:${index + 1}`, 'not a JSON line');
      }
      const parsed = schema.safeParse(value);
      if (!parsed.success) throw new InputError(`${file}:${index + 1}`, describeIssues(parsed.error.issues));
      return [parsed.data];
    });
}

function round4(value: number): number {
  const rounded = Math.round(value * 1e4) / 1e4;
  return Object.is(rounded, -0) ? 0 : rounded;
}

function roundOrNull(value: number | null): number | null {
  return value === null ? null : round4(value);
}
