import type { Highs } from 'highs';
import type {
  Clock,
  FeederSummary,
  HomeDecision,
  HomePreferences,
  ResidentPreferences as WirePreferences,
} from '../../protocol/gridflex.js';
import { isPolicyName, unknownPolicy } from '../agents/registry.js';
import type { FeederNetwork } from '../feeder/index.js';
import type { ResidentPreferences } from '../homes/index.js';
import type { RedTeamSection } from '../redteam/registry.js';
import { type AgentAnswer, ResidentBoosts } from './boosts.js';
import type { PriceSource } from './home-forecast.js';
import { evSpec, resolvePreferences } from './home-specs.js';
import { LiveFeeder } from './live-feeder.js';
import type { MarketRedTeam } from './live-market.js';
import { LivePlanner } from './live-planner.js';
import { liveLimitKw } from './live-policies.js';
import { LiveRedTeam } from './live-red-team.js';
import {
  HORIZON_STEPS,
  LivePolicyStreet,
  type LiveStepInputs,
  minuteOfDay,
  PLAN_STEP_MINUTES,
} from './live-street.js';
import { sunShare } from './live-weather.js';
import type { LoadedTableMap, TablePlotConfig } from './map-config.js';
import { PlanThread } from './plan-thread.js';
import { ShadowRun, StreetBook, type StreetFigures } from './shadow-runs.js';
import { LiveSharedBattery } from './shared-battery.js';
import { type TableHomeView, tableHomeViews } from './table-homes.js';
import type { AssetState, TableState } from './table-state.js';

export type { AgentAnswer } from './boosts.js';

const MINUTE_MS = 60_000;

/** Lets pending socket reads and writes run (setImmediate runs after the event loop's I/O phase). */
function yieldToIo(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
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
  /** Wall time of the running street's plans made in this step (0 when no home re-planned). */
  planningMs: number;
  /** Plans the running street's policy made in this step: one for each home it planned, with assets or not. */
  plansMade: number;
  /** The same of the shadow runs (their own streets; the running policy's mirror is the running street). */
  shadowPlanningMs: number;
  shadowPlansMade: number;
  /** Plans that failed this step (the home then runs a simple fallback), for the hub's log. */
  failures: string[];
  /** Load the running street adds on plots (the red team's oscillating load), kW by plot. */
  addedPlotPKw: ReadonlyMap<string, number>;
}

/** Options of {@link HomeAgents}. */
export interface HomeAgentsOptions {
  /** The policy the table starts with (default selfish). */
  policy?: string;
  /** Policies run beside it as shadow runs on the same inputs (default: none). */
  shadows?: readonly string[];
  /** The import limit the street policies plan against, kW (default: the transformers' rating). */
  limitKw?: number;
  /**
   * The plan thread's module (the hub: PLAN_WORKER of ./plan-thread.ts): the policies plan in a worker thread,
   * so the broker in this one keeps delivering. Default: they plan in this thread.
   */
  planThread?: URL;
}

/**
 * The residents' agents on the live table. Each home (a plot with a home) plans the EV, heat pump and battery
 * on its plot under the street's policy (hub/engine's Street, as the year runs: any policy of the registry),
 * follows the plan's current half-hour, and re-plans at the next half-hour or when anything it planned for
 * changes (an asset moved or went offline, new preferences, new prices, a boost ended). A boost runs the
 * heat pump or EV at full power and counts what it costs above the plan. The operator may switch the
 * policy; the switch takes effect at the next half-hour. Shadow runs keep the same table under other
 * policies, on the same inputs, with their own power flow, so the room sees what each would have done.
 */
export class HomeAgents {
  private readonly preferences = new Map<string, WirePreferences>();
  private readonly boosts = new ResidentBoosts();
  private readonly pvBestKw = new Map<string, number>();
  private readonly homePlots: TablePlotConfig[];
  private running: LivePolicyStreet;
  private readonly runningBook: StreetBook;
  private readonly shadows = new Map<string, ShadowRun>();
  /** Bumped by anything that invalidates every plan (new prices, a clock jump). */
  private generation = 0;
  private readonly replan = new Set<number>();
  /** Failures since the last step's report (plans this step; the plan thread whenever it fails). */
  private failures: string[] = [];
  private readonly planner: LivePlanner;
  /** The operator's attacks and defences on the running street, and their damage beside its policy's shadow. */
  readonly redTeam = new LiveRedTeam();

  constructor(
    private readonly map: LoadedTableMap,
    private readonly table: TableState,
    private readonly network: FeederNetwork,
    highs: Highs,
    options: HomeAgentsOptions = {},
  ) {
    this.homePlots = map.plots.filter((plot) => plot.home !== undefined);
    const limitKw = liveLimitKw(network, options.limitKw);
    const thread = options.planThread
      ? new PlanThread(
          { limitKw },
          (failure) => this.failures.push(`${failure}; the hub plans in its own thread from now on`),
          options.planThread,
        )
      : undefined;
    this.planner = new LivePlanner(highs, limitKw, thread);
    const views = this.views(new Date(map.clock.start));
    const policy = options.policy ?? 'selfish';
    this.running = this.street(policy, views);
    this.runningBook = new StreetBook(policy);
    for (const name of options.shadows ?? []) {
      this.shadows.set(name, name === policy ? this.mirrorRun() : this.shadowRun(name, views));
    }
  }

  /** Every home's plan is made again at the next step (prices or the clock changed). */
  invalidatePlans(): void {
    this.generation += 1;
  }

  /** The policy the table runs, and the one it switches to at the next half-hour if the operator asked. */
  policy(): { running: string; next: string } {
    return { running: this.running.runningPolicyName, next: this.running.policyName };
  }

  /** Switches the table to another policy at the next half-hour; refused for an unknown name. */
  setPolicy(name: string): AgentAnswer {
    if (!isPolicyName(name)) return { accepted: false, reason: unknownPolicy(name) };
    if (name === this.running.policyName)
      return { accepted: false, reason: `the table already runs ${name}` };
    this.running.switchPolicy(this.policyNamed(name));
    return { accepted: true, reason: `the table switches to ${name} at the next half-hour` };
  }

  /** Runs the operator's red team on the running street from the next step (empty lists: none). */
  setRedTeam(section: RedTeamSection): AgentAnswer {
    this.redTeam.request(section);
    const kinds = (entries: readonly { kind: string }[]) =>
      entries.map((entry) => entry.kind).join(', ') || 'none';
    return {
      accepted: true,
      reason: `from the next step the table runs attacks: ${kinds(section.attacks)}; defences: ${kinds(section.defences)}`,
    };
  }

  /** The running street's figures and each shadow run's, since the hub started. */
  comparison(): { running: StreetFigures; shadows: StreetFigures[] } {
    return {
      running: { ...this.runningBook.figures, policy: this.running.runningPolicyName },
      shadows: [...this.shadows.values()].map((shadow) => ({ ...shadow.book.figures })),
    };
  }

  /** Books the running street's step from the published power flow (the hub calls it after each solve). */
  recordRunning(
    summary: FeederSummary,
    homeNetPKw: readonly { home: string; netPKw: number }[],
    prices: PriceSource,
    clock: Clock,
  ): void {
    this.runningBook.record(summary, homeNetPKw, prices, clock);
    this.redTeam.recordAttacked(this.running.runningPolicyName, summary, homeNetPKw, prices, clock);
  }

  /** The shadow runs' shared batteries follow the assembly's rules too. */
  shadowBatteries(): LiveSharedBattery[] {
    return [...this.shadows.values()].flatMap((shadow) => (shadow.battery ? [shadow.battery] : []));
  }

  /** EV state of charge for its pad's LEDs. */
  evSocPct(evId: string): number | undefined {
    return this.running.evSocPct(evId);
  }

  /** The resident's preferences as they sent them (merged), by home. */
  preferencesByHome(): Record<string, WirePreferences> {
    return Object.fromEntries(this.preferences);
  }

  /** Every home's preferences in force (the resident's over the defaults), as `gridflex/v1/preferences/<home>` shows them. */
  preferencesInForce(): HomePreferences[] {
    return this.homePlots.map((plot) => {
      const home = plot.home as string;
      const resolved = this.resolvedPreferences(home);
      return {
        home,
        costWeight: resolved.weights.cost,
        carbonWeight: resolved.weights.carbon,
        autarkyWeight: resolved.weights.autarky,
        comfortMinCelsius: resolved.comfortMinC,
        comfortMaxCelsius: resolved.comfortMaxC,
        evReadyByMinute: resolved.evReadyByMinute,
        evTargetSocPct: resolved.evTargetSocPct,
      };
    });
  }

  /** Merges a resident's new preferences; refused when the home is unknown or the comfort band is upside down. */
  setPreferences(home: string, update: WirePreferences): AgentAnswer {
    const index = this.homeIndex(home);
    if (index < 0) return { accepted: false, reason: `there is no home "${home}" on the table` };
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
    this.replan.add(index);
    return { accepted: true, reason: `preferences updated: ${Object.keys(changes).join(', ') || 'none'}` };
  }

  /** Starts (minutes > 0) or cancels (0) a boost of the heat pump or EV on the home's plot. */
  boost(home: string, assetId: string, minutes: number, simTime: Date, prices: PriceSource): AgentAnswer {
    const index = this.homeIndex(home);
    const plot = this.homePlots[index];
    if (!plot) return { accepted: false, reason: `there is no home "${home}" on the table` };
    const answer =
      minutes === 0
        ? this.boosts.cancel(home, assetId)
        : this.boosts.start(home, assetId, minutes, simTime, {
            plot,
            asset: this.table.asset(assetId),
            preferences: this.resolvedPreferences(home),
            evSpec: (evId) => evSpec(this.map, evId),
            evSocKwh: ((this.running.evSocPct(assetId) ?? 0) * evSpec(this.map, assetId).capacityKwh) / 100,
            plan: this.runningPlan(index),
            prices,
          });
    if (answer.accepted) this.replan.add(index);
    return answer;
  }

  /**
   * One live step: every street steps on the same inputs; the running one drives the table. Each street's
   * plans are tens of milliseconds of synchronous LP work at a plan slot, so the broker in the same process
   * gets the event loop back between streets: a board's reading waits for one street, not for all of them.
   */
  async step(clock: Clock, prices: PriceSource): Promise<AgentsStep> {
    const now = new Date(clock.simTime);
    const stepStartMs = now.getTime() - clock.stepMinutes * MINUTE_MS;
    const views = this.views(now);
    for (const view of views) for (const pv of view.pvs) this.learnPv(pv, minuteOfDay(now));
    const news = this.endBoosts(views, stepStartMs);
    const inputs: LiveStepInputs = {
      now,
      stepMinutes: clock.stepMinutes,
      step: clock.step,
      homes: views,
      prices,
      pvBestKw: this.pvBestKw,
      boosts: this.boosts.overrides(),
      generation: this.generation,
    };
    this.running.forget(this.replan);
    for (const shadow of this.shadows.values()) shadow.street.forget(this.replan);
    this.replan.clear();
    this.splitMirror(inputs);
    await this.applyRedTeam(clock.simTime, prices.redTeam);
    // The shadow runs (the red team's baseline) price the homes the red team switched as they were before.
    const shadowPrices = prices.redTeam?.honestPrices ?? prices;
    const shadowInputs = { ...inputs, prices: shadowPrices };
    await this.running.step(inputs);
    const shadowPlans = { count: 0, planningMs: 0 };
    // The broker delivers between the streets and between a street's plans and its power flow, each a block of
    // work on a big street.
    for (const shadow of this.shadows.values()) {
      await yieldToIo();
      await shadow.stepStreet(shadowInputs);
      if (!shadow.mirrors) {
        shadowPlans.count += shadow.street.lastStepPlans.count;
        shadowPlans.planningMs += shadow.street.lastStepPlans.planningMs;
      }
      await yieldToIo();
      const flow = shadow.solve(shadowInputs, clock);
      if (!shadow.mirrors) {
        const policy = shadow.street.runningPolicyName;
        this.redTeam.recordBaseline(policy, flow.summary, flow.homes, shadowPrices, clock);
      }
    }
    const stepStart = new Date(stepStartMs);
    const priceNow = (home: string) => prices.pricesAt(stepStart, home).importPriceGbpPerKwh;
    const setpointsKw = this.applyToTable(views, clock, priceNow);
    const decisions = views.map((view, index) => this.decision(view, index, clock, priceNow));
    const failures = this.failures;
    this.failures = [];
    return {
      decisions,
      setpointsKw,
      addedPlotPKw: this.running.addedPlotPKw,
      news,
      planningMs: this.running.lastStepPlans.planningMs,
      plansMade: this.running.lastStepPlans.count,
      shadowPlanningMs: shadowPlans.planningMs,
      shadowPlansMade: shadowPlans.count,
      failures,
    };
  }

  /** Frees the LP models and ends the plan thread. */
  async dispose(): Promise<void> {
    this.running.dispose();
    for (const shadow of this.shadows.values()) if (!shadow.mirrors) shadow.street.dispose();
    await this.planner.stop();
  }

  private street(policy: string, views: readonly TableHomeView[]): LivePolicyStreet {
    return new LivePolicyStreet(
      this.policyNamed(policy),
      this.map,
      this.network,
      views,
      (failure) => this.failures.push(failure),
      this.planner.plans,
    );
  }

  private shadowRun(policy: string, views: readonly TableHomeView[]): ShadowRun {
    const street = new LivePolicyStreet(
      this.policyNamed(policy),
      this.map,
      this.network,
      views,
      () => {},
      this.planner.plans,
    );
    const battery = this.map.sharedBattery ? new LiveSharedBattery(this.map.sharedBattery) : null;
    return new ShadowRun(
      street,
      new LiveFeeder(this.network, this.table, this.map.sharedBattery),
      battery,
      this.table,
    );
  }

  /**
   * The running policy's shadow run: until the first switch it is the running street itself (the same inputs
   * give the same plans), so the table plans that policy once a step instead of twice.
   */
  private mirrorRun(): ShadowRun {
    const battery = this.map.sharedBattery ? new LiveSharedBattery(this.map.sharedBattery) : null;
    const shadow = new ShadowRun(
      this.running,
      new LiveFeeder(this.network, this.table, this.map.sharedBattery),
      battery,
      this.table,
    );
    shadow.mirrors = true;
    return shadow;
  }

  /**
   * When the operator's switch is due and the running street is also its policy's shadow run, the shadow run
   * keeps that street (a pure run of its policy) and the table goes on with a copy of it under the new policy.
   */
  private splitMirror(inputs: LiveStepInputs): void {
    const mirror = [...this.shadows.values()].find((shadow) => shadow.mirrors);
    if (!mirror || !this.running.switchDue(inputs.now, inputs.stepMinutes)) return;
    this.running = this.running.forkToPendingPolicy(inputs.homes, (failure) => this.failures.push(failure));
    mirror.mirrors = false;
  }

  /**
   * Places the operator's pending red team on the running street. While the running street is also its
   * policy's shadow run, it splits in two from its state now: the shadow run (the baseline, without the red
   * team) and the table go on with a copy each, under a fresh instance of the policy each, so both plan from
   * the same state (a coordinator's history, e.g. the peak it has already paid for, would otherwise give the
   * baseline another limit than the attacked street). A policy switch due then goes first.
   */
  private async applyRedTeam(simTime: string, market: MarketRedTeam | undefined): Promise<void> {
    if (!this.redTeam.pending) return;
    const mirror = [...this.shadows.values()].find((shadow) => shadow.mirrors);
    if (mirror && this.redTeam.active) {
      if (this.running.policyName !== this.running.runningPolicyName) return;
      const views = this.views(new Date(simTime));
      const split = this.running;
      const copy = (onFailure: (failure: string) => void) =>
        split.fork(this.policyNamed(split.runningPolicyName), views, onFailure);
      mirror.continueWith(copy(() => {}));
      this.running = copy((failure) => this.failures.push(failure));
      split.dispose();
    }
    const failure = await this.redTeam.apply(this.running, (name) => this.policyNamed(name), simTime, market);
    if (failure) this.failures.push(failure);
  }

  private policyNamed(name: string) {
    return this.planner.create(name);
  }

  private views(now: Date): TableHomeView[] {
    return tableHomeViews(
      this.table,
      this.homePlots,
      (home) => this.resolvedPreferences(home),
      minuteOfDay(now),
    );
  }

  /** Ends boosts whose time is up or whose asset left; their homes plan again. */
  private endBoosts(views: readonly TableHomeView[], stepStartMs: number): HomeNews[] {
    const news: HomeNews[] = [];
    views.forEach((view, index) => {
      const asset = this.boosts.assetOf(view.home);
      const onPlot = [view.ev, view.heatPump, view.battery, ...view.pvs].flatMap((a) => (a ? [a.asset] : []));
      const message = this.boosts.endIfDue(view.home, stepStartMs, onPlot);
      if (message === undefined || asset === undefined) return;
      this.replan.add(index);
      news.push({ kind: 'boost-ended', home: view.home, asset, message });
    });
    return news;
  }

  /** Sets the running street's powers on the table, counts boosts, and idles assets no home plans. */
  private applyToTable(
    views: readonly TableHomeView[],
    clock: Clock,
    priceNow: (home: string) => number,
  ): Map<string, number> {
    const setpointsKw = new Map<string, number>();
    const dtHours = clock.stepMinutes / 60;
    for (const asset of this.table.assets) {
      if (asset.kind === 'pv' || asset.kind === 'load') continue;
      const pKw = this.running.assetPowerKw.get(asset.asset) ?? 0;
      this.table.setPower(asset.asset, pKw);
      if (asset.kind === 'heat-pump' || asset.kind === 'battery') setpointsKw.set(asset.asset, round3(pKw));
    }
    for (const view of views) {
      for (const asset of [view.ev, view.heatPump]) {
        if (!asset) continue;
        const extraKw =
          (this.running.assetPowerKw.get(asset.asset) ?? 0) -
          (this.running.plannedPowerKw.get(asset.asset) ?? 0);
        this.boosts.count(view.home, asset.asset, extraKw, dtHours, priceNow(view.home));
      }
    }
    return setpointsKw;
  }

  private decision(
    view: TableHomeView,
    index: number,
    clock: Clock,
    priceNow: (home: string) => number,
  ): HomeDecision {
    const record = this.running.planRecords[index];
    const boosted = this.boosts.assetOf(view.home);
    const asset = (state: AssetState | undefined): HomeDecision['assets'] =>
      state
        ? [
            {
              asset: state.asset,
              kind: state.kind,
              pKw: round3(this.running.assetPowerKw.get(state.asset) ?? 0),
              plannedPKw: round3(this.running.plannedPowerKw.get(state.asset) ?? 0),
              boosted: boosted === state.asset,
            },
          ]
        : [];
    const pvs = view.pvs.map((pv) => ({
      asset: pv.asset,
      kind: pv.kind,
      pKw: round3(pv.pKw),
      plannedPKw: round3(pv.pKw),
      boosted: false,
    }));
    return {
      home: view.home,
      plot: view.plot.plot,
      step: clock.step,
      simTime: clock.simTime,
      policy: this.running.runningPolicyName,
      explanation: record?.explanation ?? '',
      cannotKeep: this.running.planOf(index)?.cannotKeep ?? [],
      assets: [...asset(view.ev), ...asset(view.heatPump), ...asset(view.battery), ...pvs],
      ...(view.ev ? { evSocPct: round3(this.running.evSocPct(view.ev.asset) ?? 0) } : {}),
      ...(view.battery ? { batterySocPct: round3(this.running.batterySocPct(view.battery.asset)) } : {}),
      ...(view.heatPump ? { indoorC: round3(this.running.indoorC(view.home)) } : {}),
      importPriceGbpPerKwh: priceNow(view.home),
      plannedAt: (record?.plannedAt ?? new Date(clock.simTime)).toISOString(),
      horizonHours: (HORIZON_STEPS * PLAN_STEP_MINUTES) / 60,
      planCostGbp: round3(record?.planCostGbp ?? 0),
      planningMs: round3(record?.planningMs ?? 0),
      boost: this.boosts.status(view.home, new Date(clock.simTime)),
    };
  }

  private runningPlan(index: number) {
    const plan = this.running.planOf(index);
    const record = this.running.planRecords[index];
    return plan && record ? { plan, plannedAt: record.plannedAt } : undefined;
  }

  /** Remembers the best output a panel has shown for the sun's height, to forecast the rest of its day. */
  private learnPv(pv: AssetState, minute: number): void {
    const share = sunShare(minute);
    if (share < 0.3) return;
    const estimate = -Math.min(0, pv.pKw) / share;
    this.pvBestKw.set(pv.asset, Math.max(this.pvBestKw.get(pv.asset) ?? 0, estimate));
  }

  private homeIndex(home: string): number {
    return this.homePlots.findIndex((plot) => plot.home === home);
  }

  private resolvedPreferences(home: string): ResidentPreferences {
    return resolvePreferences(this.preferences.get(home) ?? {});
  }
}

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}
