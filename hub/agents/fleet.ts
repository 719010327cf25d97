import type { VoltageSensitivity } from '../feeder/index.js';
import type { HomeSpec } from '../homes/index.js';
import type { CoordinatorChannel, HomeResponse, RespondToPrices } from './coordination.js';
import type { HomeLpSolution } from './home-lp.js';
import type { HomeLpThreadsOptions } from './home-lp-threads.js';
import type { LpBlock } from './joint-lp.js';
import type { LookAheadPlan, Plan, PlanContext, Policy, TariffChoice } from './policy.js';
import { planningWindow } from './policy-definition.js';

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
  /** Cable phases' ratings on the summed net import or export of the homes each carries (./cable-rows.ts). */
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

/** How every cable limit's name (and so each of its rows' names) begins: a row is known as a cable's by it. */
export const CABLE_NAME_PREFIX = 'cable ';

/** One cable phase's rating as a limit on the summed net import (or export) of the homes it carries. */
export interface CableLimit {
  /** e.g. "cable LINE1 phase A (281 A)". */
  name: string;
  /** The homes downstream of the cable on that phase. */
  homeIds: readonly string[];
  /** The cable's ampacity, A. */
  amps: number;
  /** Their summed net import or export at the ampacity at 230 V and PF 0.95, kW: the most its rows allow. */
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

function emptyFleetReport(): FleetReport {
  return {
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
  /** Zeroes {@link report}: a run with a warm-up counts the windows of its span alone. */
  resetReport(): void;
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

export function planFromSolution(solution: HomeLpSolution): Plan {
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
export function responseOf(
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
export function hasDevices({ home }: PlanContext): boolean {
  return !!(home.battery || home.ev || home.heatPump);
}

export function planFromResponse(response: HomeResponse): Plan {
  const [batteryKw, evKw, heatPumpKw] = response.decisions as [Float64Array, Float64Array, Float64Array];
  return { batteryKw, evKw, heatPumpKw, cannotKeep: [] };
}

export abstract class FleetPolicyBase implements FleetPolicy {
  abstract readonly name: string;
  readonly horizonSteps: number;
  readonly replanEverySteps: number;
  protected readonly warmStart: boolean;
  readonly tariffChoice: TariffChoice = 'resident';
  readonly report: FleetReport = emptyFleetReport();
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

  resetReport(): void {
    Object.assign(this.report, emptyFleetReport());
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
