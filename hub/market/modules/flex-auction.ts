/**
 * The local flexibility auction as a market module (see ../market-module.ts); the clearing itself is
 * ../flex-auction.ts. Each home's offers are priced from a preview of its step on a copy of its state,
 * which is exactly what the real step will give.
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
 */
import { z } from 'zod';
import { clockLabel } from '../../environment/calendar.js';
import { PHASES, type Phase } from '../../feeder/index.js';
import type {
  HomeSetpoints,
  HomeSpec,
  HomeState,
  HomeStepInputs,
  HomeStepResult,
} from '../../homes/index.js';
import { applyStoragePower } from '../../homes/index.js';
import { clearFlexAuction, type FlexDirection, type FlexOffer, flexRequirementKw } from '../flex-auction.js';
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

const fraction = () => z.number().gt(0).max(2);
const nonNegative = () => z.number().finite().nonnegative();

/** The assets a home may offer to turn down or up. */
export const FLEX_ASSETS = ['ev', 'heatPump', 'battery'] as const;
export type FlexAsset = (typeof FLEX_ASSETS)[number];

export const FlexAuctionModuleSchema = z
  .object({
    kind: z.literal('flex-auction'),
    /** Street import limit the operator defends, kW (default: the transformers' rating, kVA read as kW). */
    limitKw: z.number().finite().positive().optional(),
    /** `total`: the street's import against limitKw; `per-phase`: each phase against a third of it. */
    basis: z.enum(['total', 'per-phase']).default('total'),
    /** An auction is called when the forecast street import passes this fraction of the limit. */
    triggerFraction: fraction().default(0.95),
    /** ... and buys enough to bring the forecast down to this fraction. */
    targetFraction: fraction().default(0.9),
    /** The most the operator pays, £/kWh turned down (its avoided cost). */
    maxPriceGbpPerKwh: nonNegative().default(0.6),
    /** A home prices its offer by the cheapest import price within this many steps after now. */
    shiftWindowSteps: z.number().int().min(1).max(96).default(16),
    /** Added to every offer of that asset, £/kWh: the resident's nuisance of putting it off. */
    premiumGbpPerKwh: z
      .object({
        ev: nonNegative().default(0.02),
        heatPump: nonNegative().default(0.05),
        battery: nonNegative().default(0.01),
      })
      .strict()
      .default({ ev: 0.02, heatPump: 0.05, battery: 0.01 }),
  })
  .strict()
  .refine((module) => module.targetFraction <= module.triggerFraction, {
    message: 'a fraction at most triggerFraction',
    path: ['targetFraction'],
  });

export interface FlexAuctionModule {
  kind: 'flex-auction';
  basis: 'total' | 'per-phase';
  limitKw: number;
  triggerFraction: number;
  targetFraction: number;
  maxPriceGbpPerKwh: number;
  shiftWindowSteps: number;
  premiumGbpPerKwh: Record<FlexAsset, number>;
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

/** The section with the limit resolved: the transformers' rating unless the scenario sets one. */
function resolveFlexAuction(
  entry: z.output<typeof FlexAuctionModuleSchema>,
  { feeder, problem }: MarketModuleContext,
): FlexAuctionModule {
  const ratedKva = feeder.transformers.reduce((sum, transformer) => sum + transformer.ratedKva, 0);
  const limitKw = entry.limitKw ?? ratedKva;
  if (!(limitKw > 0))
    throw problem(
      `${MARKET_MODULE_PATH}.limitKw`,
      'a limit in kW (the feeder has no rated transformer)',
      entry.limitKw,
    );
  return {
    kind: 'flex-auction',
    basis: entry.basis,
    limitKw,
    triggerFraction: entry.triggerFraction,
    targetFraction: entry.targetFraction,
    maxPriceGbpPerKwh: entry.maxPriceGbpPerKwh,
    shiftWindowSteps: entry.shiftWindowSteps,
    premiumGbpPerKwh: entry.premiumGbpPerKwh,
  };
}

function flexAuctionRun(
  module: FlexAuctionModule,
  homes: readonly HomeSpec[],
  options: MarketRunOptions,
): MarketRun<FlexAuctionOutcome> {
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

/** The operator's flexibility auction. */
export const flexAuction = defineMarketModule({
  kind: 'flex-auction',
  description: 'a local flexibility auction the network operator calls when the street nears its limit',
  schema: FlexAuctionModuleSchema,
  files: { flexAuctions: 'flex-auctions.jsonl' },
  resolve: resolveFlexAuction,
  createRun: flexAuctionRun,
  /** Every auction, one JSON line each. */
  outputFiles: (outcome: FlexAuctionOutcome) => {
    const lines = outcome.history.map((entry) => JSON.stringify(entry));
    return [['flex-auctions.jsonl', lines.join('\n') + (lines.length > 0 ? '\n' : '')]];
  },
  metrics: (outcome: FlexAuctionOutcome) => {
    const { history: _history, ...flexAuction } = outcome;
    return { flexAuction };
  },
  /** The operator paid the homes for every kWh it bought. */
  counterpartyGainGbp: (outcome: FlexAuctionOutcome) => -outcome.paymentsGbp,
});
