/**
 * The registry's context for the live table: every policy of hub/agents/registry.ts runs live, planning
 * half-hours a day ahead; the street policies book the headroom of the half-hour that runs next.
 */
import type { Highs } from 'highs';
import { HomeLp } from '../agents/home-lp.js';
import type { PolicyContext, PolicyStreet } from '../agents/registry.js';
import type { FeederNetwork } from '../feeder/index.js';
import { HORIZON_STEPS, PLAN_STEP_MINUTES } from './live-street.js';

/** Reinforcement cost of each kW of street peak above the limit in the live social cost, £/kW. */
const LIVE_REINFORCEMENT_GBP_PER_KW = 150;

/**
 * Plan steps the paid-for street peak lasts live (hub/agents/paid-peak.ts): a UTC day of half-hours. A batch run
 * charges reinforcement on its own peak and lasts days; the table runs for as long as the hub does, and without a
 * period one high peak would leave the street policies planning against it for good.
 */
const LIVE_PEAK_PERIOD_STEPS = (24 * 60) / PLAN_STEP_MINUTES;

/** The import limit the live street policies plan against: the map's, or the transformers' rating. */
export function liveLimitKw(network: FeederNetwork, limitKw?: number): number {
  return limitKw ?? network.transformers.reduce((sum, t) => sum + t.ratedKva, 0);
}

/**
 * What the live street policies plan against: the import limit (`liveLimitKw`), no load-dependent price and
 * no carbon price (the live table shows money and the network). Plain data, so the plan thread builds the same.
 */
export function livePolicyContext(highs: Highs, limitKw: number): PolicyContext {
  const street: PolicyStreet = {
    network: { transformerLimitKw: limitKw },
    problems: (home, horizonSteps) => new HomeLp(highs, home, horizonSteps),
    loadPriceSlopeGbpPerKwhPerKw: 0,
    reinforcementGbpPerKw: LIVE_REINFORCEMENT_GBP_PER_KW,
    carbonPriceGbpPerKg: 0,
  };
  return {
    // A selfish home's plan (and its explanation) covers the day ahead and holds until something changes;
    // the street policies re-plan every half-hour as the other homes' plans move.
    selfish: { horizonSteps: HORIZON_STEPS, replanEverySteps: HORIZON_STEPS },
    fleet: { horizonSteps: HORIZON_STEPS, replanEverySteps: 1, peakPeriodSteps: LIVE_PEAK_PERIOD_STEPS },
    street: () => street,
  };
}
