/**
 * The community battery as a market module (see ../market-module.ts); the granting of asks under the
 * assembly's rules is ../community-battery.ts.
 *
 * Community battery (`community-battery`): each member asks, from its previewed power, to store its
 * export (surplus PV) or — within the assembly's draw window and when its tariff's import price is above
 * the assembly's draw price — to draw its import. CommunityBattery grants the asks under the rules. The
 * battery's net power is a load at its bus in the power flow. Settlement: energy drawn is netted off the
 * home's supplier import and billed at the draw price; energy stored is netted off its supplier export
 * and credited at the store credit. A member's value is what that saved against its tariff.
 */
import { z } from 'zod';
import { inWindow, parseClock } from '../../../protocol/clock.js';
import { clockLabel, MINUTES_PER_DAY } from '../../environment/calendar.js';
import { InputError } from '../../errors.js';
import type { LoadConnection, Phase } from '../../feeder/index.js';
import type { HomeSpec } from '../../homes/index.js';
import {
  type BatteryRequest,
  CommunityBattery,
  type CommunityBatteryRules,
  parseCommunityBatteryRules,
} from '../community-battery.js';
import { loadCommunityBatteryRules } from '../load-community-battery.js';
import {
  defineMarketModule,
  emptySettlement,
  type HomeSettlement,
  MARKET_MODULE_PATH,
  type MarketModuleContext,
  type MarketRun,
  type MarketRunOptions,
  type MarketStepInput,
  previewHomes,
} from '../market-module.js';

const nonNegative = () => z.number().finite().nonnegative();
const homeId = () => z.string().min(1);

export const CommunityBatteryModuleSchema = z
  .object({
    kind: z.literal('community-battery'),
    /** The assembly's rules YAML (relative to the scenario file, or to the repository root). */
    rules: z.string().min(1),
    /** Feeder bus the battery is connected to. */
    bus: z.union([z.string().min(1), z.number()]),
    /** One phase, or ABC for a balanced three-phase connection. */
    phase: z.enum(['A', 'B', 'C', 'ABC']).default('ABC'),
    /** The physical battery, if it differs from the rules file. */
    capacityKwh: z.number().finite().positive().optional(),
    maxChargeKw: nonNegative().optional(),
    maxDischargeKw: nonNegative().optional(),
    /** State of charge at the start of the run, % of capacity (default: the reserve). */
    initialSocPct: z.number().min(0).max(100).optional(),
    /** Homes that belong to the scheme (default: every home). */
    members: z.array(homeId()).min(1).optional(),
    /** The assembly's register of priority groups: group name -> home ids. */
    groups: z.record(z.string().min(1), z.array(homeId())).default({}),
  })
  .strict();

export interface CommunityBatteryModule {
  kind: 'community-battery';
  /** The rules file as the scenario names it (for reports: no machine-specific absolute path). */
  rulesFile: string;
  rules: CommunityBatteryRules;
  bus: string;
  phases: Phase[];
  initialSocKwh: number;
  /** Member home ids, in the scenario's home order. */
  members: string[];
  /** Priority group of each registered member. */
  groupOf: Record<string, string>;
}

export interface SharedBatteryHomeRecord {
  home: string;
  group: string | null;
  storedKwh: number;
  drawnKwh: number;
  /** Paid to the scheme for energy drawn, £. */
  paidGbp: number;
  /** Credited by the scheme for energy stored, £. */
  creditedGbp: number;
  /** Saved against the home's tariff: drawn × (import − draw price) + stored × (credit − export), £. */
  valueGbp: number;
  maxDailyDrawnKwh: number;
  /** Steps in which the home got less than it asked (caps, limits, contention). */
  stepsCut: number;
}

export interface SharedBatteryOutcome {
  kind: 'community-battery';
  rulesFile: string;
  bus: string;
  phases: string[];
  capacityKwh: number;
  reserveKwh: number;
  maxChargeKw: number;
  maxDischargeKw: number;
  perHomeMaxKw: number;
  perHomeDailyDischargeKwh: number | null;
  contention: string;
  fairShare: string;
  priorityGroups: string[];
  drawPricePencePerKwh: number;
  storeCreditPencePerKwh: number;
  socKwh: { initial: number; min: number; max: number; final: number };
  /** Largest total charge / discharge granted in a step (homes' side), kW. */
  peakChargeKw: number;
  peakDischargeKw: number;
  storedKwh: number;
  drawnKwh: number;
  /** The scheme's account: draw payments − store credits, £. */
  accountGbp: number;
  /** Steps in which some ask was cut by the battery's limits or by contention. */
  stepsWithCuts: number;
  perHome: SharedBatteryHomeRecord[];
  /**
   * Per step: state of charge at the end of the step, net power at the bus (charge positive), and per
   * member (perHome order) what it asked and what it was granted, kW (store positive, draw negative).
   */
  series: {
    socKwh: Float64Array;
    netChargeKw: Float64Array;
    askedKw: Float64Array[];
    grantedKw: Float64Array[];
  };
}

/** The section resolved: the rules file read, the bus and members checked, the groups registered. */
function resolveCommunityBattery(
  entry: z.output<typeof CommunityBatteryModuleSchema>,
  context: MarketModuleContext,
): CommunityBatteryModule {
  const rules = batteryRules(entry, context);
  const bus = String(entry.bus);
  const { feeder, problem } = context;
  if (!feeder.buses.some((candidate) => candidate.name === bus)) {
    const names = feeder.buses.map((candidate) => candidate.name);
    throw problem(
      `${MARKET_MODULE_PATH}.bus`,
      `a bus of feeder ${feeder.name} (${names.slice(0, 6).join(', ')}${names.length > 6 ? ', …' : ''})`,
      entry.bus,
    );
  }
  const members = memberIds(entry, context);
  const initialSocKwh =
    entry.initialSocPct !== undefined ? (rules.capacityKwh * entry.initialSocPct) / 100 : rules.reserveKwh;
  const phases: Phase[] = entry.phase === 'ABC' ? ['A', 'B', 'C'] : [entry.phase];
  return {
    kind: 'community-battery',
    rulesFile: entry.rules,
    rules,
    bus,
    phases,
    initialSocKwh,
    members,
    groupOf: groupsOf(entry, members, context),
  };
}

/** The assembly's rules from their file, with the scenario's changes to the physical battery. */
function batteryRules(
  entry: z.output<typeof CommunityBatteryModuleSchema>,
  context: MarketModuleContext,
): CommunityBatteryRules {
  const rulesFile = context.locate(entry.rules, `${MARKET_MODULE_PATH}.rules`);
  let rules: CommunityBatteryRules;
  try {
    rules = loadCommunityBatteryRules(rulesFile);
  } catch (error) {
    if (error instanceof InputError) {
      throw new InputError(`${context.file}: ${MARKET_MODULE_PATH}.rules`, error.message);
    }
    throw error;
  }
  const overrides = {
    ...(entry.capacityKwh !== undefined ? { capacityKwh: entry.capacityKwh } : {}),
    ...(entry.maxChargeKw !== undefined ? { maxChargeKw: entry.maxChargeKw } : {}),
    ...(entry.maxDischargeKw !== undefined ? { maxDischargeKw: entry.maxDischargeKw } : {}),
  };
  if (Object.keys(overrides).length === 0) return rules;
  try {
    return parseCommunityBatteryRules({ ...rules, ...overrides }, MARKET_MODULE_PATH);
  } catch (error) {
    if (error instanceof InputError) {
      throw new InputError(
        `${context.file}: ${MARKET_MODULE_PATH}`,
        `with the rules of ${rulesFile}: ${error.problem}`,
      );
    }
    throw error;
  }
}

/** Member home ids in the scenario's order (default: every home); each must be a home of the scenario. */
function memberIds(
  entry: z.output<typeof CommunityBatteryModuleSchema>,
  { homeIds, problem }: MarketModuleContext,
): string[] {
  const known = new Set(homeIds);
  entry.members?.forEach((id, index) => {
    if (!known.has(id)) {
      throw problem(`${MARKET_MODULE_PATH}.members.${index}`, 'a home id of this scenario', id);
    }
  });
  return entry.members ? homeIds.filter((id) => entry.members?.includes(id)) : [...homeIds];
}

/** Each registered member's priority group; a home is in one group at most and must be a member. */
function groupsOf(
  entry: z.output<typeof CommunityBatteryModuleSchema>,
  members: readonly string[],
  { problem }: MarketModuleContext,
): Record<string, string> {
  const groupOf: Record<string, string> = {};
  for (const [group, ids] of Object.entries(entry.groups)) {
    ids.forEach((id, index) => {
      const path = `${MARKET_MODULE_PATH}.groups.${group}.${index}`;
      if (!members.includes(id)) throw problem(path, 'a member home id', id);
      if (groupOf[id] !== undefined)
        throw problem(path, `a home in one group only (already in ${groupOf[id]})`, id);
      groupOf[id] = group;
    });
  }
  return groupOf;
}

function communityBatteryRun(
  module: CommunityBatteryModule,
  homes: readonly HomeSpec[],
  options: MarketRunOptions,
): MarketRun<SharedBatteryOutcome> {
  const { stepMinutes, stepCount } = options;
  const hours = stepMinutes / 60;
  const rules = module.rules;
  const battery = new CommunityBattery(rules, module.initialSocKwh);
  const drawPrice = rules.drawPricePencePerKwh / 100;
  const storeCredit = rules.storeCreditPencePerKwh / 100;
  const window = rules.drawWindow
    ? { from: parseClock(rules.drawWindow.from), to: parseClock(rules.drawWindow.to) }
    : undefined;
  const members = new Set(module.members);
  const homeIndex = new Map(homes.map((spec, index) => [spec.id, index]));
  const loads: LoadConnection[] = [
    {
      name: 'community-battery',
      bus: module.bus,
      phases: module.phases,
      model: 'constant-power',
      nominalVoltsLn: options.nominalVoltsLn,
      pKw: 0,
      qKvar: 0,
    },
  ];
  const loadPKw = new Float64Array(1);
  const settlements = homes.map(() => emptySettlement());
  const records: SharedBatteryHomeRecord[] = homes
    .filter((spec) => members.has(spec.id))
    .map((spec) => ({
      home: spec.id,
      group: module.groupOf[spec.id] ?? null,
      storedKwh: 0,
      drawnKwh: 0,
      paidGbp: 0,
      creditedGbp: 0,
      valueGbp: 0,
      maxDailyDrawnKwh: 0,
      stepsCut: 0,
    }));
  const recordOf = new Map(records.map((record) => [record.home, record]));
  const series = {
    socKwh: new Float64Array(stepCount),
    netChargeKw: new Float64Array(stepCount),
    askedKw: records.map(() => new Float64Array(stepCount)),
    grantedKw: records.map(() => new Float64Array(stepCount)),
  };
  const memberIndex = new Map(records.map((record, index) => [record.home, index]));
  const soc = { initial: battery.socKwh, min: battery.socKwh, max: battery.socKwh, final: battery.socKwh };
  let peakChargeKw = 0;
  let peakDischargeKw = 0;
  let stepsWithCuts = 0;

  const step = (input: MarketStepInput): readonly HomeSettlement[] => {
    for (const settlement of settlements) {
      settlement.drawnKwh = 0;
      settlement.storedKwh = 0;
      settlement.billGbp = 0;
    }
    const previews = previewHomes(homes, input);
    const minuteOfDay = input.minuteOfYear % MINUTES_PER_DAY;
    const drawOpen = !window || inWindow(minuteOfDay, window.from, window.to);
    const requests: BatteryRequest[] = [];
    const askedKw = new Map<string, number>();
    const ask = (id: string, kw: number) => {
      askedKw.set(id, Math.abs(kw));
      (series.askedKw[memberIndex.get(id) as number] as Float64Array)[input.step] = kw;
    };
    previews.forEach((preview, index) => {
      const id = (homes[index] as HomeSpec).id;
      if (!members.has(id)) return;
      const group = module.groupOf[id];
      const groupPart = group !== undefined ? { group } : {};
      if (preview.pKw < -1e-9) {
        requests.push({ homeId: id, ...groupPart, chargeKw: -preview.pKw });
        ask(id, -preview.pKw);
      } else if (
        preview.pKw > 1e-9 &&
        drawOpen &&
        input.importPriceGbpPerKwh(index, input.step) > drawPrice
      ) {
        requests.push({ homeId: id, ...groupPart, dischargeKw: preview.pKw });
        ask(id, -preview.pKw);
      }
    });
    const result = battery.step(input.minuteOfYear, stepMinutes, requests);
    let cut = false;
    let chargeKw = 0;
    let dischargeKw = 0;
    for (const grant of result.grants) {
      const index = homeIndex.get(grant.homeId) as number;
      const record = recordOf.get(grant.homeId) as SharedBatteryHomeRecord;
      const settlement = settlements[index] as HomeSettlement;
      const storedKwh = grant.chargeKw * hours;
      const drawnKwh = grant.dischargeKw * hours;
      (series.grantedKw[memberIndex.get(grant.homeId) as number] as Float64Array)[input.step] =
        grant.chargeKw - grant.dischargeKw;
      chargeKw += grant.chargeKw;
      dischargeKw += grant.dischargeKw;
      settlement.storedKwh = storedKwh;
      settlement.drawnKwh = drawnKwh;
      settlement.billGbp = drawnKwh * drawPrice - storedKwh * storeCredit;
      record.storedKwh += storedKwh;
      record.drawnKwh += drawnKwh;
      record.paidGbp += drawnKwh * drawPrice;
      record.creditedGbp += storedKwh * storeCredit;
      record.valueGbp +=
        drawnKwh * (input.importPriceGbpPerKwh(index, input.step) - drawPrice) +
        storedKwh * (storeCredit - input.exportPriceGbpPerKwh(index, input.step));
      if (grant.chargeKw + grant.dischargeKw + 1e-9 < (askedKw.get(grant.homeId) ?? 0)) {
        record.stepsCut++;
        cut = true;
      }
    }
    for (const [id, usage] of battery.usage()) {
      const record = recordOf.get(id);
      if (record) record.maxDailyDrawnKwh = Math.max(0, ...usage.drawnKwhByDay.values());
    }
    if (cut) stepsWithCuts++;
    peakChargeKw = Math.max(peakChargeKw, chargeKw);
    peakDischargeKw = Math.max(peakDischargeKw, dischargeKw);
    loadPKw[0] = result.netChargeKw;
    series.socKwh[input.step] = result.socKwhAfter;
    series.netChargeKw[input.step] = result.netChargeKw;
    soc.min = Math.min(soc.min, result.socKwhAfter);
    soc.max = Math.max(soc.max, result.socKwhAfter);
    soc.final = result.socKwhAfter;
    return settlements;
  };

  const outcome = (): SharedBatteryOutcome => ({
    kind: 'community-battery',
    rulesFile: module.rulesFile,
    bus: module.bus,
    phases: module.phases,
    capacityKwh: rules.capacityKwh,
    reserveKwh: rules.reserveKwh,
    maxChargeKw: rules.maxChargeKw,
    maxDischargeKw: rules.maxDischargeKw,
    perHomeMaxKw: rules.perHomeMaxKw,
    perHomeDailyDischargeKwh: rules.perHomeDailyDischargeKwh ?? null,
    contention: rules.contention,
    fairShare: rules.fairShare,
    priorityGroups: rules.priorityGroups,
    drawPricePencePerKwh: rules.drawPricePencePerKwh,
    storeCreditPencePerKwh: rules.storeCreditPencePerKwh,
    socKwh: soc,
    peakChargeKw,
    peakDischargeKw,
    storedKwh: records.reduce((sum, record) => sum + record.storedKwh, 0),
    drawnKwh: records.reduce((sum, record) => sum + record.drawnKwh, 0),
    accountGbp: records.reduce((sum, record) => sum + record.paidGbp - record.creditedGbp, 0),
    stepsWithCuts,
    perHome: records,
    series,
  });
  return { loads, loadPKw, step, outcome };
}

/** The shared battery's state per step and each member's ask and grant, kW. */
function sharedBatteryCsv(
  outcome: SharedBatteryOutcome,
  startDay: number,
  stepMinutes: number,
): [name: string, text: string][] {
  const { socKwh, netChargeKw, askedKw, grantedKw } = outcome.series;
  const homeColumns = outcome.perHome.flatMap((record) => [
    `${record.home}_asked_kw`,
    `${record.home}_granted_kw`,
  ]);
  const lines = [['step', 'time', 'soc_kwh', 'net_charge_kw', ...homeColumns].join(',')];
  for (let k = 0; k < socKwh.length; k++) {
    const time = clockLabel(((startDay * MINUTES_PER_DAY) / stepMinutes + k) * stepMinutes);
    const cells = [String(k), time, (socKwh[k] ?? 0).toFixed(4), (netChargeKw[k] ?? 0).toFixed(4)];
    askedKw.forEach((asked, index) => {
      cells.push((asked[k] ?? 0).toFixed(4), (grantedKw[index]?.[k] ?? 0).toFixed(4));
    });
    lines.push(cells.join(','));
  }
  return [['shared-battery.csv', `${lines.join('\n')}\n`]];
}

/** The shared battery under the assembly's rules. */
export const communityBattery = defineMarketModule({
  kind: 'community-battery',
  description: 'a community battery the homes share under rules a citizens’ assembly sets',
  schema: CommunityBatteryModuleSchema,
  files: { sharedBattery: 'shared-battery.csv' },
  resolve: resolveCommunityBattery,
  createRun: communityBatteryRun,
  outputFiles: sharedBatteryCsv,
  metrics: (outcome: SharedBatteryOutcome) => {
    const { series: _series, ...communityBattery } = outcome;
    return { sharedAssets: { communityBattery } };
  },
  /** The scheme keeps the members' draw payments less their store credits. */
  counterpartyGainGbp: (outcome: SharedBatteryOutcome) => outcome.accountGbp,
});
