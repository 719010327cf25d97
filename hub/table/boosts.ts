/**
 * Residents' boosts on the live table: a heat pump or an EV runs at full power for a while, whatever the
 * plan says, and the hub counts what that costs above the plan.
 */
import type { BoostStatus } from '../../protocol/gridflex.js';
import { formatClock, type Plan } from '../agents/index.js';
import { applyStoragePower, type ResidentPreferences, type StorageSpec } from '../homes/index.js';
import { DEFAULT_HEAT_PUMP } from '../scenarios/defaults.js';
import type { PriceSource } from './home-forecast.js';
import { type BoostOverride, minuteOfDay, PLAN_STEP_MINUTES } from './live-street.js';
import { evAway, evBackMinute } from './live-weather.js';
import type { TablePlotConfig } from './map-config.js';
import type { AssetState } from './table-state.js';

const MINUTE_MS = 60_000;

/** The outcome of a resident's request. */
export interface AgentAnswer {
  accepted: boolean;
  reason: string;
}

/** A boost in progress. */
interface Boost {
  asset: string;
  kind: 'ev' | 'heat-pump';
  pKw: number;
  startedAt: Date;
  until: Date;
  extraKwh: number;
  extraCostGbp: number;
  estimatedExtraCostGbp: number;
}

/** What a boost request needs to know of the home. */
export interface BoostContext {
  plot: TablePlotConfig;
  asset: AssetState | undefined;
  preferences: ResidentPreferences;
  evSpec: (evId: string) => StorageSpec;
  evSocKwh: number;
  /** The plan the home follows and when it was made (for the expected extra cost). */
  plan: { plan: Plan; plannedAt: Date } | undefined;
  prices: PriceSource;
}

export class ResidentBoosts {
  private readonly boosts = new Map<string, Boost>();

  /** Starts a boost (minutes > 0) of the asset, or says why it cannot. */
  start(home: string, assetId: string, minutes: number, simTime: Date, context: BoostContext): AgentAnswer {
    const refusal = this.refusal(home, assetId, simTime, context);
    if (refusal) return { accepted: false, reason: refusal };
    const asset = context.asset as AssetState & { kind: 'ev' | 'heat-pump' };
    const pKw = asset.kind === 'ev' ? context.evSpec(assetId).maxChargeKw : DEFAULT_HEAT_PUMP.maxElectricKw;
    const until = new Date(simTime.getTime() + minutes * MINUTE_MS);
    const estimated = estimateExtraCost(home, asset, pKw, simTime, until, context);
    this.boosts.set(home, {
      asset: assetId,
      kind: asset.kind,
      pKw,
      startedAt: simTime,
      until,
      extraKwh: 0,
      extraCostGbp: 0,
      estimatedExtraCostGbp: estimated,
    });
    return {
      accepted: true,
      reason: `${assetId} runs at ${pKw} kW until ${formatClock(minuteOfDay(until))}; expected extra cost £${estimated.toFixed(2)} vs the plan`,
    };
  }

  /** Cancels the home's boost of the asset. */
  cancel(home: string, assetId: string): AgentAnswer {
    const running = this.boosts.get(home);
    if (!running || running.asset !== assetId)
      return { accepted: false, reason: `no boost of ${assetId} is running` };
    this.boosts.delete(home);
    return {
      accepted: true,
      reason: `boost of ${assetId} cancelled; it cost £${running.extraCostGbp.toFixed(2)} more than the plan`,
    };
  }

  /**
   * Ends the home's boost when its time is up or its asset left the plot (a step belongs to the boost
   * while it starts before the boost's end); returns the news, if it ended.
   */
  endIfDue(home: string, stepStartMs: number, assetsOnPlot: readonly string[]): string | undefined {
    const boost = this.boosts.get(home);
    if (!boost) return undefined;
    if (stepStartMs < boost.until.getTime() && assetsOnPlot.includes(boost.asset)) return undefined;
    this.boosts.delete(home);
    return `${home}: boost of ${boost.asset} ended; ${boost.extraKwh.toFixed(2)} kWh above the plan cost £${boost.extraCostGbp.toFixed(2)} more`;
  }

  /** The asset the home is boosting, if any. */
  assetOf(home: string): string | undefined {
    return this.boosts.get(home)?.asset;
  }

  /** The boosts running, as the streets apply them. */
  overrides(): Map<string, BoostOverride> {
    const overrides = new Map<string, BoostOverride>();
    for (const [home, boost] of this.boosts) {
      overrides.set(home, { asset: boost.asset, pKw: boost.pKw, untilMs: boost.until.getTime() });
    }
    return overrides;
  }

  /** Counts energy a boosted asset drew above its plan in a step, at the price in force. */
  count(home: string, assetId: string, extraKw: number, dtHours: number, priceGbpPerKwh: number): void {
    const boost = this.boosts.get(home);
    if (boost?.asset !== assetId) return;
    boost.extraKwh += extraKw * dtHours;
    boost.extraCostGbp += extraKw * dtHours * priceGbpPerKwh;
  }

  /** The home's boost on the wire, or null. */
  status(home: string, now: Date): BoostStatus | null {
    const boost = this.boosts.get(home);
    if (!boost) return null;
    return {
      asset: boost.asset,
      kind: boost.kind,
      pKw: boost.pKw,
      startedAt: boost.startedAt.toISOString(),
      until: boost.until.toISOString(),
      minutesLeft: Math.max(0, (boost.until.getTime() - now.getTime()) / MINUTE_MS),
      extraKwh: round3(boost.extraKwh),
      extraCostGbp: round3(boost.extraCostGbp),
      estimatedExtraCostGbp: round3(boost.estimatedExtraCostGbp),
    };
  }

  private refusal(home: string, assetId: string, simTime: Date, context: BoostContext): string | undefined {
    const { asset, plot, preferences } = context;
    if (!asset) return `there is no asset "${assetId}"`;
    if (asset.kind !== 'ev' && asset.kind !== 'heat-pump') {
      return `${assetId} is a ${asset.kind}: only a heat pump or an EV can be boosted`;
    }
    if (asset.plot !== plot.plot) {
      return `${assetId} is not on ${plot.plot} (${home}): it is ${asset.plot ? `on ${asset.plot}` : 'off the table'}`;
    }
    if (!asset.online) return `${assetId} is offline: its board is not connected`;
    if (asset.kind !== 'ev') return undefined;
    if (evAway(preferences.evReadyByMinute, minuteOfDay(simTime))) {
      return `${assetId} is out driving until ${formatClock(evBackMinute(preferences.evReadyByMinute))}`;
    }
    if (context.evSocKwh >= context.evSpec(assetId).capacityKwh - 1e-6) return `${assetId} is already full`;
    return undefined;
  }
}

/** (Full power − plan) × import price over the boost, from the current plan and prices. */
function estimateExtraCost(
  home: string,
  asset: AssetState,
  pKw: number,
  from: Date,
  until: Date,
  context: BoostContext,
): number {
  const stepMs = PLAN_STEP_MINUTES * MINUTE_MS;
  const count = Math.ceil((until.getTime() - from.getTime()) / stepMs);
  const { importGbp } = context.prices.priceSeries(from, PLAN_STEP_MINUTES, count, home);
  const current = context.plan;
  const series = asset.kind === 'ev' ? current?.plan.evKw : current?.plan.heatPumpKw;
  let socKwh = asset.kind === 'ev' ? context.evSocKwh : 0;
  let total = 0;
  for (let k = 0; k < count; k++) {
    const start = from.getTime() + k * stepMs;
    const hours = Math.min(stepMs, until.getTime() - start) / (60 * MINUTE_MS);
    const offset = current ? Math.floor((start - current.plannedAt.getTime()) / stepMs) : -1;
    const plannedKw = offset >= 0 ? (series?.[offset] ?? 0) : 0;
    let runKw = pKw;
    if (asset.kind === 'ev') {
      const applied = applyStoragePower(context.evSpec(asset.asset), socKwh, pKw, hours);
      runKw = applied.pKw;
      socKwh = applied.socKwh;
    }
    total += (runKw - plannedKw) * hours * (importGbp[k] ?? 0);
  }
  return total;
}

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}
