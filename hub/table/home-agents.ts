import type { Highs } from 'highs';
import type {
  BoostStatus,
  Clock,
  HomeDecision,
  ResidentPreferences as WirePreferences,
} from '../../protocol/gridflex.js';
import { formatClock, type HomeForecast, type Plan } from '../agents/policy.js';
import { SelfishPolicy } from '../agents/selfish.js';
import type { FeederNetwork } from '../feeder/index.js';
import {
  applyStoragePower,
  type HomeSpec,
  heatPumpCop,
  heatToReachKw,
  nextIndoorC,
  type ResidentPreferences,
  type StorageSpec,
} from '../homes/index.js';
import { createRng } from '../random.js';
import { DEFAULT_BATTERY, DEFAULT_HEAT_PUMP } from '../scenarios/defaults.js';
import { homeForecast, type PriceSource } from './home-forecast.js';
import {
  batterySpec,
  EV_DEFAULTS,
  evSpec,
  heatPumpThermal,
  initialSocPct,
  resolvePreferences,
} from './home-specs.js';
import { EV_TRIP, evAway, evBackMinute, outdoorC, sunShare } from './live-weather.js';
import type { LoadedTableMap, TablePlotConfig } from './map-config.js';
import type { AssetState, TableState } from './table-state.js';

/** The agents plan in half-hours (as the year runs do) over a day ahead: the next ready-by is always in view. */
const PLAN_STEP_MINUTES = 30;
const HORIZON_STEPS = 48;
/** How the resident's carbon and autarky weights turn into £ (the scenario defaults). */
const VALUATION = { carbonValueGbpPerKg: 0.25, autarkyValueGbpPerKwh: 0.1 } as const;
const MINUTE_MS = 60_000;
const INITIAL_INDOOR_C = 20;
/** Seed of the randomised start delays (each EV and start draws its own, so the table replays the same). */
const START_DELAY_SEED = 20_260_115;

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

/** The plan a home's agent follows until it plans again. */
interface HomePlan {
  plan: Plan;
  plannedAt: Date;
  /** What the plan was made for: which assets, present and online, the EV home or away. */
  signature: string;
  planCostGbp: number;
  planningMs: number;
  explanation: string;
}

/** The outcome of a resident's request. */
export interface AgentAnswer {
  accepted: boolean;
  reason: string;
}

/** Something a home did that the room should hear about. */
export interface HomeNews {
  kind: 'boost-ended';
  home: string;
  asset: string;
  message: string;
}

/** What one step of the agents produced. */
export interface AgentsStep {
  decisions: HomeDecision[];
  /** Set-points for boards with a settable power (heat pumps, batteries), asset → kW. */
  setpointsKw: Map<string, number>;
  news: HomeNews[];
  /** Wall time of the LPs solved in this step (0 when no home re-planned). */
  planningMs: number;
  plansMade: number;
  /** Plans that failed this step (the home then runs a simple fallback), for the hub's log. */
  failures: string[];
}

/**
 * The residents' agents on the live table: each home (a plot with a home) plans the EV, heat pump and
 * battery on its plot with the selfish policy (hub/agents: one LP per home over a day ahead, from the
 * prices in force and the resident's preferences), follows the plan's current half-hour, and re-plans
 * when the half-hour is over or anything it planned for changes (an asset moved or went offline, new
 * preferences, new prices, a boost ended). A boost runs the heat pump or EV at full power and counts what it
 * costs above the plan. The agents also move the assets' physics on (EV charge and trips, indoor warmth).
 */
export class HomeAgents {
  private readonly policy: SelfishPolicy;
  private readonly preferences = new Map<string, WirePreferences>();
  private readonly plans = new Map<string, HomePlan>();
  private readonly boosts = new Map<string, Boost>();
  private readonly evSocKwh = new Map<string, number>();
  private readonly evWasAway = new Map<string, boolean>();
  /** Whether each EV's plan had it charging last step, and when its current randomised start delay ends. */
  private readonly evWasPlannedToCharge = new Map<string, boolean>();
  private readonly evStartDelayUntilMs = new Map<string, number>();
  private readonly batterySocKwh = new Map<string, number>();
  private readonly indoorC = new Map<string, number>();
  private readonly pvBestKw = new Map<string, number>();
  private readonly homePlots: TablePlotConfig[];
  /** Bumped by anything that invalidates every plan (new prices, a clock jump). */
  private generation = 0;
  private readonly plannedGeneration = new Map<string, number>();
  /** Planning failures of the current step. */
  private failures: string[] = [];

  constructor(
    private readonly map: LoadedTableMap,
    private readonly table: TableState,
    private readonly network: FeederNetwork,
    highs: Highs,
  ) {
    this.policy = new SelfishPolicy(highs, { horizonSteps: HORIZON_STEPS, replanEverySteps: HORIZON_STEPS });
    this.homePlots = map.plots.filter((plot) => plot.home !== undefined);
    for (const plot of this.homePlots) this.indoorC.set(plot.home as string, INITIAL_INDOOR_C);
  }

  /** Every home's plan is made again at the next step (prices or the clock changed). */
  invalidatePlans(): void {
    this.generation += 1;
  }

  /** EV state of charge for its pad's LEDs. */
  evSocPct(evId: string): number | undefined {
    const soc = this.evSocKwh.get(evId);
    return soc === undefined ? undefined : (100 * soc) / this.evSpec(evId).capacityKwh;
  }

  /** The resident's preferences as they sent them (merged), by home. */
  preferencesByHome(): Record<string, WirePreferences> {
    return Object.fromEntries(this.preferences);
  }

  /** Merges a resident's new preferences; refused when the home is unknown or the comfort band is upside down. */
  setPreferences(home: string, update: WirePreferences): AgentAnswer {
    if (!this.plotOf(home)) return { accepted: false, reason: `there is no home "${home}" on the table` };
    const { requestId: _requestId, ...changes } = update;
    const merged = { ...this.preferences.get(home), ...changes };
    const resolved = resolvePreferences(merged);
    if (resolved.comfortMinC > resolved.comfortMaxC) {
      return {
        accepted: false,
        reason: `comfort band ${resolved.comfortMinC}–${resolved.comfortMaxC} °C is upside down: the minimum must not be above the maximum`,
      };
    }
    this.preferences.set(home, merged);
    this.plans.delete(home);
    return { accepted: true, reason: `preferences updated: ${Object.keys(changes).join(', ') || 'none'}` };
  }

  /** Starts (minutes > 0) or cancels (0) a boost of the heat pump or EV on the home's plot. */
  boost(home: string, assetId: string, minutes: number, simTime: Date, prices: PriceSource): AgentAnswer {
    const plot = this.plotOf(home);
    if (!plot) return { accepted: false, reason: `there is no home "${home}" on the table` };
    if (minutes === 0) {
      const running = this.boosts.get(home);
      if (!running || running.asset !== assetId)
        return { accepted: false, reason: `no boost of ${assetId} is running` };
      this.boosts.delete(home);
      this.plans.delete(home);
      return {
        accepted: true,
        reason: `boost of ${assetId} cancelled; it cost £${running.extraCostGbp.toFixed(2)} more than the plan`,
      };
    }
    const asset = this.table.asset(assetId);
    if (!asset) return { accepted: false, reason: `there is no asset "${assetId}"` };
    if (asset.kind !== 'ev' && asset.kind !== 'heat-pump') {
      return {
        accepted: false,
        reason: `${assetId} is a ${asset.kind}: only a heat pump or an EV can be boosted`,
      };
    }
    if (asset.plot !== plot.plot) {
      return {
        accepted: false,
        reason: `${assetId} is not on ${plot.plot} (${home}): it is ${asset.plot ? `on ${asset.plot}` : 'off the table'}`,
      };
    }
    if (!asset.online)
      return { accepted: false, reason: `${assetId} is offline: its board is not connected` };
    const preferences = this.resolvedPreferences(home);
    const minute = minuteOfDay(simTime);
    if (asset.kind === 'ev') {
      if (evAway(preferences.evReadyByMinute, minute)) {
        return {
          accepted: false,
          reason: `${assetId} is out driving until ${formatClock(evBackMinute(preferences.evReadyByMinute))}`,
        };
      }
      const spec = this.evSpec(assetId);
      if ((this.evSocKwh.get(assetId) ?? 0) >= spec.capacityKwh - 1e-6) {
        return { accepted: false, reason: `${assetId} is already full` };
      }
    }
    const pKw = asset.kind === 'ev' ? this.evSpec(assetId).maxChargeKw : DEFAULT_HEAT_PUMP.maxElectricKw;
    const until = new Date(simTime.getTime() + minutes * MINUTE_MS);
    const estimated = this.estimateExtraCost(home, asset, pKw, simTime, until, prices);
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

  /** One live step: trips, plans, set-points, physics, and each home's decision. */
  step(clock: Clock, prices: PriceSource): AgentsStep {
    const now = new Date(clock.simTime);
    const minute = clock.minuteOfDay;
    const dtHours = clock.stepMinutes / 60;
    // The step labelled `now` ran from one step earlier: its energy is priced at its start.
    const priceNow = prices.pricesAt(
      new Date(now.getTime() - clock.stepMinutes * MINUTE_MS),
    ).importPriceGbpPerKwh;
    const setpointsKw = new Map<string, number>();
    const news: HomeNews[] = [];
    const decisions: HomeDecision[] = [];
    let planningMs = 0;
    let plansMade = 0;
    this.failures = [];

    this.moveEvsOnTrips(minute);
    const planned = new Set<string>();
    for (const plot of this.homePlots) {
      const home = plot.home as string;
      const preferences = this.resolvedPreferences(home);
      const onPlot = this.table.assetsOn(plot.plot).filter((asset) => asset.online);
      const ev = onPlot.find((asset) => asset.kind === 'ev');
      const evHome = ev !== undefined && !evAway(preferences.evReadyByMinute, minute);
      const heatPump = onPlot.find((asset) => asset.kind === 'heat-pump');
      const battery = onPlot.find((asset) => asset.kind === 'battery');
      const pvs = onPlot.filter((asset) => asset.kind === 'pv');
      for (const pv of pvs) this.learnPv(pv, minute);

      const boost = this.boosts.get(home);
      // A step belongs to the boost while it starts before the boost's end.
      const stepStartMs = now.getTime() - clock.stepMinutes * MINUTE_MS;
      if (
        boost &&
        (stepStartMs >= boost.until.getTime() || !onPlot.some((asset) => asset.asset === boost.asset))
      ) {
        this.boosts.delete(home);
        this.plans.delete(home);
        news.push({
          kind: 'boost-ended',
          home,
          asset: boost.asset,
          message: `${home}: boost of ${boost.asset} ended; ${boost.extraKwh.toFixed(2)} kWh above the plan cost £${boost.extraCostGbp.toFixed(2)} more`,
        });
      }
      const activeBoost = this.boosts.get(home);

      const signature = [
        ev?.asset,
        evHome,
        heatPump?.asset,
        battery?.asset,
        ...pvs.map((pv) => pv.asset),
      ].join('|');
      let homePlan = this.plans.get(home);
      const stale =
        !homePlan ||
        homePlan.signature !== signature ||
        this.plannedGeneration.get(home) !== this.generation ||
        now.getTime() - homePlan.plannedAt.getTime() >= PLAN_STEP_MINUTES * MINUTE_MS;
      if (stale) {
        homePlan = this.plan(plot, { ev, heatPump, battery, pvs }, preferences, now, prices, signature);
        this.plans.set(home, homePlan);
        this.plannedGeneration.set(home, this.generation);
        planningMs += homePlan.planningMs;
        if (homePlan.planningMs > 0) plansMade += 1;
      }
      const plan = (homePlan as HomePlan).plan;
      const offset = Math.min(
        HORIZON_STEPS - 1,
        Math.floor(
          (now.getTime() - (homePlan as HomePlan).plannedAt.getTime()) / (PLAN_STEP_MINUTES * MINUTE_MS),
        ),
      );
      const assets: HomeDecision['assets'] = [];

      if (ev) {
        planned.add(ev.asset);
        const plannedKw = evHome ? (plan.evKw[offset] ?? 0) : 0;
        const wantKw =
          activeBoost?.asset === ev.asset
            ? activeBoost.pKw
            : this.delayedStart(
                ev.asset,
                plannedKw,
                now,
                clock.stepMinutes,
                prices.rules.randomisedStartDelayMinutes,
              );
        const pKw = evHome ? this.chargeEv(ev.asset, wantKw, dtHours) : 0;
        this.table.setPower(ev.asset, pKw);
        assets.push(this.decisionAsset(ev, pKw, plannedKw, activeBoost));
        this.countBoost(activeBoost, ev.asset, pKw - plannedKw, dtHours, priceNow);
      }
      if (heatPump) {
        planned.add(heatPump.asset);
        const plannedKw = plan.heatPumpKw[offset] ?? 0;
        const pKw = activeBoost?.asset === heatPump.asset ? activeBoost.pKw : plannedKw;
        const heatKw = pKw * heatPumpCop(DEFAULT_HEAT_PUMP, outdoorC(minute));
        this.indoorC.set(
          home,
          nextIndoorC(
            heatPumpThermal(),
            this.indoorC.get(home) ?? INITIAL_INDOOR_C,
            outdoorC(minute),
            heatKw,
            dtHours,
          ),
        );
        this.table.setPower(heatPump.asset, pKw);
        setpointsKw.set(heatPump.asset, round3(pKw));
        assets.push(this.decisionAsset(heatPump, pKw, plannedKw, activeBoost));
        this.countBoost(activeBoost, heatPump.asset, pKw - plannedKw, dtHours, priceNow);
      }
      if (battery) {
        planned.add(battery.asset);
        const plannedKw = plan.batteryKw[offset] ?? 0;
        const spec = this.batterySpec(battery.asset);
        const applied = applyStoragePower(spec, this.batterySoc(battery.asset), plannedKw, dtHours);
        this.batterySocKwh.set(battery.asset, applied.socKwh);
        this.table.setPower(battery.asset, applied.pKw);
        setpointsKw.set(battery.asset, round3(applied.pKw));
        assets.push(this.decisionAsset(battery, applied.pKw, plannedKw, undefined));
      }
      for (const pv of pvs) assets.push(this.decisionAsset(pv, pv.pKw, pv.pKw, undefined));

      decisions.push({
        home,
        plot: plot.plot,
        step: clock.step,
        simTime: clock.simTime,
        policy: 'selfish',
        explanation: (homePlan as HomePlan).explanation,
        cannotKeep: plan.cannotKeep,
        assets,
        ...(ev ? { evSocPct: round3(this.evSocPct(ev.asset) ?? 0) } : {}),
        ...(battery
          ? {
              batterySocPct: round3(
                (100 * this.batterySoc(battery.asset)) / this.batterySpec(battery.asset).capacityKwh,
              ),
            }
          : {}),
        ...(heatPump ? { indoorC: round3(this.indoorC.get(home) ?? INITIAL_INDOOR_C) } : {}),
        importPriceGbpPerKwh: priceNow,
        plannedAt: (homePlan as HomePlan).plannedAt.toISOString(),
        horizonHours: (HORIZON_STEPS * PLAN_STEP_MINUTES) / 60,
        planCostGbp: round3((homePlan as HomePlan).planCostGbp),
        planningMs: round3((homePlan as HomePlan).planningMs),
        boost: activeBoost ? boostStatus(activeBoost, now) : null,
      });
    }
    this.idleUnplanned(planned, setpointsKw);
    return { decisions, setpointsKw, news, planningMs, plansMade, failures: this.failures };
  }

  /** Frees the LP models. */
  dispose(): void {
    this.policy.dispose();
  }

  /** Assets no home plans (off the table, on a plot without a home, a second EV on a plot) draw nothing. */
  private idleUnplanned(planned: Set<string>, setpointsKw: Map<string, number>): void {
    for (const asset of this.table.assets) {
      if (planned.has(asset.asset) || asset.kind === 'pv' || asset.kind === 'load') continue;
      this.table.setPower(asset.asset, 0);
      if (asset.kind === 'heat-pump' || asset.kind === 'battery') setpointsKw.set(asset.asset, 0);
    }
  }

  private plan(
    plot: TablePlotConfig,
    assets: { ev?: AssetState; heatPump?: AssetState; battery?: AssetState; pvs: AssetState[] },
    preferences: ResidentPreferences,
    now: Date,
    prices: PriceSource,
    signature: string,
  ): HomePlan {
    const home = plot.home as string;
    const forecast = this.forecast(plot, assets, preferences, now, prices);
    const spec: HomeSpec = {
      id: `${home}/${[assets.ev ? 'ev' : '', assets.heatPump ? 'hp' : '', assets.battery ? 'bat' : ''].join('')}`,
      bus: plot.bus,
      phase: plot.phase,
      baseLoadPowerFactor: 0.95,
      ...(assets.ev ? { ev: { ...this.evSpec(assets.ev.asset), initialSocPct: 0 } } : {}),
      ...(assets.battery ? { battery: { ...this.batterySpec(assets.battery.asset), initialSocPct: 0 } } : {}),
      ...(assets.heatPump ? { heatPump: { ...DEFAULT_HEAT_PUMP, thermal: heatPumpThermal() } } : {}),
      preferences,
    };
    const dtHours = PLAN_STEP_MINUTES / 60;
    if (!assets.ev && !assets.heatPump && !assets.battery) {
      const zeros = new Float64Array(HORIZON_STEPS);
      const plan: Plan = { batteryKw: zeros, evKw: zeros, heatPumpKw: zeros, cannotKeep: [] };
      return {
        plan,
        plannedAt: now,
        signature,
        planCostGbp: planCost(plan, forecast, dtHours),
        planningMs: 0,
        explanation: `nothing to plan: no EV, heat pump or battery on ${plot.plot}`,
      };
    }
    const started = performance.now();
    let plan: Plan;
    try {
      plan = this.policy.plan({
        home: spec,
        state: {
          evSocKwh: assets.ev ? (this.evSocKwh.get(assets.ev.asset) ?? 0) : 0,
          batterySocKwh: assets.battery ? this.batterySoc(assets.battery.asset) : 0,
          indoorC: this.indoorC.get(home) ?? INITIAL_INDOOR_C,
        },
        step: 0,
        dtHours,
        horizonSteps: HORIZON_STEPS,
        forecast,
        valuation: VALUATION,
      });
    } catch (error) {
      return this.fallbackPlan(home, spec, forecast, now, signature, (error as Error).message);
    }
    const planningMs = performance.now() - started;
    const away =
      assets.ev && forecast.evAtHome[0] === 0
        ? `${assets.ev.asset} is out driving until ${formatClock(evBackMinute(preferences.evReadyByMinute))}; `
        : '';
    return {
      plan: copyPlan(plan),
      plannedAt: now,
      signature,
      planCostGbp: planCost(plan, forecast, dtHours),
      planningMs,
      explanation: `${away}${plan.explanation ?? 'nothing to shift'}`,
    };
  }

  /**
   * When the LP fails (it should not; a solver error must not stop the table) the home runs without a plan
   * until the next half-hour: the EV charges at full power while home, the heat pump holds the comfort
   * minimum, the battery rests. The failure is logged by the hub and shown in the explanation.
   */
  private fallbackPlan(
    home: string,
    spec: HomeSpec,
    forecast: HomeForecast,
    now: Date,
    signature: string,
    problem: string,
  ): HomePlan {
    const dtHours = PLAN_STEP_MINUTES / 60;
    const evKw = new Float64Array(HORIZON_STEPS);
    const heatPumpKw = new Float64Array(HORIZON_STEPS);
    let indoorC = this.indoorC.get(home) ?? INITIAL_INDOOR_C;
    for (let t = 0; t < HORIZON_STEPS; t++) {
      if (spec.ev && forecast.evAtHome[t] === 1) evKw[t] = spec.ev.maxChargeKw;
      if (spec.heatPump) {
        const outdoor = forecast.outdoorC[t] ?? 0;
        const thermal = spec.heatPump.thermal;
        const heatKw = Math.max(
          0,
          heatToReachKw(thermal, indoorC, outdoor, spec.preferences.comfortMinC, dtHours),
        );
        const electricKw = Math.min(
          spec.heatPump.maxElectricKw,
          heatKw / heatPumpCop(spec.heatPump, outdoor),
        );
        heatPumpKw[t] = electricKw;
        indoorC = nextIndoorC(
          thermal,
          indoorC,
          outdoor,
          electricKw * heatPumpCop(spec.heatPump, outdoor),
          dtHours,
        );
      }
    }
    const plan: Plan = { batteryKw: new Float64Array(HORIZON_STEPS), evKw, heatPumpKw, cannotKeep: [] };
    this.failures.push(
      `${home}: planning failed (${problem}); running without a plan until the next half-hour`,
    );
    return {
      plan,
      plannedAt: now,
      signature,
      planCostGbp: planCost(plan, forecast, dtHours),
      planningMs: 0,
      explanation: `planning failed (${problem}): EV at full power while home, heat pump holding ${spec.preferences.comfortMinC} °C, battery resting`,
    };
  }

  private forecast(
    plot: TablePlotConfig,
    assets: { ev?: AssetState; pvs: AssetState[] },
    preferences: ResidentPreferences,
    now: Date,
    prices: PriceSource,
  ): HomeForecast {
    return homeForecast({
      network: this.network,
      ...(plot.baseLoad === undefined ? {} : { baseLoad: plot.baseLoad }),
      start: now,
      stepMinutes: PLAN_STEP_MINUTES,
      steps: HORIZON_STEPS,
      prices,
      pvNowKw: assets.pvs.reduce((sum, pv) => sum - Math.min(0, pv.pKw), 0),
      pvBestKw: assets.pvs.reduce((sum, pv) => sum + (this.pvBestKw.get(pv.asset) ?? 0), 0),
      evReadyByMinute: assets.ev ? preferences.evReadyByMinute : null,
    });
  }

  /** Sets off EVs whose resident's ready-by time has come (the trip empties part of the battery). */
  private moveEvsOnTrips(minute: number): void {
    for (const asset of this.table.assets) {
      if (asset.kind !== 'ev') continue;
      const plot = asset.plot === null ? undefined : this.table.plot(asset.plot);
      const readyBy = plot?.home === undefined ? null : this.resolvedPreferences(plot.home).evReadyByMinute;
      const away = readyBy !== null && evAway(readyBy, minute);
      if (!this.evSocKwh.has(asset.asset)) {
        const capacityKwh = this.evSpec(asset.asset).capacityKwh;
        this.evSocKwh.set(
          asset.asset,
          (capacityKwh * initialSocPct(this.map, asset.asset, EV_DEFAULTS.initialSocPct)) / 100,
        );
      }
      if (away && this.evWasAway.get(asset.asset) === false) {
        this.evSocKwh.set(asset.asset, Math.max(0, (this.evSocKwh.get(asset.asset) ?? 0) - EV_TRIP.tripKwh));
      }
      this.evWasAway.set(asset.asset, away);
    }
  }

  /**
   * A smart charger starts each charging block after a random delay of up to the regulator's limit (GB smart
   * charge point rules), so a street of EVs does not switch on at the same instant when a cheap band opens.
   * Returns the power for the step ending `now`: none while the delay lasts, a share in the step where it ends.
   */
  private delayedStart(
    evId: string,
    plannedKw: number,
    now: Date,
    stepMinutes: number,
    maxDelayMinutes: number,
  ): number {
    const stepStartMs = now.getTime() - stepMinutes * MINUTE_MS;
    const wasCharging = this.evWasPlannedToCharge.get(evId) ?? false;
    this.evWasPlannedToCharge.set(evId, plannedKw > 0);
    if (plannedKw <= 0) {
      this.evStartDelayUntilMs.delete(evId);
      return 0;
    }
    if (!wasCharging && maxDelayMinutes > 0) {
      const delayMinutes = createRng(START_DELAY_SEED)
        .fork(`${evId}/${stepStartMs}`)
        .int(maxDelayMinutes + 1);
      this.evStartDelayUntilMs.set(evId, stepStartMs + delayMinutes * MINUTE_MS);
    }
    const untilMs = this.evStartDelayUntilMs.get(evId) ?? stepStartMs;
    const share = Math.min(1, Math.max(0, (now.getTime() - untilMs) / (stepMinutes * MINUTE_MS)));
    return plannedKw * share;
  }

  private chargeEv(evId: string, wantKw: number, dtHours: number): number {
    const applied = applyStoragePower(
      this.evSpec(evId),
      this.evSocKwh.get(evId) ?? 0,
      Math.max(0, wantKw),
      dtHours,
    );
    this.evSocKwh.set(evId, applied.socKwh);
    return applied.pKw;
  }

  private countBoost(
    boost: Boost | undefined,
    assetId: string,
    extraKw: number,
    dtHours: number,
    priceGbp: number,
  ): void {
    if (boost?.asset !== assetId) return;
    boost.extraKwh += extraKw * dtHours;
    boost.extraCostGbp += extraKw * dtHours * priceGbp;
  }

  /** (Full power − plan) × import price over the boost, from the current plan and prices. */
  private estimateExtraCost(
    home: string,
    asset: AssetState,
    pKw: number,
    from: Date,
    until: Date,
    prices: PriceSource,
  ): number {
    const homePlan = this.plans.get(home);
    const stepMs = PLAN_STEP_MINUTES * MINUTE_MS;
    const count = Math.ceil((until.getTime() - from.getTime()) / stepMs);
    const { importGbp } = prices.priceSeries(from, PLAN_STEP_MINUTES, count);
    let socKwh = asset.kind === 'ev' ? (this.evSocKwh.get(asset.asset) ?? 0) : 0;
    let total = 0;
    for (let k = 0; k < count; k++) {
      const start = from.getTime() + k * stepMs;
      const hours = Math.min(stepMs, until.getTime() - start) / (60 * MINUTE_MS);
      const offset = homePlan ? Math.floor((start - homePlan.plannedAt.getTime()) / stepMs) : -1;
      const series = asset.kind === 'ev' ? homePlan?.plan.evKw : homePlan?.plan.heatPumpKw;
      const plannedKw = offset >= 0 ? (series?.[offset] ?? 0) : 0;
      let runKw = pKw;
      if (asset.kind === 'ev') {
        const applied = applyStoragePower(this.evSpec(asset.asset), socKwh, pKw, hours);
        runKw = applied.pKw;
        socKwh = applied.socKwh;
      }
      total += (runKw - plannedKw) * hours * (importGbp[k] ?? 0);
    }
    return total;
  }

  private decisionAsset(
    asset: AssetState,
    pKw: number,
    plannedKw: number,
    boost: Boost | undefined,
  ): HomeDecision['assets'][number] {
    return {
      asset: asset.asset,
      kind: asset.kind,
      pKw: round3(pKw),
      plannedPKw: round3(plannedKw),
      boosted: boost?.asset === asset.asset,
    };
  }

  /** Remembers the best output a panel has shown for the sun's height, to forecast the rest of its day. */
  private learnPv(pv: AssetState, minute: number): void {
    const share = sunShare(minute);
    if (share < 0.3) return;
    const estimate = -Math.min(0, pv.pKw) / share;
    this.pvBestKw.set(pv.asset, Math.max(this.pvBestKw.get(pv.asset) ?? 0, estimate));
  }

  private evSpec(evId: string): StorageSpec {
    return evSpec(this.map, evId);
  }

  private batterySpec(batteryId: string): StorageSpec {
    return batterySpec(this.map, batteryId);
  }

  private batterySoc(batteryId: string): number {
    let soc = this.batterySocKwh.get(batteryId);
    if (soc === undefined) {
      soc =
        (this.batterySpec(batteryId).capacityKwh *
          initialSocPct(this.map, batteryId, DEFAULT_BATTERY.initialSocPct)) /
        100;
      this.batterySocKwh.set(batteryId, soc);
    }
    return soc;
  }

  private plotOf(home: string): TablePlotConfig | undefined {
    return this.homePlots.find((plot) => plot.home === home);
  }

  private resolvedPreferences(home: string): ResidentPreferences {
    return resolvePreferences(this.preferences.get(home) ?? {});
  }
}

/** The plan's cost over its horizon: imports at the import price less exports at the export price. */
function planCost(plan: Plan, forecast: HomeForecast, dtHours: number): number {
  let total = 0;
  for (let t = 0; t < HORIZON_STEPS; t++) {
    const netKw =
      (forecast.baseLoadKw[t] ?? 0) -
      (forecast.pvAvailableKw[t] ?? 0) +
      (plan.evKw[t] ?? 0) +
      (plan.heatPumpKw[t] ?? 0) +
      (plan.batteryKw[t] ?? 0);
    total +=
      netKw > 0
        ? netKw * dtHours * (forecast.importPriceGbpPerKwh[t] ?? 0)
        : netKw * dtHours * (forecast.exportPriceGbpPerKwh[t] ?? 0);
  }
  return total;
}

/** The LP's result arrays are reused by its next solve; a plan that is followed for a while needs its own copy. */
function copyPlan(plan: Plan): Plan {
  return {
    batteryKw: Float64Array.from(plan.batteryKw),
    evKw: Float64Array.from(plan.evKw),
    heatPumpKw: Float64Array.from(plan.heatPumpKw),
    ...(plan.explanation === undefined ? {} : { explanation: plan.explanation }),
    cannotKeep: [...plan.cannotKeep],
  };
}

function boostStatus(boost: Boost, now: Date): BoostStatus {
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

function minuteOfDay(time: Date): number {
  return time.getUTCHours() * 60 + time.getUTCMinutes();
}

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}
