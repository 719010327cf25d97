/**
 * The scenario's market module inside a run (pure). Before the homes step, the runner hands over every
 * home's setpoints for the step; the module may change them (flexibility auction) and says how each
 * home's step settles (shared battery, flexibility payments). Both modules first preview the step: each
 * home is stepped on a copy of its state with the same inputs, which is exactly what the real step will
 * give (the voltage is the previous power flow's in both).
 *
 * Flexibility auction (`flex-auction`): the network operator's forecast is the sum of the previewed
 * home powers (basis `total`), or of each phase's homes against a third of the limit (basis `per-phase`,
 * one auction per phase among its homes). When the import passes `triggerFraction` × limit it asks
 * (flexRequirementKw) for enough reduction to reach `targetFraction` × limit; every home offers, per asset
 * running this step, to turn it down (EV charging, heat pump, home-battery charging, each up to its
 * previewed kW). When the export passes it (reverse flow) it asks for extra demand instead; homes offer to
 * charge their EV (plugged in) or battery harder, up to what the charger and the room left allow. The
 * offer price is the cost of shifting that energy: against the cheapest import price of the home's tariff
 * within `shiftWindowSteps` after now, the price now is what a reduction saves and an increase pays (0 when
 * the move does not cost more), plus the asset's premium (the resident's nuisance). clearFlexAuction clears
 * at a uniform price; accepted assets change by their award this step (the power flow sees it), the
 * payment is credited to the home's bill (paid by the network operator) and the home's agent re-plans at
 * the next step so the EV or heat pump catches up.
 *
 * Community battery (`community-battery`): each member asks, from its previewed power, to store its
 * export (surplus PV) or — within the assembly's draw window and when its tariff's import price is above
 * the assembly's draw price — to draw its import. CommunityBattery grants the asks under the rules. The
 * battery's net power is a load at its bus in the power flow. Settlement: energy drawn is netted off the
 * home's supplier import and billed at the draw price; energy stored is netted off its supplier export
 * and credited at the store credit. A member's value is what that saved against its tariff.
 *
 * API:
 *   createMarketRun(module, homes, options) -> MarketRun
 *   MarketRun.loads / loadPKw (extra power-flow loads), step(input) -> HomeSettlement[], outcome()
 *   MARKET_OUTPUT_FILES; marketOutputFiles(outcome, startDay, stepMinutes) -> [name, text][]
 */
import { clockLabel, MINUTES_PER_DAY } from '../environment/calendar.js';
import { type LoadConnection, PHASES, type Phase } from '../feeder/index.js';
import type { HomeSetpoints, HomeSpec, HomeState, HomeStepInputs, HomeStepResult } from '../homes/index.js';
import { applyStoragePower, stepHome } from '../homes/index.js';
import { type BatteryRequest, CommunityBattery } from '../market/community-battery.js';
import {
  clearFlexAuction,
  type FlexDirection,
  type FlexOffer,
  flexRequirementKw,
} from '../market/flex-auction.js';
import {
  type CommunityBatteryModule,
  FLEX_ASSETS,
  type FlexAsset,
  type FlexAuctionModule,
  type MarketModule,
} from '../market/modules.js';

/** How one home's step settles beyond its supplier's tariff. */
export interface HomeSettlement {
  /** kWh drawn from the shared battery this step (netted off the supplier's metered import). */
  drawnKwh: number;
  /** kWh stored in the shared battery this step (netted off the supplier's metered export). */
  storedKwh: number;
  /** Added to the home's bill, £ (negative = a credit or a payment received). */
  billGbp: number;
  /** The home's setpoints were changed: its agent re-plans at the next step. */
  replan: boolean;
}

/** What the module sees of one step. Arrays follow the homes' order. */
export interface MarketStepInput {
  step: number;
  minuteOfYear: number;
  /** The agents' setpoints; the module may lower them. */
  setpoints: HomeSetpoints[];
  inputs: readonly HomeStepInputs[];
  states: readonly HomeState[];
  /** The home's import / export price at a step of the run (steps past the end wrap), £/kWh. */
  importPriceGbpPerKwh: (homeIndex: number, step: number) => number;
  exportPriceGbpPerKwh: (homeIndex: number, step: number) => number;
}

export interface FlexAwardRecord {
  home: string;
  asset: FlexAsset;
  kw: number;
  paymentGbp: number;
}

export interface FlexAuctionRecord {
  step: number;
  time: string;
  /** The phase the auction defended (null: the street's total). */
  phase: Phase | null;
  /** reduce: import past the limit; increase: export past it (reverse flow). */
  direction: FlexDirection;
  forecastKw: number;
  requestedKw: number;
  acceptedKw: number;
  shortfallKw: number;
  clearingPriceGbpPerKwh: number | null;
  paymentGbp: number;
  offers: number;
  awards: FlexAwardRecord[];
}

export interface FlexHomeRecord {
  home: string;
  offers: number;
  awards: number;
  turnedDownKwh: Record<FlexAsset, number>;
  /** kWh taken up in reverse-flow auctions (EV and battery charging brought forward). */
  turnedUpKwh: Record<FlexAsset, number>;
  paymentGbp: number;
}

export interface FlexAuctionOutcome {
  kind: 'flex-auction';
  basis: 'total' | 'per-phase';
  limitKw: number;
  /** Where an auction is called and what it aims for, kW of the total or (per-phase) of one phase. */
  triggerKw: number;
  targetKw: number;
  maxPriceGbpPerKwh: number;
  auctions: number;
  /** Auctions for import past the limit (reduce) and for export past it (increase). */
  auctionsByDirection: Record<FlexDirection, number>;
  auctionsWithShortfall: number;
  requestedKwh: number;
  clearedKwh: number;
  maxClearedKw: number;
  paymentsGbp: number;
  /** Clearing prices over the auctions that bought something (mean weighted by energy), £/kWh. */
  clearingPriceGbpPerKwh: { min: number; mean: number; max: number } | null;
  perHome: FlexHomeRecord[];
  history: FlexAuctionRecord[];
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

export type MarketOutcome = FlexAuctionOutcome | SharedBatteryOutcome;

export interface MarketRun {
  /** Power-flow loads the module adds after the homes' (the shared battery). */
  readonly loads: LoadConnection[];
  /** Their power this step (set by step()), kW, charge positive. */
  readonly loadPKw: Float64Array;
  step(input: MarketStepInput): readonly HomeSettlement[];
  /** What the module did over the run (undefined for retail). */
  outcome(): MarketOutcome | undefined;
}

export interface MarketRunOptions {
  stepMinutes: number;
  stepCount: number;
  /** Line-to-neutral volts at which an added load draws its nominal power. */
  nominalVoltsLn: number;
}

export function createMarketRun(
  module: MarketModule | undefined,
  homes: readonly HomeSpec[],
  options: MarketRunOptions,
): MarketRun {
  if (!module || module.kind === 'retail') return retailRun(homes.length);
  if (module.kind === 'flex-auction') return flexAuctionRun(module, homes, options);
  return communityBatteryRun(module, homes, options);
}

function retailRun(homeCount: number): MarketRun {
  const none = Array.from({ length: homeCount }, () => emptySettlement());
  return { loads: [], loadPKw: new Float64Array(0), step: () => none, outcome: () => undefined };
}

function emptySettlement(): HomeSettlement {
  return { drawnKwh: 0, storedKwh: 0, billGbp: 0, replan: false };
}

/** Each home's step on a copy of its state: what the real step will give. */
function previewHomes(homes: readonly HomeSpec[], input: MarketStepInput): HomeStepResult[] {
  return homes.map((spec, index) =>
    stepHome(
      spec,
      { ...(input.states[index] as HomeState) },
      input.setpoints[index] as HomeSetpoints,
      input.inputs[index] as HomeStepInputs,
    ),
  );
}

function flexAuctionRun(
  module: FlexAuctionModule,
  homes: readonly HomeSpec[],
  options: MarketRunOptions,
): MarketRun {
  const { stepMinutes } = options;
  const hours = stepMinutes / 60;
  const perHome: FlexHomeRecord[] = homes.map((spec) => ({
    home: spec.id,
    offers: 0,
    awards: 0,
    turnedDownKwh: { ev: 0, heatPump: 0, battery: 0 },
    turnedUpKwh: { ev: 0, heatPump: 0, battery: 0 },
    paymentGbp: 0,
  }));
  const history: FlexAuctionRecord[] = [];
  const settlements = homes.map(() => emptySettlement());

  // What the operator defends: the street's total, or each phase (a third of the limit) with its own homes.
  const areaLimitKw = module.basis === 'per-phase' ? module.limitKw / 3 : module.limitKw;
  const areas: { phase: Phase | null; homeIndices: number[] }[] =
    module.basis === 'per-phase'
      ? PHASES.map((phase) => ({
          phase,
          homeIndices: homes.flatMap((spec, index) => (spec.phase === phase ? [index] : [])),
        }))
      : [{ phase: null, homeIndices: homes.map((_, index) => index) }];

  const step = (input: MarketStepInput): readonly HomeSettlement[] => {
    for (const settlement of settlements) {
      settlement.billGbp = 0;
      settlement.replan = false;
    }
    const previews = previewHomes(homes, input);
    for (const area of areas) auction(input, previews, area.phase, area.homeIndices);
    return settlements;
  };

  /** One auction for an area whose previewed import nears its limit (nothing below the trigger). */
  function auction(
    input: MarketStepInput,
    previews: readonly HomeStepResult[],
    phase: Phase | null,
    homeIndices: readonly number[],
  ): void {
    const forecastKw = homeIndices.reduce((sum, index) => sum + (previews[index] as HomeStepResult).pKw, 0);
    const fractions = { triggerFraction: module.triggerFraction, targetFraction: module.targetFraction };
    const reduceKw = flexRequirementKw(forecastKw, areaLimitKw, fractions);
    // Reverse flow (export past the limit): buy extra demand instead.
    const increaseKw = reduceKw > 0 ? 0 : flexRequirementKw(-forecastKw, areaLimitKw, fractions);
    const direction: FlexDirection = reduceKw > 0 ? 'reduce' : 'increase';
    const requestedKw = reduceKw > 0 ? reduceKw : increaseKw;
    if (requestedKw <= 0) return;

    const offers: FlexOffer[] = [];
    const offerOwners: { homeIndex: number; asset: FlexAsset }[] = [];
    for (const homeIndex of homeIndices) {
      const preview = previews[homeIndex] as HomeStepResult;
      const shiftCost = shiftCostGbpPerKwh(input, homeIndex, module.shiftWindowSteps, direction);
      for (const asset of FLEX_ASSETS) {
        const kw =
          direction === 'reduce'
            ? flexibleKw(preview, asset)
            : extraKw(homes[homeIndex] as HomeSpec, input, homeIndex, preview, asset);
        if (kw <= 1e-6) continue;
        offers.push({
          bidderId: `${homes[homeIndex]?.id}:${asset}`,
          direction,
          maxKw: kw,
          priceGbpPerKwh: shiftCost + module.premiumGbpPerKwh[asset],
        });
        offerOwners.push({ homeIndex, asset });
        (perHome[homeIndex] as FlexHomeRecord).offers++;
      }
    }
    const clearing = clearFlexAuction(
      {
        direction,
        quantityKw: requestedKw,
        durationMinutes: stepMinutes,
        maxPriceGbpPerKwh: module.maxPriceGbpPerKwh,
      },
      offers,
    );
    const awards: FlexAwardRecord[] = [];
    for (const award of clearing.awards) {
      const { homeIndex, asset } = offerOwners[award.offerIndex] as { homeIndex: number; asset: FlexAsset };
      const preview = previews[homeIndex] as HomeStepResult;
      const setpoints = input.setpoints[homeIndex] as HomeSetpoints;
      // Setpoints from the previewed (already clamped) powers, so the change is exactly the award.
      const changeKw = direction === 'reduce' ? -award.kw : award.kw;
      if (asset === 'ev') setpoints.evKw = Math.max(0, preview.evKw + changeKw);
      else if (asset === 'heatPump') setpoints.heatPumpKw = Math.max(0, preview.heatPumpKw + changeKw);
      else setpoints.batteryKw = preview.batteryKw + changeKw;
      const settlement = settlements[homeIndex] as HomeSettlement;
      settlement.billGbp -= award.paymentGbp;
      settlement.replan = true;
      const record = perHome[homeIndex] as FlexHomeRecord;
      record.awards++;
      (direction === 'reduce' ? record.turnedDownKwh : record.turnedUpKwh)[asset] += award.energyKwh;
      record.paymentGbp += award.paymentGbp;
      awards.push({ home: record.home, asset, kw: award.kw, paymentGbp: award.paymentGbp });
    }
    history.push({
      step: input.step,
      time: clockLabel(input.minuteOfYear),
      phase,
      direction,
      forecastKw,
      requestedKw,
      acceptedKw: clearing.acceptedKw,
      shortfallKw: clearing.shortfallKw,
      clearingPriceGbpPerKwh: clearing.clearingPriceGbpPerKwh,
      paymentGbp: clearing.totalPaymentGbp,
      offers: offers.length,
      awards,
    });
  }

  const outcome = (): FlexAuctionOutcome => {
    const priced = history.filter((entry) => entry.clearingPriceGbpPerKwh !== null && entry.acceptedKw > 0);
    const prices = priced.map((entry) => entry.clearingPriceGbpPerKwh as number);
    const clearedKwh = history.reduce((sum, entry) => sum + entry.acceptedKw * hours, 0);
    const paymentsGbp = history.reduce((sum, entry) => sum + entry.paymentGbp, 0);
    return {
      kind: 'flex-auction',
      basis: module.basis,
      limitKw: module.limitKw,
      triggerKw: module.triggerFraction * areaLimitKw,
      targetKw: module.targetFraction * areaLimitKw,
      maxPriceGbpPerKwh: module.maxPriceGbpPerKwh,
      auctions: history.length,
      auctionsByDirection: {
        reduce: history.filter((entry) => entry.direction === 'reduce').length,
        increase: history.filter((entry) => entry.direction === 'increase').length,
      },
      auctionsWithShortfall: history.filter((entry) => entry.shortfallKw > 1e-9).length,
      requestedKwh: history.reduce((sum, entry) => sum + entry.requestedKw * hours, 0),
      clearedKwh,
      maxClearedKw: Math.max(0, ...history.map((entry) => entry.acceptedKw)),
      paymentsGbp,
      clearingPriceGbpPerKwh:
        prices.length > 0
          ? { min: Math.min(...prices), mean: paymentsGbp / clearedKwh, max: Math.max(...prices) }
          : null,
      perHome,
      history,
    };
  };
  return { loads: [], loadPKw: new Float64Array(0), step, outcome };
}

/** kW of an asset the home could turn down this step. */
function flexibleKw(preview: HomeStepResult, asset: FlexAsset): number {
  if (asset === 'ev') return preview.evKw;
  if (asset === 'heatPump') return preview.heatPumpKw;
  return Math.max(0, preview.batteryKw);
}

/**
 * What moving a kWh between now and the cheapest later step in the window costs the home (never < 0),
 * £/kWh: reduce moves it from now to later, increase brings it forward from later to now.
 */
function shiftCostGbpPerKwh(
  input: MarketStepInput,
  homeIndex: number,
  windowSteps: number,
  direction: FlexDirection,
): number {
  let cheapestLater = Number.POSITIVE_INFINITY;
  for (let t = 1; t <= windowSteps; t++) {
    cheapestLater = Math.min(cheapestLater, input.importPriceGbpPerKwh(homeIndex, input.step + t));
  }
  const now = input.importPriceGbpPerKwh(homeIndex, input.step);
  return Math.max(0, direction === 'reduce' ? cheapestLater - now : now - cheapestLater);
}

/** kW more the home's EV or battery could charge this step (reverse-flow auctions; not the heat pump). */
function extraKw(
  spec: HomeSpec,
  input: MarketStepInput,
  homeIndex: number,
  preview: HomeStepResult,
  asset: FlexAsset,
): number {
  const state = input.states[homeIndex] as HomeState;
  const { dtHours, evAtHome, evTripKwh } = input.inputs[homeIndex] as HomeStepInputs;
  if (asset === 'battery' && spec.battery) {
    const most = applyStoragePower(spec.battery, state.batterySocKwh, spec.battery.maxChargeKw, dtHours).pKw;
    return Math.max(0, most - preview.batteryKw);
  }
  if (asset === 'ev' && spec.ev && evAtHome) {
    const socKwh = Math.max(0, state.evSocKwh - evTripKwh);
    const most = applyStoragePower(spec.ev, socKwh, spec.ev.maxChargeKw, dtHours).pKw;
    return Math.max(0, most - preview.evKw);
  }
  return 0;
}

function communityBatteryRun(
  module: CommunityBatteryModule,
  homes: readonly HomeSpec[],
  options: MarketRunOptions,
): MarketRun {
  const { stepMinutes, stepCount } = options;
  const hours = stepMinutes / 60;
  const rules = module.rules;
  const battery = new CommunityBattery(rules, module.initialSocKwh);
  const drawPrice = rules.drawPricePencePerKwh / 100;
  const storeCredit = rules.storeCreditPencePerKwh / 100;
  const window = rules.drawWindow
    ? { from: clockMinutes(rules.drawWindow.from), to: clockMinutes(rules.drawWindow.to) }
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

/** Whether a minute of the day is in [from, to); a window with to <= from wraps past midnight. */
function inWindow(minuteOfDay: number, from: number, to: number): boolean {
  return to > from ? minuteOfDay >= from && minuteOfDay < to : minuteOfDay >= from || minuteOfDay < to;
}

function clockMinutes(text: string): number {
  const [hours, minutes] = text.split(':').map(Number);
  return (hours ?? 0) * 60 + (minutes ?? 0);
}

/** Extra files a run writes for its market module. */
export const MARKET_OUTPUT_FILES = {
  flexAuctions: 'flex-auctions.jsonl',
  sharedBattery: 'shared-battery.csv',
} as const;

/** The module's files: the auctions' history, or the shared battery's state per step. */
export function marketOutputFiles(
  outcome: MarketOutcome | undefined,
  startDay: number,
  stepMinutes: number,
): [name: string, text: string][] {
  if (!outcome) return [];
  if (outcome.kind === 'flex-auction') {
    const lines = outcome.history.map((entry) => JSON.stringify(entry));
    return [[MARKET_OUTPUT_FILES.flexAuctions, lines.join('\n') + (lines.length > 0 ? '\n' : '')]];
  }
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
  return [[MARKET_OUTPUT_FILES.sharedBattery, `${lines.join('\n')}\n`]];
}

/** The module's figures for metrics.json (without the per-step series and the auction history). */
export function marketMetrics(outcome: MarketOutcome | undefined): {
  flexAuction?: Omit<FlexAuctionOutcome, 'history'>;
  sharedAssets?: { communityBattery: Omit<SharedBatteryOutcome, 'series'> };
} {
  if (!outcome) return {};
  if (outcome.kind === 'flex-auction') {
    const { history: _history, ...flexAuction } = outcome;
    return { flexAuction };
  }
  const { series: _series, ...communityBattery } = outcome;
  return { sharedAssets: { communityBattery } };
}
