/**
 * One policy's street on the live table, run by the Street engine (hub/engine) that the year runs use:
 * the residents' agents plan in half-hour slots, the homes step every clock step under their plans. The
 * table supplies what the homes are made of (the assets on each home's plot), the measured PV, the prices
 * in force and the residents' boosts; the street keeps its own EV, battery and indoor states, so the same
 * table can run under several policies side by side (the running one drives the boards, the others are
 * shadow runs on the same inputs).
 */
import { type ExplainedPlan, explainPlan } from '../agents/explain.js';
import { formatClock, type HomeForecast, type Plan, type PlanContext, type Policy } from '../agents/index.js';
import { emptyTiming } from '../engine/outcomes.js';
import { HomePhysics, WorldInputs } from '../engine/participants/homes.js';
import { type ForecastSource, ResidentAgents, type ResidentHooks } from '../engine/participants/residents.js';
import { type StepFrame, Street, type StreetParticipant } from '../engine/street.js';
import { emptyForecast, NOMINAL_VOLTS_LN, type StreetHome } from '../engine/street-home.js';
import type { InputSource } from '../engine/world.js';
import type { FeederNetwork } from '../feeder/index.js';
import {
  type HomeSetpoints,
  type HomeSpec,
  type HomeStepInputs,
  heatPumpCop,
  heatToReachKw,
  initialHomeState,
  nextIndoorC,
} from '../homes/index.js';
import { createRng } from '../random.js';
import type { HubOverrides, TableClock, TripsTaken } from '../redteam/red-team.js';
import { DEFAULT_BATTERY, DEFAULT_HEAT_PUMP } from '../scenarios/defaults.js';
import { homeForecast, type PriceSource } from './home-forecast.js';
import { batterySpec, EV_DEFAULTS, evSpec, heatPumpThermal, initialSocPct } from './home-specs.js';
import { EV_TRIP, evAway, evBackMinute, outdoorC } from './live-weather.js';
import type { LoadedTableMap } from './map-config.js';
import type { TableHomeView } from './table-homes.js';
import type { PinnedFigures } from './table-state.js';

/** The agents plan in half-hours (as the year runs do) over a day ahead: the next ready-by is always in view. */
export const PLAN_STEP_MINUTES = 30;
export const HORIZON_STEPS = 48;
/** How the resident's carbon and autarky weights turn into £ (the scenario defaults). */
export const LIVE_VALUATION = { carbonValueGbpPerKg: 0.25, autarkyValueGbpPerKwh: 0.1 } as const;
const MINUTE_MS = 60_000;
export const INITIAL_INDOOR_C = 20;
/** Seed of the randomised start delays (each EV and start draws its own, so the table replays the same). */
const START_DELAY_SEED = 20_260_115;

/** A resident's boost: the asset runs at `pKw` while the step starts before `untilMs`. */
export interface BoostOverride {
  asset: string;
  pKw: number;
  untilMs: number;
}

/** What the table gives every street for one clock step. */
export interface LiveStepInputs {
  /** The end of the step (the clock's time); the step ran from `stepMinutes` earlier. */
  now: Date;
  stepMinutes: number;
  /** Index of the clock step. */
  step: number;
  homes: readonly TableHomeView[];
  prices: PriceSource;
  /** Best PV output each panel has shown (the forecast's winter sun curve scales it), kW. */
  pvBestKw: ReadonlyMap<string, number>;
  /** Boosts running, by home. */
  boosts: ReadonlyMap<string, BoostOverride>;
  /** Bumped by anything that invalidates every plan (new prices, a clock jump). */
  generation: number;
}

/** How a home's plan was made, for its decision on the wire. */
export interface PlanRecord {
  plannedAt: Date;
  planningMs: number;
  planCostGbp: number;
  /** The plan's own words, with what the table adds (an EV out driving, a failed plan). */
  explanation: string;
}

/** Planning failures, to be logged by the hub (a failed plan never stops the table). */
export type PlanFailure = (message: string) => void;

/**
 * A street under one policy. `step()` advances it by one clock step; the powers it gives each controllable
 * asset are in `assetPowerKw` afterwards.
 */
export class LivePolicyStreet {
  readonly homes: StreetHome[];
  readonly planRecords: (PlanRecord | undefined)[];
  /** Each controllable asset's power in the last step, kW (EVs, heat pumps, batteries of table homes). */
  readonly assetPowerKw = new Map<string, number>();
  /** What the agents planned for each asset in the last step, before boosts and start delays, kW. */
  readonly plannedPowerKw = new Map<string, number>();
  /**
   * Load on top of the table's in the last step, kW by plot: none but the red team's oscillating load (the
   * homes' own demand comes from their profiles, so the world gives them no base load).
   */
  readonly addedPlotPKw = new Map<string, number>();
  readonly timing = emptyTiming();
  /**
   * The plans its policy made in the last step, one a home asked (something to plan or not; a failed one not
   * counted), and their wall time where they were made (this thread or the plan thread), ms.
   */
  readonly lastStepPlans = { count: 0, planningMs: 0 };
  private readonly states: AssetStates;
  private readonly overrides: TableOverrides;
  private readonly street: Street;
  private readonly world: LiveWorld;
  /** The engine's participants, and the street's: those with the operator's red team placed among them. */
  private readonly engine: StreetParticipant[];
  private readonly participants: StreetParticipant[] = [];
  private readonly tableHomeIds: string[];
  private inputs: LiveStepInputs | undefined;
  private readonly signatures: string[] = [];
  private plannedGeneration = -1;
  private pendingPolicy: Policy | undefined;

  constructor(
    private policy: Policy,
    private readonly map: LoadedTableMap,
    private readonly network: FeederNetwork,
    homeViews: readonly TableHomeView[],
    private onFailure: PlanFailure,
    /** Where the residents' plans are made (the hub: the plan thread); default here. */
    private readonly plans?: ResidentHooks['plans'],
  ) {
    this.tableHomeIds = homeViews.map((view) => view.home);
    this.homes = homeViews.map((view, index) => ({
      index,
      spec: placeholderSpec(view),
      policy,
      state: initialHomeState(placeholderSpec(view)),
      tariff: undefined as never,
      contractStartMinute: 0,
      planSlot: 0,
      forecast: emptyForecast(HORIZON_STEPS),
      voltageIndex: 0,
      voltsLn: NOMINAL_VOLTS_LN,
      meteredImportKwh: new Float64Array(0),
      meteredExportKwh: new Float64Array(0),
    }));
    this.planRecords = this.homes.map(() => undefined);
    this.states = new AssetStates(map);
    this.world = new LiveWorld(network, () => this.current(), this.states.tripTakenKwh);
    this.overrides = new TableOverrides(this.homes, () => this.current(), this.plannedPowerKw);
    const current = () => this.current();
    const decisions: never[] = [];
    const residents = new ResidentAgents(this.homes, this.world, LIVE_VALUATION, decisions, this.timing, {
      slotOf: (frame) => this.world.planSlotOf(frame),
      replanEverySlots: 1,
      fallback: (home, error) => this.fallback(home, error),
      adopted: (home, plan, planningMs) => this.record(home, plan, planningMs),
      ...(plans ? { plans } : {}),
    });
    this.engine = [
      residents,
      { name: 'clear-decisions', step: () => decisions.splice(0) } satisfies StreetParticipant,
      this.overrides,
      new WorldInputs(this.homes, this.world),
      new HomePhysics(this.homes, this.world),
    ];
    this.street = new Street(this.homes, this.participants, {
      get stepMinutes() {
        return current().stepMinutes;
      },
      // Live, a "minute of year" is a minute since 1970: only the minute of day and the half-hour matter.
      minuteOfYear: () => Math.floor(current().now.getTime() / MINUTE_MS),
    });
    this.setRedTeam((engine) => [...engine]);
  }

  /** The operator's attacks and defences step among the engine's participants from the next step (none: off). */
  setRedTeam(place: (engine: readonly StreetParticipant[]) => StreetParticipant[]): void {
    this.participants.splice(0, this.participants.length, ...place(this.engine));
  }

  /**
   * The street's homes as the red team names them, by the table's home (the street's own ids add the assets,
   * `home-3/ev-1`); each reads through to the street's home, so its plan, policy and state are those of now.
   */
  redTeamHomes(): StreetHome[] {
    return this.homes.map(
      (home, index) =>
        new Proxy(home, {
          get: (target, key) =>
            key === 'spec'
              ? { ...target.spec, id: this.tableHomeIds[index] ?? target.spec.id }
              : Reflect.get(target, key),
        }),
    );
  }

  /** The street's forecasts, step length, clock and EV trips, as the red team's parts read them. */
  get redTeamWorld(): ForecastSource & { readonly stepMinutes: number } & TripsTaken & TableClock {
    return this.world;
  }

  /** The table's smart-charger start delays and boosts in the last step, as the red team's plan check allows for them. */
  get redTeamOverrides(): HubOverrides {
    return this.overrides;
  }

  /** The policy the street runs (a switch waits for the next half-hour). */
  get policyName(): string {
    return (this.pendingPolicy ?? this.policy).name;
  }

  /** The policy in force now (before a pending switch). */
  get runningPolicyName(): string {
    return this.policy.name;
  }

  /** Switches the street to another policy at the next planning point (the next half-hour). */
  switchPolicy(policy: Policy): void {
    this.pendingPolicy = policy;
  }

  /** Whether a pending switch takes effect in the step ending `now` (at a half-hour, or at once with no plans). */
  switchDue(now: Date, stepMinutes: number): boolean {
    if (!this.pendingPolicy) return false;
    const minute = Math.floor(now.getTime() / MINUTE_MS);
    const crossedHalfHour =
      Math.floor(minute / PLAN_STEP_MINUTES) !== Math.floor((minute - stepMinutes) / PLAN_STEP_MINUTES);
    return crossedHalfHour || !this.homes.some((home) => home.plan);
  }

  /**
   * Gives the pending policy to a new street that goes on from this one's state (EV and battery charge, indoor
   * temperatures, the smart chargers' start delays, the plans' records), as this street would after the
   * switch; this street keeps its own policy and no longer reports planning failures. The table uses it when
   * its running street has also been the running policy's shadow run and the operator's switch is due: the
   * shadow run goes on with this street, the table with the new one. `homeViews` are the table's homes now.
   */
  forkToPendingPolicy(homeViews: readonly TableHomeView[], onFailure: PlanFailure): LivePolicyStreet {
    const policy = this.pendingPolicy;
    if (!policy) throw new Error('no policy switch is pending');
    this.pendingPolicy = undefined;
    return this.fork(policy, homeViews, onFailure);
  }

  /**
   * A new street under `policy` that goes on from this one's state (as {@link forkToPendingPolicy}), with this
   * street's homes as they are (so the operator's red team can pick homes by their assets before it steps).
   */
  fork(policy: Policy, homeViews: readonly TableHomeView[], onFailure: PlanFailure): LivePolicyStreet {
    const fork = new LivePolicyStreet(policy, this.map, this.network, homeViews, onFailure, this.plans);
    this.homes.forEach((home, index) => {
      const copy = fork.homes[index] as StreetHome;
      copy.spec = home.spec;
      copy.state = { ...home.state };
      fork.signatures[index] = this.signatures[index] as string;
    });
    fork.states.copyFrom(this.states);
    fork.overrides.copyFrom(this.overrides);
    this.planRecords.forEach((record, index) => {
      fork.planRecords[index] = record;
    });
    fork.plannedGeneration = this.plannedGeneration;
    this.onFailure = () => {};
    return fork;
  }

  /** EV state of charge (this street's), %. */
  evSocPct(evId: string): number | undefined {
    const soc = this.states.evSocKwh.get(evId);
    return soc === undefined ? undefined : (100 * soc) / evSpec(this.map, evId).capacityKwh;
  }

  batterySocPct(batteryId: string): number {
    return (100 * this.states.batterySoc(batteryId)) / batterySpec(this.map, batteryId).capacityKwh;
  }

  indoorC(home: string): number {
    return this.states.indoorC.get(home) ?? INITIAL_INDOOR_C;
  }

  /** These homes plan again at the next step (new preferences, a boost started or ended). */
  forget(homeIndices: Iterable<number>): void {
    for (const index of homeIndices) {
      const home = this.homes[index];
      if (home) home.plan = undefined;
    }
  }

  /** The plan being followed by a home, if any, and the offset of the step in it. */
  planOf(homeIndex: number): Plan | undefined {
    return this.homes[homeIndex]?.plan;
  }

  /** Advances the street by one clock step (its plans made where `plans` makes them). */
  async step(inputs: LiveStepInputs): Promise<StepFrame> {
    this.inputs = inputs;
    const minute = minuteOfDay(inputs.now);
    this.states.moveEvsOnTrips(inputs.homes, minute);
    this.applyPendingPolicy(inputs.now);
    const replanAll = this.plannedGeneration !== inputs.generation;
    this.plannedGeneration = inputs.generation;
    for (const home of this.homes) this.syncHome(home, inputs.homes[home.index] as TableHomeView, replanAll);
    this.assetPowerKw.clear();
    this.plannedPowerKw.clear();
    this.lastStepPlans.count = 0;
    this.lastStepPlans.planningMs = 0;
    const frame = await this.street.stepAsync(inputs.step);
    this.addedPlotPKw.clear();
    for (const home of this.homes) {
      const view = inputs.homes[home.index] as TableHomeView;
      this.keep(home, view, frame);
      const addedKw = frame.inputs[home.index]?.baseLoadKw ?? 0;
      if (addedKw !== 0) this.addedPlotPKw.set(view.plot.plot, addedKw);
    }
    return frame;
  }

  /** Releases the policy's solvers. */
  dispose(): void {
    this.policy.dispose();
    this.pendingPolicy?.dispose();
  }

  private current(): LiveStepInputs {
    if (!this.inputs) throw new Error('the live street has not been stepped');
    return this.inputs;
  }

  private applyPendingPolicy(now: Date): void {
    if (!this.pendingPolicy || !this.switchDue(now, this.inputs?.stepMinutes ?? 0)) return;
    this.policy.dispose();
    this.policy = this.pendingPolicy;
    this.pendingPolicy = undefined;
    for (const home of this.homes) {
      home.policy = this.policy;
      home.plan = undefined;
    }
  }

  /** The home as it is now on the table: its spec when its assets change, and the states of its assets. */
  private syncHome(home: StreetHome, view: TableHomeView, replanAll: boolean): void {
    if (this.signatures[home.index] !== view.signature) {
      this.signatures[home.index] = view.signature;
      home.spec = liveSpec(view, this.map);
      home.plan = undefined;
    }
    if (replanAll) home.plan = undefined;
    home.spec.preferences = view.preferences;
    home.state.evSocKwh = view.ev ? this.states.evSoc(view.ev.asset) : 0;
    home.state.batterySocKwh = view.battery ? this.states.batterySoc(view.battery.asset) : 0;
    home.state.indoorC = this.states.indoorC.get(view.home) ?? INITIAL_INDOOR_C;
  }

  /** Keeps what the step did to the home's assets. */
  private keep(home: StreetHome, view: TableHomeView, frame: StepFrame): void {
    const result = frame.results[home.index];
    if (!result) return;
    if (view.ev) {
      this.states.evSocKwh.set(view.ev.asset, home.state.evSocKwh);
      this.assetPowerKw.set(view.ev.asset, view.evHome ? result.evKw : 0);
    }
    if (view.battery) {
      this.states.batterySocKwh.set(view.battery.asset, home.state.batterySocKwh);
      this.assetPowerKw.set(view.battery.asset, result.batteryKw);
    }
    if (view.heatPump) {
      this.states.indoorC.set(view.home, home.state.indoorC);
      this.assetPowerKw.set(view.heatPump.asset, result.heatPumpKw);
    }
  }

  private record(home: StreetHome, plan: Plan, planningMs: number): void {
    const view = this.current().homes[home.index] as TableHomeView;
    const forecast = home.forecast;
    const nothing = !view.ev && !view.heatPump && !view.battery;
    const failed = this.failedNow.get(home.index);
    this.failedNow.delete(home.index);
    if (!failed) {
      this.lastStepPlans.count += 1;
      this.lastStepPlans.planningMs += planningMs;
    }
    const words =
      plan.explanation ?? explainPlan(this.planContext(home), withImport(plan, forecast), HORIZON_STEPS);
    const away =
      view.ev && forecast.evAtHome[0] === 0
        ? `${view.ev.asset} is out driving until ${formatClock(evBackMinute(view.preferences.evReadyByMinute))}; `
        : '';
    this.planRecords[home.index] = {
      plannedAt: this.current().now,
      planningMs: nothing || failed ? 0 : planningMs,
      planCostGbp: planCost(plan, forecast, PLAN_STEP_MINUTES / 60),
      explanation: nothing
        ? `nothing to plan: no EV, heat pump or battery on ${view.plot.plot}`
        : (failed ?? `${away}${words}`),
    };
    // The LP's result arrays are reused by its next solve; a plan followed for a while needs its own copy.
    home.plan = copyPlan(plan);
  }

  private readonly failedNow = new Map<number, string>();

  private planContext(home: StreetHome): PlanContext {
    return {
      home: home.spec,
      state: home.state,
      step: 0,
      dtHours: PLAN_STEP_MINUTES / 60,
      horizonSteps: HORIZON_STEPS,
      forecast: home.forecast,
      valuation: LIVE_VALUATION,
    };
  }

  /**
   * When planning fails (it should not; a solver error must not stop the table) the home runs without a plan
   * until the next half-hour: the EV charges at full power while home, the heat pump holds the comfort
   * minimum, the battery rests.
   */
  private fallback(home: StreetHome, error: Error): Plan {
    const view = this.current().homes[home.index] as TableHomeView;
    this.onFailure(
      `${view.home}: planning failed (${error.message}); running without a plan until the next half-hour`,
    );
    this.failedNow.set(
      home.index,
      `planning failed (${error.message}): EV at full power while home, heat pump holding ${home.spec.preferences.comfortMinC} °C, battery resting`,
    );
    return fallbackPlan(home, home.forecast);
  }
}

/** What the table does between the agents' plans and the homes' physics: boosts and smart-charger delays. */
class TableOverrides implements StreetParticipant, HubOverrides {
  readonly name = 'table-overrides';
  /** Whether each EV's plan had it charging last step, and when its current randomised start delay ends. */
  private readonly evWasPlannedToCharge = new Map<string, boolean>();
  private readonly evStartDelayUntilMs = new Map<string, number>();
  /** The share of the step each home's EV charger ran in this step (0 while away or delayed), by home index. */
  private readonly evShares: number[] = [];

  constructor(
    private readonly homes: readonly StreetHome[],
    private readonly inputs: () => LiveStepInputs,
    private readonly planned: Map<string, number>,
  ) {}

  /** Takes over another street's start delays (a street that goes on from it). */
  copyFrom(other: TableOverrides): void {
    copyInto(other.evWasPlannedToCharge, this.evWasPlannedToCharge);
    copyInto(other.evStartDelayUntilMs, this.evStartDelayUntilMs);
  }

  step(frame: StepFrame): void {
    const inputs = this.inputs();
    for (const home of this.homes) {
      const view = inputs.homes[home.index] as TableHomeView;
      const setpoints = frame.setpoints[home.index];
      if (!setpoints) continue;
      const boost = inputs.boosts.get(view.home);
      this.evShares[home.index] = 1;
      if (view.ev) {
        const plannedKw = view.evHome ? setpoints.evKw : 0;
        this.planned.set(view.ev.asset, plannedKw);
        const share = this.startShare(view.ev.asset, plannedKw, inputs);
        this.evShares[home.index] = view.evHome ? share : 0;
        setpoints.evKw = boost?.asset === view.ev.asset ? boost.pKw : Math.max(0, plannedKw) * share;
      }
      if (view.heatPump) {
        this.planned.set(view.heatPump.asset, setpoints.heatPumpKw);
        if (boost?.asset === view.heatPump.asset) setpoints.heatPumpKw = boost.pKw;
      }
      if (view.battery) this.planned.set(view.battery.asset, setpoints.batteryKw);
    }
  }

  /**
   * What `proposed` becomes under this step's boost and start delay: a resident's boost runs its asset at
   * the boost's power, an EV charger runs its share of the step (none while the EV is away).
   */
  applied(home: StreetHome, proposed: HomeSetpoints): HomeSetpoints {
    const inputs = this.inputs();
    const view = inputs.homes[home.index] as TableHomeView;
    const boost = inputs.boosts.get(view.home);
    const share = this.evShares[home.index] ?? 1;
    return {
      batteryKw: proposed.batteryKw,
      evKw: boost && boost.asset === view.ev?.asset ? boost.pKw : Math.max(0, proposed.evKw) * share,
      heatPumpKw: boost && boost.asset === view.heatPump?.asset ? boost.pKw : proposed.heatPumpKw,
    };
  }

  /**
   * A smart charger starts each charging block after a random delay of up to the regulator's limit (GB smart
   * charge point rules), so a street of EVs does not switch on at the same instant when a cheap band opens.
   * Returns the share of the step ending `now` the charger runs: none while the delay lasts, a part in the
   * step where it ends, all of it otherwise (and when told not to charge, which delays nothing).
   */
  private startShare(evId: string, plannedKw: number, inputs: LiveStepInputs): number {
    const stepMs = inputs.stepMinutes * MINUTE_MS;
    const stepStartMs = inputs.now.getTime() - stepMs;
    const maxDelayMinutes = inputs.prices.rules.randomisedStartDelayMinutes;
    const wasCharging = this.evWasPlannedToCharge.get(evId) ?? false;
    this.evWasPlannedToCharge.set(evId, plannedKw > 0);
    if (plannedKw <= 0) {
      this.evStartDelayUntilMs.delete(evId);
      return 1;
    }
    if (!wasCharging && maxDelayMinutes > 0) {
      const delayMinutes = createRng(START_DELAY_SEED)
        .fork(`${evId}/${stepStartMs}`)
        .int(maxDelayMinutes + 1);
      this.evStartDelayUntilMs.set(evId, stepStartMs + delayMinutes * MINUTE_MS);
    }
    const untilMs = this.evStartDelayUntilMs.get(evId) ?? stepStartMs;
    return Math.min(1, Math.max(0, (inputs.now.getTime() - untilMs) / stepMs));
  }
}

/**
 * The table's world as the engine reads it: forecasts from the table's winter day, the prices in force and
 * the panels' measured output; inputs for the homes' physics. The feeder carries the homes' own demand
 * (their load profiles) and the boards report their PV, so a home's step covers only what its agent
 * controls.
 */
class LiveWorld implements ForecastSource, InputSource, TableClock {
  readonly planStepMinutes = PLAN_STEP_MINUTES;

  /** The half-hour the step falls in (live, a "minute of year" counts from 1970: see the street's clock). */
  planSlotOf(frame: StepFrame): number {
    return Math.floor(frame.minuteOfYear / PLAN_STEP_MINUTES);
  }

  /** The table's clock at the step (its end, as the street's clock counts it), "2026-01-16 00:30". */
  labelOf(frame: StepFrame): string {
    return new Date(frame.minuteOfYear * MINUTE_MS).toISOString().slice(0, 16).replace('T', ' ');
  }

  get stepMinutes(): number {
    return this.inputs().stepMinutes;
  }

  constructor(
    private readonly network: FeederNetwork,
    private readonly inputs: () => LiveStepInputs,
    private readonly tripsKwh: ReadonlyMap<string, number>,
  ) {}

  fillForecast(home: StreetHome, _slot: number, horizonSteps: number): void {
    const inputs = this.inputs();
    const view = inputs.homes[home.index] as TableHomeView;
    const forecast = homeForecast({
      network: this.network,
      ...(view.plot.baseLoad === undefined ? {} : { baseLoad: view.plot.baseLoad }),
      start: inputs.now,
      stepMinutes: PLAN_STEP_MINUTES,
      steps: horizonSteps,
      prices: inputs.prices,
      home: view.home,
      pvNowKw: view.pvs.reduce((sum, pv) => sum - Math.min(0, pv.pKw), 0),
      pvBestKw: view.pvs.reduce((sum, pv) => sum + (inputs.pvBestKw.get(pv.asset) ?? 0), 0),
      evReadyByMinute: view.ev ? view.preferences.evReadyByMinute : null,
      ...(view.pinned ? { pinned: pinnedReadings(view.pinned) } : {}),
    });
    copyForecast(forecast, home.forecast, horizonSteps);
  }

  stepInputs(home: StreetHome): HomeStepInputs {
    const inputs = this.inputs();
    const view = inputs.homes[home.index] as TableHomeView;
    return {
      dtHours: inputs.stepMinutes / 60,
      baseLoadKw: 0,
      irradianceWPerM2: 0,
      outdoorC: outdoorC(minuteOfDay(inputs.now)),
      voltsLn: home.voltsLn,
      evAtHome: view.evHome,
      evTripKwh: 0,
    };
  }

  /** Trips are taken by each EV as it leaves (./live-street.ts AssetStates), wherever it is on the table. */
  evTripKwh(): number {
    return 0;
  }

  /** The charge the home's EV lost as it left in this step (the red team's telemetry check allows for it). */
  tripTakenKwh(home: StreetHome): number {
    const ev = this.inputs().homes[home.index]?.ev;
    return ev ? (this.tripsKwh.get(ev.asset) ?? 0) : 0;
  }
}

/** Each asset's state in one street: EVs and batteries carry their charge with them between plots. */
class AssetStates {
  readonly evSocKwh = new Map<string, number>();
  private readonly evWasAway = new Map<string, boolean>();
  readonly batterySocKwh = new Map<string, number>();
  readonly indoorC = new Map<string, number>();
  /** The charge each EV lost to the trip it set off on in this step, kWh. */
  readonly tripTakenKwh = new Map<string, number>();

  constructor(private readonly map: LoadedTableMap) {}

  /** Takes over another street's asset states (a street that goes on from it). */
  copyFrom(other: AssetStates): void {
    copyInto(other.evSocKwh, this.evSocKwh);
    copyInto(other.evWasAway, this.evWasAway);
    copyInto(other.batterySocKwh, this.batterySocKwh);
    copyInto(other.indoorC, this.indoorC);
  }

  evSoc(evId: string): number {
    let soc = this.evSocKwh.get(evId);
    if (soc === undefined) {
      soc =
        (evSpec(this.map, evId).capacityKwh * initialSocPct(this.map, evId, EV_DEFAULTS.initialSocPct)) / 100;
      this.evSocKwh.set(evId, soc);
    }
    return soc;
  }

  batterySoc(batteryId: string): number {
    let soc = this.batterySocKwh.get(batteryId);
    if (soc === undefined) {
      soc =
        (batterySpec(this.map, batteryId).capacityKwh *
          initialSocPct(this.map, batteryId, DEFAULT_BATTERY.initialSocPct)) /
        100;
      this.batterySocKwh.set(batteryId, soc);
    }
    return soc;
  }

  /** Sets off EVs whose resident's ready-by time has come (the trip empties part of the battery). */
  moveEvsOnTrips(homes: readonly TableHomeView[], minute: number): void {
    this.tripTakenKwh.clear();
    for (const view of homes) {
      if (!view.ev) continue;
      const evId = view.ev.asset;
      const away = evAway(view.preferences.evReadyByMinute, minute);
      const soc = this.evSoc(evId);
      if (away && this.evWasAway.get(evId) === false) {
        const leftKwh = Math.max(0, soc - EV_TRIP.tripKwh);
        this.evSocKwh.set(evId, leftKwh);
        this.tripTakenKwh.set(evId, soc - leftKwh);
      }
      this.evWasAway.set(evId, away);
    }
  }
}

/** A home's spec from the assets on its plot (the LP of a home is cached by its id: one per composition). */
function liveSpec(view: TableHomeView, map: LoadedTableMap): HomeSpec {
  const { ev, heatPump, battery } = view;
  return {
    id: `${view.home}/${[ev?.asset, heatPump?.asset, battery?.asset].filter(Boolean).join('+')}`,
    bus: view.plot.bus,
    phase: view.plot.phase,
    baseLoadPowerFactor: 0.95,
    ...(ev ? { ev: { ...evSpec(map, ev.asset), initialSocPct: 0 } } : {}),
    ...(battery ? { battery: { ...batterySpec(map, battery.asset), initialSocPct: 0 } } : {}),
    ...(heatPump
      ? { heatPump: { ...DEFAULT_HEAT_PUMP, thermal: heatPumpThermal(), initialIndoorC: INITIAL_INDOOR_C } }
      : {}),
    preferences: view.preferences,
  };
}

function placeholderSpec(view: TableHomeView): HomeSpec {
  return {
    id: view.home,
    bus: view.plot.bus,
    phase: view.plot.phase,
    baseLoadPowerFactor: 0.95,
    preferences: view.preferences,
  };
}

function fallbackPlan(home: StreetHome, forecast: HomeForecast): Plan {
  const { spec } = home;
  const dtHours = PLAN_STEP_MINUTES / 60;
  const evKw = new Float64Array(HORIZON_STEPS);
  const heatPumpKw = new Float64Array(HORIZON_STEPS);
  let indoor = home.state.indoorC;
  for (let t = 0; t < HORIZON_STEPS; t++) {
    if (spec.ev && forecast.evAtHome[t] === 1) evKw[t] = spec.ev.maxChargeKw;
    if (spec.heatPump) {
      const outdoor = forecast.outdoorC[t] ?? 0;
      const pump = spec.heatPump;
      const heatKw = Math.max(
        0,
        heatToReachKw(pump.thermal, indoor, outdoor, spec.preferences.comfortMinC, dtHours),
      );
      const electricKw = Math.min(pump.maxElectricKw, heatKw / heatPumpCop(pump, outdoor));
      heatPumpKw[t] = electricKw;
      indoor = nextIndoorC(pump.thermal, indoor, outdoor, electricKw * heatPumpCop(pump, outdoor), dtHours);
    }
  }
  return { batteryKw: new Float64Array(HORIZON_STEPS), evKw, heatPumpKw, cannotKeep: [] };
}

/** A plan with the grid import it leads to under the forecast (fleet plans carry no LP solution to explain). */
function withImport(plan: Plan, forecast: HomeForecast): ExplainedPlan {
  const importKw = Float64Array.from(plan.evKw, (_evKw, t) => Math.max(0, netKw(plan, forecast, t)));
  return { ...plan, importKw };
}

/** The home's net power at step t of its plan under the forecast, kW (negative = export). */
function netKw(plan: Plan, forecast: HomeForecast, t: number): number {
  return (
    (forecast.baseLoadKw[t] ?? 0) -
    (forecast.pvAvailableKw[t] ?? 0) +
    (plan.evKw[t] ?? 0) +
    (plan.heatPumpKw[t] ?? 0) +
    (plan.batteryKw[t] ?? 0)
  );
}

/** The plan's cost over its horizon: imports at the import price less exports at the export price. */
export function planCost(plan: Plan, forecast: HomeForecast, dtHours: number): number {
  let total = 0;
  for (let t = 0; t < plan.evKw.length; t++) {
    const kw = netKw(plan, forecast, t);
    total +=
      kw > 0
        ? kw * dtHours * (forecast.importPriceGbpPerKwh[t] ?? 0)
        : kw * dtHours * (forecast.exportPriceGbpPerKwh[t] ?? 0);
  }
  return total;
}

function copyPlan(plan: Plan): Plan {
  return {
    batteryKw: Float64Array.from(plan.batteryKw),
    evKw: Float64Array.from(plan.evKw),
    heatPumpKw: Float64Array.from(plan.heatPumpKw),
    ...(plan.explanation === undefined ? {} : { explanation: plan.explanation }),
    cannotKeep: [...plan.cannotKeep],
  };
}

function copyInto<K, V>(from: ReadonlyMap<K, V>, to: Map<K, V>): void {
  for (const [key, value] of from) to.set(key, value);
}

function copyForecast(from: HomeForecast, to: HomeForecast, steps: number): void {
  for (const key of Object.keys(from) as (keyof HomeForecast)[]) {
    (to[key] as Float64Array).set((from[key] as Float64Array).subarray(0, steps));
  }
}

export function minuteOfDay(time: Date): number {
  return time.getUTCHours() * 60 + time.getUTCMinutes();
}

/** A home's pinned figures as its forecast reads them: PV output as the power available (≥ 0). */
function pinnedReadings(pinned: PinnedFigures): { pvKw?: number; baseLoadKw?: number } {
  return {
    ...(pinned.pvPKw === undefined ? {} : { pvKw: -Math.min(0, pinned.pvPKw) }),
    ...(pinned.baseLoadPKw === undefined ? {} : { baseLoadKw: pinned.baseLoadPKw }),
  };
}
