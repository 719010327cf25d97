import type { Highs } from 'highs';
import type { VoltageSensitivity } from '../feeder/index.js';
import { baseLoadQKvar, type HomeSpec } from '../homes/index.js';
import {
  type AnswerRound,
  type CoordinatorChannel,
  coordinateByPrices,
  findNashEquilibrium,
  type HomeResponse,
  type PriceCoordinationOptions,
  type PriceCoordinationResult,
  type RespondToPrices,
  type SharedLimit,
} from './coordination.js';
import type { HomeLpSolution } from './home-lp.js';
import { HomeLpThreads, type HomeLpThreadsOptions } from './home-lp-threads.js';
import { JointLp, type JointLpResult, type LpBlock } from './joint-lp.js';
import type { ActiveRow } from './master-lp.js';
import { NetworkPriceMemory } from './network-price-memory.js';
import { PaidPeak } from './paid-peak.js';
import type { LookAheadPlan, Plan, PlanContext, Policy, TariffChoice } from './policy.js';
import { planningWindow } from './policy-definition.js';
import {
  type InverterResponse,
  inverterResponses,
  ROW_VIOLATION_GBP_PER_UNIT,
  VOLTAGE_MARGIN_VOLTS,
  voltageLimits,
} from './voltage-rows.js';

/** What a fleet policy needs of one home's optimisation problem (HomeLp provides it). */
export interface HomeProblem {
  solve(context: PlanContext): HomeLpSolution;
  /** Solves `context` with a coordinator's extra net import prices; asked again for the same context, it may update only the costs. */
  solvePriced(context: PlanContext, extraNetImportPriceGbpPerKwh: Float64Array): HomeLpSolution;
  /** The home's LP as arrays, for a joint problem. */
  block(context: PlanContext): LpBlock;
  /** Reads the home's solution from its block's column values. */
  solutionFrom(columnValues: Float64Array, objectiveGbp: number): HomeLpSolution;
  dispose(): void;
}

/** The street as the coordinating policies see it. */
export interface NetworkView {
  /** Largest net import of the whole street, kW (the transformer's rating, or a design limit). */
  transformerLimitKw: number;
  /**
   * Linearised voltage at each home's bus-phase: one sensitivity row and one load per home of the street.
   * `homeIds` names the model's loads in order; a fleet that is only some of the street's homes (the others
   * passive, say) plans against its own columns, the others held at the model's base load. Without
   * `homeIds` the fleet must be every load, in order. Undefined to leave voltage out.
   */
  voltage?: { model: VoltageSensitivity; minVolts: number; maxVolts?: number; homeIds?: readonly string[] };
  /** Cable phases' ratings on the summed net import or export of the homes each carries. */
  cables?: readonly CableLimit[];
  /** The street's losses by the full power flow, to hold the transformer limit at a plan's own losses. */
  losses?: StreetLosses;
}

/**
 * The line and transformer losses of the street by the full power flow. `transformerLimitKw` leaves room for
 * `allowanceKw` of them (those of an even load at the limit), but a plan's losses depend on which homes draw
 * and their reactive power: on 2 IEEE 70 % days central's plans at the limit lost 3.4–4.3 kW against an
 * allowance of 2.8 kW, and took the transformer 0.45 kW over its limit.
 */
export interface StreetLosses {
  /** The losses the limit leaves room for, kW. */
  allowanceKw: number;
  /**
   * What the limit keeps below the transformer's rating besides the allowance (the operating margin), kW: a plan
   * takes the transformer over its rating where its losses exceed the allowance by more than this and what it
   * leaves of the limit.
   */
  marginKw: number;
  /** The homes `lossesKw` takes, in order; a home of the street not in the fleet draws nothing there. */
  homeIds: readonly string[];
  /** Losses with the homes at `pKw` and `qKvar` (in `homeIds` order), kW; the allowance where the flow fails. */
  lossesKw(pKw: Float64Array, qKvar: Float64Array): number;
}

/** One cable phase's rating as a limit on the summed net import (or export) of the homes it carries. */
export interface CableLimit {
  /** e.g. "cable LINE1 phase A (281 A)". */
  name: string;
  /** The homes downstream of the cable on that phase. */
  homeIds: readonly string[];
  /** Their summed net import or export at the rating, kW. */
  ratingKw: number;
  /** Whether their imports, and their exports, could reach the rating (only those rows are planned). */
  limitsImport: boolean;
  limitsExport: boolean;
}

/** Running figures of a fleet policy over a run, for reports. */
export interface FleetReport {
  windows: number;
  /** Messages between homes and coordinator (cooperative) or best-response rounds × homes (Nash). */
  messages: number;
  /** Largest shared-limit violation left in any window, in the limit's units (kW or V). */
  maxViolation: number;
  /** Central and cooperative: windows whose plans left a network row broken by more than {@link ROW_TOLERANCE}. */
  windowsBreakingLimits: number;
  /** Cooperative: windows in which a broken row could not join the master, which had reached its nonzero budget. */
  windowsAtRowBudget: number;
  /**
   * Central and cooperative: windows whose plan, made again as often as it may, kept the rows it was made under
   * but still broke one at its own reactive power.
   */
  windowsOutOfReactivePasses: number;
  /** Cooperative: the largest duality gap a window's coordination ended with, £ (Infinity: a window got no bound). */
  maxGapGbp: number;
  /** Nash: windows whose best-response iteration converged, and that cycled. */
  convergedWindows: number;
  cycledWindows: number;
  /** Rounds (cooperative), sweeps (Nash) or joint LP solves (central) summed over windows. */
  iterations: number;
  /**
   * Central: the joint LP solves made again because a plan broke a row the LP did not keep yet (constraint
   * generation), summed over windows: what starting a window with the last one's broken rows spares.
   */
  rowSearchSolves: number;
}

/** A network row broken by at most this (kW or V) counts as kept: LP round-off. */
export const ROW_TOLERANCE = 0.01;

/** Opens a new exchange between a coordinator and the fleet's homes over the Street's links. */
export type OpenCoordinatorChannel = () => CoordinatorChannel;

/** A policy that plans every home at once. The runner calls `planFleet` instead of `plan` for it. */
export interface FleetPolicy extends Policy {
  /** `openChannel`: what a coordinator's messages cross (default: they arrive at once). */
  planFleet(contexts: readonly PlanContext[], openChannel?: OpenCoordinatorChannel): Plan[];
  readonly report: FleetReport;
}

export function isFleetPolicy(policy: Policy): policy is FleetPolicy {
  return typeof (policy as Partial<FleetPolicy>).planFleet === 'function';
}

/** Options shared by the fleet policies. */
export interface FleetPolicyOptions {
  horizonSteps?: number;
  replanEverySteps?: number;
  /**
   * Start each window from the last one's answer (cooperative and central: the network rows it broke;
   * cooperative: its final prices). Default true; false plans every window cold, to check that the warm start
   * only saves time.
   */
  warmStart?: boolean;
  /**
   * Cooperative: helper threads that solve some homes' LPs of each coordination round while this thread
   * solves the others (./home-lp-threads.ts; the helpers build each home's HomeLp, so `problems` must make
   * HomeLps). The plans are the same with any number. Default 0: every home in this thread.
   */
  homeLpThreads?: number;
  /** The helpers' module, how long a round waits for them and where a failure is logged (defaults: see HomeLpThreadsOptions). */
  homeLpThreadOptions?: HomeLpThreadsOptions;
  /** Cooperative: nonzeros the coordinator's master may reach in a window (default: MASTER_NONZERO_BUDGET). */
  masterNonzeroBudget?: number;
  /** Plan steps the paid-for street peak lasts, from plan step 0 (see ./paid-peak.ts). Default: the whole run. */
  peakPeriodSteps?: number;
}

function planFromSolution(solution: HomeLpSolution): Plan {
  return {
    batteryKw: Float64Array.from(solution.batteryKw),
    evKw: Float64Array.from(solution.evKw),
    heatPumpKw: Float64Array.from(solution.heatPumpKw),
    cannotKeep: [],
  };
}

/**
 * A home's LP solution as an answer to the coordinator. Its own cost leaves out the extra prices the
 * coordinator added, which are signals, not money the home pays.
 */
function responseOf(
  solution: HomeLpSolution,
  extraNetImportPriceGbpPerKwh: Float64Array,
  dtHours: number,
): HomeResponse {
  const netImportKw = Float64Array.from(solution.importKw, (kw, t) => kw - (solution.exportKw[t] as number));
  let signalGbp = 0;
  netImportKw.forEach((kw, t) => {
    signalGbp += (extraNetImportPriceGbpPerKwh[t] ?? 0) * kw * dtHours;
  });
  return {
    netImportKw,
    decisions: [
      Float64Array.from(solution.batteryKw),
      Float64Array.from(solution.evKw),
      Float64Array.from(solution.heatPumpKw),
    ],
    ownCostGbp: solution.objectiveGbp - signalGbp,
  };
}

/** Whether the home has anything to shift (battery, EV or heat pump): without, it answers the same at any price. */
function hasDevices({ home }: PlanContext): boolean {
  return !!(home.battery || home.ev || home.heatPump);
}

function planFromResponse(response: HomeResponse): Plan {
  const [batteryKw, evKw, heatPumpKw] = response.decisions as [Float64Array, Float64Array, Float64Array];
  return { batteryKw, evKw, heatPumpKw, cannotKeep: [] };
}

/**
 * The cables' rows as shared limits over the fleet's homes: Σ_m net_m ≤ rating (imports) and
 * −Σ_m net_m ≤ rating (exports) for the homes downstream of each cable phase, every step.
 */
function cableLimitRows(view: NetworkView, steps: number, contexts: readonly PlanContext[]): SharedLimit[] {
  const fleetIndex = new Map(contexts.map(({ home }, m) => [home.id, m]));
  return (view.cables ?? []).flatMap((cable) => {
    const row = (sign: number, direction: string): SharedLimit => {
      const coefficientByHome = new Float64Array(contexts.length);
      for (const id of cable.homeIds) {
        const m = fleetIndex.get(id);
        if (m !== undefined) coefficientByHome[m] = sign;
      }
      const upperByStep = new Float64Array(steps).fill(cable.ratingKw);
      return { name: `${cable.name} ${direction}`, coefficientByHome, upperByStep };
    };
    return [
      ...(cable.limitsImport ? [row(1, 'import')] : []),
      ...(cable.limitsExport ? [row(-1, 'export')] : []),
    ];
  });
}

abstract class FleetPolicyBase implements FleetPolicy {
  abstract readonly name: string;
  readonly horizonSteps: number;
  readonly replanEverySteps: number;
  protected readonly warmStart: boolean;
  readonly tariffChoice: TariffChoice = 'resident';
  readonly report: FleetReport = {
    windows: 0,
    messages: 0,
    maxViolation: 0,
    windowsBreakingLimits: 0,
    windowsAtRowBudget: 0,
    windowsOutOfReactivePasses: 0,
    maxGapGbp: 0,
    convergedWindows: 0,
    cycledWindows: 0,
    iterations: 0,
    rowSearchSolves: 0,
  };
  private readonly problems = new Map<string, HomeProblem>();
  /** Each home's problems over a tariff review's look-aheads (longer than a plan's), by home and length. */
  private readonly lookAheadProblems = new Map<string, HomeProblem>();

  constructor(
    private readonly problemFactory: (home: HomeSpec, horizonSteps: number) => HomeProblem,
    protected readonly view: NetworkView,
    options: FleetPolicyOptions,
  ) {
    const planWindow = planningWindow(options);
    this.horizonSteps = planWindow.horizonSteps;
    this.replanEverySteps = planWindow.replanEverySteps;
    this.warmStart = options.warmStart ?? true;
  }

  plan(context: PlanContext): Plan {
    return this.planFleet([context])[0] as Plan;
  }

  abstract planFleet(contexts: readonly PlanContext[], openChannel?: OpenCoordinatorChannel): Plan[];

  /** The home alone over a review's look-ahead, by this policy's objective (the street left out). */
  planAlone(context: PlanContext): LookAheadPlan {
    const { home, horizonSteps } = context;
    const key = `${home.id}/${horizonSteps}`;
    let problem = this.lookAheadProblems.get(key);
    if (!problem) {
      problem = this.problemFactory(home, horizonSteps);
      this.lookAheadProblems.set(key, problem);
    }
    const objective = this.objectiveContext(context);
    // Planned at the network's expected prices, as the home's coordinated plans will be: a tariff whose cheap
    // hours load the binding hours pays for them, less what shifting away from them saves.
    const networkPrices = this.expectedNetworkPrices(context.home.id, context.step, horizonSteps);
    const signals = networkPrices ? { extraNetImportPriceGbpPerKwh: networkPrices } : undefined;
    const { importKw, exportKw } = problem.solve(signals ? { ...objective, signals } : objective);
    let networkGbp = 0;
    if (networkPrices) {
      importKw.forEach((kw, t) => {
        networkGbp += (networkPrices[t] as number) * (kw - (exportKw[t] as number)) * context.dtHours;
      });
    }
    return {
      importKw,
      exportKw,
      weights: objective.home.preferences.weights,
      valuation: objective.valuation,
      networkGbp,
    };
  }

  /** A home's expected network prices over a review's look-ahead, £/kWh per step; none for a policy that ignores the network. */
  expectedNetworkPrices(_homeId: string, _fromStep: number, _steps: number): Float64Array | undefined {
    return undefined;
  }

  /** The context as this policy's objective sees it: by default the resident's own. */
  protected objectiveContext(context: PlanContext): PlanContext {
    return context;
  }

  /**
   * Each home's answer to extra net import prices: its own LP. A home with nothing to shift (no battery, EV or
   * heat pump) answers the same at any price, so its LP runs once per window.
   */
  protected responders(contexts: readonly PlanContext[]): RespondToPrices[] {
    const dtHours = contexts[0]?.dtHours ?? 0.5;
    return contexts.map((planned) => {
      // This window's own object: a caller may reuse its context (and refill the forecast buffers) next
      // window, and the home's LP prices again without reassembling only while asked about the same object.
      const context = { ...planned };
      const fixed = !hasDevices(context);
      let fixedAnswer: HomeResponse | undefined;
      return (extraNetImportPriceGbpPerKwh: Float64Array) => {
        if (fixedAnswer) return fixedAnswer;
        // Made on first use: a home a helper thread solves has its LP there.
        const problem = this.problemFor(context.home);
        const answer = responseOf(
          problem.solvePriced(context, extraNetImportPriceGbpPerKwh),
          extraNetImportPriceGbpPerKwh,
          dtHours,
        );
        if (fixed) fixedAnswer = answer;
        return answer;
      };
    });
  }

  protected problemFor(home: HomeSpec): HomeProblem {
    let problem = this.problems.get(home.id);
    if (!problem) {
      problem = this.problemFactory(home, this.horizonSteps);
      this.problems.set(home.id, problem);
    }
    return problem;
  }

  dispose(): void {
    for (const problem of this.problems.values()) problem.dispose();
    for (const problem of this.lookAheadProblems.values()) problem.dispose();
    this.problems.clear();
    this.lookAheadProblems.clear();
  }
}

/**
 * A fleet policy that shares the street's headroom. Headroom up to a peak the street has already drawn in the
 * period (./paid-peak.ts) is paid for, so only a new peak costs reinforcement: the limit each step plans
 * against is the larger of the street limit and the period's peak so far.
 */
abstract class HeadroomPolicyBase extends FleetPolicyBase {
  private readonly paidPeak: PaidPeak;
  /** The network prices each home's executed steps were planned at (created at the first window). */
  private networkPrices: NetworkPriceMemory | undefined;
  /** Each home's PV inverter answer (Volt-VAr, Volt-Watt) to the last window's plan: the next one's guess. */
  private readonly lastInverters = new Map<string, InverterResponse>();

  constructor(
    protected readonly highs: Highs,
    problemFactory: (home: HomeSpec, horizonSteps: number) => HomeProblem,
    view: NetworkView,
    options: FleetPolicyOptions,
  ) {
    super(problemFactory, view, options);
    this.paidPeak = new PaidPeak(options.peakPeriodSteps);
  }

  /** The street import each step of this window may reach without new reinforcement, kW. */
  protected streetUpperKw(contexts: readonly PlanContext[]): Float64Array {
    return this.paidPeak.upperByStep(this.view.transformerLimitKw, contexts[0]?.step ?? 0, this.horizonSteps);
  }

  /** Records the network prices (£/kWh per home and step) of the steps that will run before the next plan. */
  protected recordNetworkPrices(
    contexts: readonly PlanContext[],
    pricesGbpPerKwh: readonly Float64Array[],
  ): void {
    const first = contexts[0];
    if (!first) return;
    this.networkPrices ??= new NetworkPriceMemory(Math.round(24 / first.dtHours));
    const executedSteps = Math.min(this.replanEverySteps, this.horizonSteps);
    contexts.forEach(({ home, step }, h) => {
      this.networkPrices?.record(home.id, step, pricesGbpPerKwh[h] as Float64Array, executedSteps);
    });
  }

  override expectedNetworkPrices(homeId: string, fromStep: number, steps: number): Float64Array | undefined {
    return this.networkPrices?.expected(homeId, fromStep, steps);
  }

  /**
   * The network rows (voltage, cables) of the window, with the homes' PV inverters answering as `inverters`
   * and the voltages VOLTAGE_MARGIN_VOLTS inside the band.
   */
  protected networkRows(
    contexts: readonly PlanContext[],
    inverters: readonly (InverterResponse | undefined)[] | undefined,
  ): SharedLimit[] {
    return [
      ...voltageLimits(this.view, this.horizonSteps, contexts, inverters, VOLTAGE_MARGIN_VOLTS),
      ...cableLimitRows(this.view, this.horizonSteps, contexts),
    ];
  }

  /** The last window's inverter figures moved to this window as its prices are (shiftedWindow); none cold. */
  protected inverterGuess(contexts: readonly PlanContext[]): (InverterResponse | undefined)[] {
    const stepsPerDay = Math.round(24 / (contexts[0]?.dtHours ?? 0.5));
    const shifted = (series: Float64Array) => shiftedWindow(series, this.replanEverySteps, stepsPerDay);
    return contexts.map(({ home }) => {
      const last = this.lastInverters.get(home.id);
      return last && { kvar: shifted(last.kvar), curtailedKw: shifted(last.curtailedKw) };
    });
  }

  /**
   * The network rows at the plan `netImportKw`'s own inverter answer: its PV inverters' Volt-VAr and Volt-Watt
   * answer to the voltages it brings (./voltage-rows.ts), remembered as the next window's guess. Rows made
   * with a guess are volts off where the plan moves the inverters, so a plan is checked against these and made
   * again while it breaks them. First among them, the street limit `street` (as planned so far: `planned`) at
   * the plan's own losses (streetAtPlan).
   */
  protected rowsAtPlan(
    contexts: readonly PlanContext[],
    netImportKw: readonly Float64Array[],
    guess: readonly (InverterResponse | undefined)[],
    street: SharedLimit,
    planned: SharedLimit,
  ): SharedLimit[] {
    const inverters = this.invertersAtPlan(contexts, netImportKw, guess);
    return [
      this.streetAtPlan(contexts, netImportKw, inverters, street, planned),
      ...this.networkRows(contexts, inverters),
    ];
  }

  /**
   * `planned` (the street limit `street` as planned so far), lowered to the street limit at the plan's own
   * losses (transformerAtPlan) at the steps where the plan takes the transformer over its rating by the full
   * power flow. Only there: at the limit most plans lose more than the allowance, but within the operating
   * margin, and a pass for each would cost rounds for nothing the transformer sees; lowered at every step as
   * central's is, the 7 summer days of the IEEE 70 % street went from 990 to 2,550 bus-minutes outside the band
   * (1,260 so).
   */
  private streetAtPlan(
    contexts: readonly PlanContext[],
    netImportKw: readonly Float64Array[],
    inverters: readonly InverterResponse[] | undefined,
    street: SharedLimit,
    planned: SharedLimit,
  ): SharedLimit {
    const margin = this.view.losses?.marginKw;
    if (margin === undefined) return planned;
    const atLosses = this.transformerAtPlan(contexts, netImportKw, inverters, street.upperByStep);
    const own = { ...street, upperByStep: atLosses };
    if (violationOf(own, netImportKw) <= margin + ROW_TOLERANCE) return planned;
    const upperByStep = atLosses.map((kw, t) => {
      const streetKw = netImportKw.reduce((sum, net) => sum + (net[t] as number), 0);
      const over = streetKw - kw > margin + ROW_TOLERANCE;
      return over ? Math.min(kw, planned.upperByStep[t] as number) : (planned.upperByStep[t] as number);
    });
    return { ...planned, upperByStep };
  }

  /** The plan's PV inverter answer (see rowsAtPlan), remembered as the next window's guess; none without a voltage model. */
  protected invertersAtPlan(
    contexts: readonly PlanContext[],
    netImportKw: readonly Float64Array[],
    guess: readonly (InverterResponse | undefined)[],
  ): InverterResponse[] | undefined {
    const inverters = inverterResponses(this.view, contexts, this.horizonSteps, netImportKw, guess);
    if (inverters && this.warmStart) {
      contexts.forEach(({ home }, h) => {
        this.lastInverters.set(home.id, inverters[h] as InverterResponse);
      });
    }
    return inverters;
  }

  /**
   * The street limit each step at the plan's own losses: `upperKw` less what the plan's losses by the full power
   * flow (with its base loads' and PV inverters' reactive power, and the PV Volt-Watt holds back) exceed the
   * limit's allowance by, and less that held-back PV, which the homes draw on top of their planned net import
   * (the IEEE 70 % street's first summer morning: 1.2 kW at 07:00, which took the transformer 0.1 kW over its
   * rating where the plan's own figures without it left 1.1 kW); `upperKw` itself without a loss model.
   */
  protected transformerAtPlan(
    contexts: readonly PlanContext[],
    netImportKw: readonly Float64Array[],
    inverters: readonly InverterResponse[] | undefined,
    upperKw: Float64Array,
  ): Float64Array {
    const losses = this.view.losses;
    if (!losses) return upperKw;
    const loads = contexts.map(({ home }) => {
      const load = losses.homeIds.indexOf(home.id);
      if (load < 0) throw new Error(`home ${home.id} is not one of the street's loss model's homes`);
      return load;
    });
    const pKw = new Float64Array(losses.homeIds.length);
    const qKvar = new Float64Array(losses.homeIds.length);
    return upperKw.map((upper, t) => {
      let heldBackKw = 0;
      contexts.forEach(({ home, forecast }, m) => {
        const load = loads[m] as number;
        const inverter = inverters?.[m];
        const curtailedKw = (inverter?.curtailedKw[t] as number) ?? 0;
        heldBackKw += curtailedKw;
        pKw[load] = ((netImportKw[m] as Float64Array)[t] as number) + curtailedKw;
        qKvar[load] =
          baseLoadQKvar(home, forecast.baseLoadKw[t] as number) + ((inverter?.kvar[t] as number) ?? 0);
      });
      return upper - (losses.lossesKw(pKw, qKvar) - losses.allowanceKw) - heldBackKw;
    });
  }

  /**
   * Counts a planned window in the report, with the largest violation its plans left of a network row, and
   * whether it was made again as often as it may and kept the rows it was made under, so a row broken is broken
   * only at its own reactive power.
   */
  protected countWindow(maxViolation: number, outOfReactivePasses: boolean): void {
    this.report.windows++;
    this.report.maxViolation = Math.max(this.report.maxViolation, maxViolation);
    if (maxViolation <= ROW_TOLERANCE) return;
    this.report.windowsBreakingLimits++;
    if (outOfReactivePasses) this.report.windowsOutOfReactivePasses++;
  }

  /** Records the peak of the steps that will run before the next plan. */
  protected recordExecutedPeak(contexts: readonly PlanContext[], netImportKw: readonly Float64Array[]): void {
    const executedSteps = Math.min(this.replanEverySteps, this.horizonSteps);
    this.paidPeak.record(contexts[0]?.step ?? 0, netImportKw, executedSteps);
  }
}

/** Options of {@link CentralPolicy}. */
export interface CentralPolicyOptions extends FleetPolicyOptions {
  /** Reinforcement cost of each kW of street peak above the limit (and above the period's peak so far: ./paid-peak.ts), £/kW. */
  reinforcementGbpPerKw: number;
  /** Carbon price in the social cost, £/kg. */
  carbonPriceGbpPerKg: number;
  /** Cost of each volt below the statutory minimum (and each kW over a cable's rating) per step, £ (keeps the problem feasible). Default ROW_VIOLATION_GBP_PER_UNIT. */
  voltageViolationGbpPerVolt?: number;
}

/**
 * The social optimum: one LP over all homes minimising bills + carbon at its price + reinforcement for the
 * peak above the limit, with the linearised voltage rows added where the plan would break them (constraint
 * generation: most rows never bind, and a row per home per step would make the LP dense).
 */
export class CentralPolicy extends HeadroomPolicyBase {
  readonly name = 'central';
  /** The social planner chooses tariffs as it chooses the devices' power: the same actions as the homes'. */
  override readonly tariffChoice: TariffChoice = 'planner';
  /** The network rows the last window's plan broke, by name: the next window's first solve keeps them. */
  private lastBrokenRows = new Set<string>();

  constructor(
    highs: Highs,
    problemFactory: (home: HomeSpec, horizonSteps: number) => HomeProblem,
    view: NetworkView,
    private readonly options: CentralPolicyOptions,
  ) {
    super(highs, problemFactory, view, options);
  }

  planFleet(contexts: readonly PlanContext[]): Plan[] {
    const social = contexts.map((context) => this.objectiveContext(context));
    const blocks = social.map((context) => this.problemFor(context.home).block(context));
    const streetUpperKw = this.streetUpperKw(contexts);
    const peak = {
      upperByStep: streetUpperKw,
      excessCostGbpPerKw: this.options.reinforcementGbpPerKw,
    };
    const guess = this.inverterGuess(contexts);
    // One model for the window: each solve after the first starts from the last one's basis.
    const lp = new JointLp(this.highs, blocks, this.horizonSteps, peak);
    try {
      // Yesterday's broken rows usually bind again: in the first solve they spare a solve that finds them.
      let planned = this.networkRows(contexts, guess);
      let kept = this.solveKeeping(lp, planned, this.lastBrokenRows);
      // While the plan breaks the rows at its own reactive power, or the street limit at its own losses (the
      // LP is degenerate: its equally cheap plans differ in losses), plan again under those, bounds only
      // tightening; and where it keeps them but paid to break a row at the guess, under its own rows alone: the
      // guess held the voltage higher than the plan's inverters do (idle inverters, the first window, on a
      // street that idles near the band's top, whose Volt-Watt holds it there).
      let atPlan = this.planChecked(contexts, kept, guess, streetUpperKw);
      let peakUpperKw = streetUpperKw;
      let pass = 0;
      while (pass < REACTIVE_PASSES) {
        const brokenAtOwn =
          largestViolation(atPlan.rows, kept.nets) > ROW_TOLERANCE || atPlan.peakOverKw > ROW_TOLERANCE;
        if (!brokenAtOwn && kept.result.maxLimitViolation <= ROW_TOLERANCE) break;
        pass++;
        planned = brokenAtOwn ? tightest(atPlan.rows, planned) : atPlan.rows;
        peakUpperKw = peakUpperKw.map((upper, t) => Math.min(upper, atPlan.peakUpperKw[t] as number));
        lp.changePeakBounds(peakUpperKw);
        kept = this.solveKeeping(lp, planned, kept.activeNames);
        atPlan = this.planChecked(contexts, kept, guess, streetUpperKw);
      }
      return this.conclude(contexts, social, kept, planned, atPlan.rows, pass);
    } finally {
      lp.dispose();
    }
  }

  /**
   * The network rows at the plan's own reactive power, the street limit at its own losses, and how far the plan
   * goes over that limit beyond the peak excess it pays for, kW.
   */
  private planChecked(
    contexts: readonly PlanContext[],
    kept: KeptRows,
    guess: readonly (InverterResponse | undefined)[],
    streetUpperKw: Float64Array,
  ): { rows: SharedLimit[]; peakUpperKw: Float64Array; peakOverKw: number } {
    const inverters = this.invertersAtPlan(contexts, kept.nets, guess);
    const peakUpperKw = this.transformerAtPlan(contexts, kept.nets, inverters, streetUpperKw);
    const street = {
      name: 'transformer',
      coefficientByHome: new Float64Array(contexts.length).fill(1),
      upperByStep: peakUpperKw,
    };
    return {
      rows: this.networkRows(contexts, inverters),
      peakUpperKw,
      peakOverKw: violationOf(street, kept.nets) - kept.result.peakExcessKw,
    };
  }

  /** The window's plans from its last solve, with the report's and the next window's figures. */
  private conclude(
    contexts: readonly PlanContext[],
    social: readonly PlanContext[],
    kept: KeptRows,
    planned: readonly SharedLimit[],
    rows: readonly SharedLimit[],
    pass: number,
  ): Plan[] {
    const { result, nets } = kept;
    if (this.warmStart) this.lastBrokenRows = kept.activeNames;
    // Measured on every row, not only the active ones: rows broken anew in the last pass stay broken.
    // Kept the rows it was made under and broke them only at its own reactive power.
    const outOfPasses = pass === REACTIVE_PASSES && largestViolation(planned, nets) <= ROW_TOLERANCE;
    this.countWindow(largestViolation(rows, nets), outOfPasses);
    const plans = result.columnValues.map((x, h) => {
      const solution = this.problemFor((social[h] as PlanContext).home).solutionFrom(x, result.objectiveGbp);
      return planFromSolution(solution);
    });
    this.recordExecutedPeak(contexts, nets);
    const dtHours = contexts[0]?.dtHours ?? 0.5;
    this.recordNetworkPrices(
      contexts,
      result.netImportPriceGbpPerKw.map((prices) => prices.map((gbpPerKw) => gbpPerKw / dtHours)),
    );
    return plans;
  }

  /**
   * The window's joint LP keeping the rows named `startNames` (with the bounds of `allRows`: a row the model
   * keeps is bound as `allRows` has it now) and, by constraint generation (at most four more solves), each row of
   * `allRows` its plans break. Rows join the window's one model, so each solve after its first is warm.
   */
  private solveKeeping(
    lp: JointLp,
    allRows: readonly SharedLimit[],
    startNames: ReadonlySet<string>,
  ): KeptRows {
    const steps = this.horizonSteps;
    const violationCost = this.options.voltageViolationGbpPerVolt ?? ROW_VIOLATION_GBP_PER_UNIT;
    const priced = (row: SharedLimit) => ({ ...row, violationCostGbp: violationCost });
    lp.changeLimitBounds(allRows);
    lp.addLimits(allRows.filter((row) => startNames.has(row.name) && !lp.has(row.name)).map(priced));
    const netsOf = (solved: JointLpResult) =>
      solved.columnValues.map((x, h) => netImport(lp.blocks[h] as LpBlock, x, steps));
    let result = lp.solve();
    this.report.iterations++;
    let nets = netsOf(result);
    for (let pass = 0; pass < 4 && allRows.length > 0; pass++) {
      const broken = allRows.filter((row) => !lp.has(row.name) && breaks(row, nets));
      if (broken.length === 0) break;
      lp.addLimits(broken.map(priced));
      result = lp.solve();
      this.report.iterations++;
      this.report.rowSearchSolves++;
      nets = netsOf(result);
    }
    const names = new Set(allRows.map((row) => row.name));
    return { result, nets, activeNames: new Set(lp.limitNames.filter((name) => names.has(name))) };
  }

  /** The planner values money at face value, carbon at the carbon price, and autarky not at all. */
  protected override objectiveContext(context: PlanContext): PlanContext {
    return {
      ...context,
      home: {
        ...context.home,
        preferences: { ...context.home.preferences, weights: { cost: 1, carbon: 1, autarky: 0 } },
      },
      valuation: { carbonValueGbpPerKg: this.options.carbonPriceGbpPerKg, autarkyValueGbpPerKwh: 0 },
    };
  }
}

/** A window's joint LP solved keeping every row of the window it broke: the plans' net imports, and the rows kept. */
interface KeptRows {
  result: JointLpResult;
  nets: Float64Array[];
  activeNames: Set<string>;
}

/**
 * Times central makes a window's plan again at most (each a joint LP) while, made under rows at a guessed
 * reactive power, it breaks them at its own (or the street limit at its own losses); a window still breaking a
 * row is counted in the report.
 */
const REACTIVE_PASSES = 3;

/**
 * As {@link REACTIVE_PASSES}, for cooperative: each pass starts at its kept master's prices and takes a round
 * or two (three or four when each began with zero prices and then the last pass's), so it may pass more often.
 * On 28 IEEE 70 % days at 150 kW: with 3 passes 10 windows still broke a row at their own reactive power (by up
 * to 0.56 kW or V) in 410 rounds, with 4 5 (0.73), with 5 4 (0.21) in 429 rounds, with 8 4 (0.24) in 459; the
 * 3 passes before took 522 rounds and left 8 (0.43). A window that breaks after 5 passes still does after 8.
 */
const COOPERATIVE_REACTIVE_PASSES = 5;

/** The largest violation of any of `limits` by the homes' net imports (per home, per step); 0 when all are kept. */
function largestViolation(limits: readonly SharedLimit[], nets: readonly Float64Array[]): number {
  return limits.reduce((largest, limit) => Math.max(largest, violationOf(limit, nets)), 0);
}

/** Whether the homes' net imports (per home, per step) break a shared limit at some step. */
function breaks(limit: SharedLimit, nets: readonly Float64Array[]): boolean {
  return violationOf(limit, nets) > 1e-6;
}

/** How far the homes' net imports (per home, per step) break a shared limit at its worst step (≤ 0: kept). */
function violationOf(limit: SharedLimit, nets: readonly Float64Array[]): number {
  let largest = Number.NEGATIVE_INFINITY;
  limit.upperByStep.forEach((upper, t) => {
    const total = nets.reduce(
      (sum, net, h) => sum + (limit.coefficientByHome[h] as number) * (net[t] as number),
      0,
    );
    largest = Math.max(largest, total - upper);
  });
  return largest;
}

function netImport(block: LpBlock, x: Float64Array, steps: number): Float64Array {
  return Float64Array.from(
    { length: steps },
    (_, t) => (x[block.importColumn[t] as number] ?? 0) - (x[block.exportColumn[t] as number] ?? 0),
  );
}

/**
 * Homes keep their own objectives and share the network by messages only: the coordinator mixes the plans
 * they propose to keep the street limit and the voltages, and sends back the limits' shadow prices; homes
 * answer with a plan and its cost to them (see coordinateByPrices).
 */
export class CooperativePolicy extends HeadroomPolicyBase {
  readonly name = 'cooperative';
  /** Each home's agent chooses its tariff as it plans its devices, by the resident's own objective. */
  override readonly tariffChoice: TariffChoice = 'planner';
  readonly switchesAtResidentThreshold = true;
  /** The limit rows that bound in the last window's master, as "limit name@step": the next window's start. */
  private lastBindingRows = new Set<string>();
  /** Each home's final prices of the last window, £/kWh per step: the next window's warm start. */
  private readonly lastPrices = new Map<string, Float64Array>();
  /** The homes' LP helpers, started at the first window (none when `homeLpThreads` is 0). */
  private threads: HomeLpThreads | undefined;

  constructor(
    highs: Highs,
    problemFactory: (home: HomeSpec, horizonSteps: number) => HomeProblem,
    view: NetworkView,
    private readonly options: FleetPolicyOptions = {},
  ) {
    super(highs, problemFactory, view, options);
    const threads = options.homeLpThreads ?? 0;
    if (!Number.isInteger(threads) || threads < 0)
      throw new TypeError(`cooperative: homeLpThreads must be a whole number ≥ 0, got ${threads}`);
  }

  planFleet(contexts: readonly PlanContext[], openChannel?: OpenCoordinatorChannel): Plan[] {
    const steps = this.horizonSteps;
    const dtHours = contexts[0]?.dtHours ?? 0.5;
    // Every network row central keeps: the coordinator's master holds a row (limit, step) only once some
    // plans break it, so the many that never bind cost only the check of each round's plans against them.
    const transformer: SharedLimit = {
      name: 'transformer',
      coefficientByHome: new Float64Array(contexts.length).fill(1),
      upperByStep: this.streetUpperKw(contexts),
    };
    const responders = this.responders(contexts);
    const answerRound = this.threadedRound(contexts, responders, dtHours);
    const stepsPerDay = Math.round(24 / dtHours);
    const warmPrices = contexts.map(({ home }) => {
      const last = this.lastPrices.get(home.id);
      return last && shiftedWindow(last, this.replanEverySteps, stepsPerDay);
    });
    const guess = this.inverterGuess(contexts);
    let limits = [transformer, ...this.networkRows(contexts, guess)];
    let result = this.coordinate(responders, answerRound, limits, steps, dtHours, openChannel, {
      warmPricesGbpPerKwh: warmPrices,
      startRows: this.carriedRows(limits, steps, stepsPerDay),
      keepMaster: true,
    });
    // While the mix breaks the rows at its own reactive power, coordinate again under those, from the last
    // run's master (its plans, rows and basis: its prices are the last run's, moved by the new bounds), its
    // binding rows and the rows now broken. No warm prices: they would cost a round that gives no bound. And
    // where the mix keeps them but broke a row at the guess, under its own rows alone (as central does).
    // The street limit, too, is checked at the mix's own losses, and lowered only where it takes the
    // transformer over its rating (see streetAtPlan).
    let atPlan = this.rowsAtPlan(contexts, netsOf(result), guess, transformer, transformer);
    // The window runs the passes' plan that breaks its own rows least (the last of those that keep them): a
    // pass under its own rows alone can swing far off them (the first summer window of the IEEE 70 % street:
    // 0.007 after its third pass, 17.3 V after its fourth and 7.5 after its fifth), and no pass is left.
    let best = { result, limits, atPlan, violation: largestViolation(atPlan, netsOf(result)) };
    let pass = 0;
    while (pass < COOPERATIVE_REACTIVE_PASSES) {
      const brokenAtOwn = largestViolation(atPlan, netsOf(result)) > ROW_TOLERANCE;
      if (!brokenAtOwn && result.maxViolation <= ROW_TOLERANCE) break;
      pass++;
      const next = brokenAtOwn ? tightest(atPlan, limits) : atPlan;
      const startRows = restartRows(result, limits, next, steps);
      limits = next;
      result = this.coordinate(responders, answerRound, limits, steps, dtHours, openChannel, {
        startRows,
        startProposals: result.proposals,
        ...(result.master ? { master: result.master } : {}),
        keepMaster: true,
      });
      atPlan = this.rowsAtPlan(contexts, netsOf(result), guess, transformer, limits[0] as SharedLimit);
      const violation = largestViolation(atPlan, netsOf(result));
      if (violation <= Math.max(best.violation, ROW_TOLERANCE)) best = { result, limits, atPlan, violation };
    }
    // One master serves every pass: the last holds it.
    result.master?.dispose();
    // The next window's inverter guess is the run plan's.
    if (best.result !== result) this.invertersAtPlan(contexts, netsOf(best.result), guess);
    ({ result, limits } = best);
    if (this.warmStart) {
      this.lastBindingRows = new Set(
        result.bindingRows.map((row) => `${(limits[row.limit] as SharedLimit).name}@${row.step}`),
      );
      contexts.forEach(({ home }, h) => {
        this.lastPrices.set(home.id, result.pricesGbpPerKwh[h] as Float64Array);
      });
    }
    const outOfPasses = pass === COOPERATIVE_REACTIVE_PASSES && result.maxViolation <= ROW_TOLERANCE;
    this.countWindow(best.violation, outOfPasses);
    if (result.converged) this.report.convergedWindows++;
    if (result.rowBudgetReached) this.report.windowsAtRowBudget++;
    this.report.maxGapGbp = Math.max(this.report.maxGapGbp, result.gapGbp);
    this.recordExecutedPeak(
      contexts,
      result.responses.map((response) => response.netImportKw),
    );
    this.recordNetworkPrices(contexts, result.pricesGbpPerKwh);
    return result.responses.map(planFromResponse);
  }

  /**
   * The rows that bound in the last window's master, moved to this window as its prices are (shiftedWindow):
   * yesterday's binding rows usually bind again today, and planned from the start they spare the rounds that
   * find them. Only the binding ones: the set stays the size of what binds instead of growing every day.
   */
  private carriedRows(limits: readonly SharedLimit[], steps: number, stepsPerDay: number): ActiveRow[] {
    if (this.lastBindingRows.size === 0) return [];
    const rows: ActiveRow[] = [];
    limits.forEach(({ name }, limit) => {
      for (let step = 0; step < steps; step++) {
        const source = shiftedStep(step, this.replanEverySteps, steps, stepsPerDay);
        if (source < steps && this.lastBindingRows.has(`${name}@${source}`)) rows.push({ limit, step });
      }
    });
    return rows;
  }

  /** One run of the price protocol over `limits`, counted in the report's messages and rounds. */
  private coordinate(
    responders: RespondToPrices[],
    answerRound: AnswerRound | undefined,
    limits: readonly SharedLimit[],
    steps: number,
    dtHours: number,
    openChannel: OpenCoordinatorChannel | undefined,
    warm: Pick<
      PriceCoordinationOptions,
      'warmPricesGbpPerKwh' | 'startRows' | 'startProposals' | 'master' | 'keepMaster'
    >,
  ): PriceCoordinationResult {
    const result = coordinateByPrices(this.highs, responders, limits, steps, {
      dtHours,
      ...warm,
      ...(openChannel ? { channel: openChannel() } : {}),
      ...(answerRound ? { answerRound } : {}),
      ...(this.options.masterNonzeroBudget === undefined
        ? {}
        : { masterNonzeroBudget: this.options.masterNonzeroBudget }),
    });
    this.report.messages += result.messages;
    this.report.iterations += result.rounds;
    return result;
  }

  /**
   * The window's rounds with the homes dealt out over this thread and the helpers (undefined without
   * helpers): a helper's home answers from its solution there, the others from their responders here.
   */
  private threadedRound(
    contexts: readonly PlanContext[],
    responders: readonly RespondToPrices[],
    dtHours: number,
  ): AnswerRound | undefined {
    const count = this.options.homeLpThreads ?? 0;
    if (count === 0) return undefined;
    this.threads ??= new HomeLpThreads(count, this.options.homeLpThreadOptions);
    const window = this.threads.window(contexts, this.horizonSteps, (h) =>
      hasDevices(contexts[h] as PlanContext),
    );
    return (pricesByHome) => {
      const answers: (HomeResponse | undefined)[] = pricesByHome.map(() => undefined);
      const solutions = window.solve(pricesByHome, (h, prices) => {
        answers[h] = (responders[h] as RespondToPrices)(prices);
      });
      solutions.forEach((solution, h) => {
        const prices = pricesByHome[h];
        if (solution && prices) answers[h] = responseOf(solution, prices, dtHours);
      });
      return answers;
    };
  }

  override dispose(): void {
    this.threads?.dispose();
    this.threads = undefined;
    super.dispose();
  }
}

/**
 * `next` with each row's bound at each step no looser than the same row's in `last`: a plan made again keeps
 * every reactive power it was checked at so far, so the passes do not swing between two.
 */
function tightest(next: readonly SharedLimit[], last: readonly SharedLimit[]): SharedLimit[] {
  const lastByName = new Map(last.map((limit) => [limit.name, limit]));
  return next.map((limit) => {
    const before = lastByName.get(limit.name);
    if (!before) return limit;
    const upperByStep = limit.upperByStep.map((upper, t) => Math.min(upper, before.upperByStep[t] as number));
    return { ...limit, upperByStep };
  });
}

function netsOf(result: PriceCoordinationResult): Float64Array[] {
  return result.responses.map((response) => response.netImportKw);
}

/** The rows of `next` a coordination under them starts with: those of `last`'s binding rows, and those its plans break. */
function restartRows(
  last: PriceCoordinationResult,
  lastLimits: readonly SharedLimit[],
  next: readonly SharedLimit[],
  steps: number,
): ActiveRow[] {
  const indexOf = new Map(next.map(({ name }, limit) => [name, limit]));
  const rows: ActiveRow[] = [];
  for (const row of last.bindingRows) {
    const limit = indexOf.get((lastLimits[row.limit] as SharedLimit).name);
    if (limit !== undefined) rows.push({ limit, step: row.step });
  }
  const nets = netsOf(last);
  next.forEach((limit, index) => {
    for (let step = 0; step < steps; step++) {
      let total = -(limit.upperByStep[step] as number);
      nets.forEach((net, h) => {
        total += (limit.coefficientByHome[h] as number) * (net[step] as number);
      });
      if (total > 1e-9 && !rows.some((row) => row.limit === index && row.step === step))
        rows.push({ limit: index, step });
    }
  });
  return rows;
}

/**
 * A window's per-step series moved to the next window, which starts `shiftSteps` later: each step takes the
 * value of the same moment, or where the old window does not reach it, of the same time a day (or days) before.
 */
export function shiftedWindow(series: Float64Array, shiftSteps: number, stepsPerDay: number): Float64Array {
  return Float64Array.from(series, (_, t) => {
    const source = shiftedStep(t, shiftSteps, series.length, stepsPerDay);
    return source < series.length ? (series[source] as number) : 0;
  });
}

/** The old window's step whose value step `t` of the next takes (see shiftedWindow); ≥ `steps` for none. */
function shiftedStep(t: number, shiftSteps: number, steps: number, stepsPerDay: number): number {
  let source = t + shiftSteps;
  while (source >= steps && source >= stepsPerDay) source -= stepsPerDay;
  return source;
}

/** Options of {@link NashPolicy}. */
export interface NashPolicyOptions extends FleetPolicyOptions {
  /** Load-dependent network price on imports: £/kWh per kW of street net import (0 = prices ignore load). */
  loadPriceSlopeGbpPerKwhPerKw: number;
}

/**
 * Selfish homes at the Nash equilibrium of load-dependent prices: each best-responds (its own LP) to the
 * price the street's aggregate sets, in turn, until no home gains; with load-blind prices this is one pass.
 */
export class NashPolicy extends FleetPolicyBase {
  readonly name = 'nash';

  constructor(
    problemFactory: (home: HomeSpec, horizonSteps: number) => HomeProblem,
    view: NetworkView,
    private readonly options: NashPolicyOptions,
  ) {
    super(problemFactory, view, options);
  }

  planFleet(contexts: readonly PlanContext[]): Plan[] {
    const slope = this.options.loadPriceSlopeGbpPerKwhPerKw;
    const dtHours = contexts[0]?.dtHours ?? 0.5;
    const result = findNashEquilibrium(
      this.responders(contexts),
      (aggregateKw, prices) => {
        for (let t = 0; t < prices.length; t++) prices[t] = slope * Math.max(0, aggregateKw[t] as number);
      },
      this.horizonSteps,
      { dtHours },
    );
    this.report.windows++;
    this.report.iterations += result.iterations;
    this.report.messages += result.iterations * contexts.length * 2;
    if (result.converged) this.report.convergedWindows++;
    if (result.cycled) this.report.cycledWindows++;
    return result.responses.map(planFromResponse);
  }
}
