import type { Highs } from 'highs';
import type { HomeSpec } from '../homes/index.js';
import {
  type AnswerRound,
  coordinateByPrices,
  type HomeResponse,
  limitResiduals,
  type PriceCoordinationOptions,
  type PriceCoordinationResult,
  type RespondToPrices,
  type SharedLimit,
} from './coordination.js';
import {
  CABLE_NAME_PREFIX,
  type FleetPolicyOptions,
  type HomeProblem,
  hasDevices,
  type NetworkView,
  type OpenCoordinatorChannel,
  planFromResponse,
  ROW_TOLERANCE,
  responseOf,
} from './fleet.js';
import { HeadroomPolicyBase, largestViolation, tightest } from './headroom-policy.js';
import { HomeLpThreads } from './home-lp-threads.js';
import type { ActiveRow } from './master-lp.js';
import type { Plan, PlanContext, TariffChoice } from './policy.js';
import { shiftedStep, shiftedWindow } from './window-shift.js';

/**
 * As central's REACTIVE_PASSES (./central-policy.ts), for cooperative: each pass starts at its kept master's
 * prices and takes a round or two (three or four when each began with zero prices and then the last pass's), so
 * it may pass more often.
 * On 28 IEEE 70 % days at 150 kW: with 3 passes 10 windows still broke a row at their own reactive power (by up
 * to 0.56 kW or V) in 410 rounds, with 4 5 (0.73), with 5 4 (0.21) in 429 rounds, with 8 4 (0.24) in 459; the
 * 3 passes before took 522 rounds and left 8 (0.43). A window that breaks after 5 passes still does after 8.
 */
const COOPERATIVE_REACTIVE_PASSES = 5;

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
    const cables = this.windowCables(contexts, guess);
    let limits = [transformer, ...this.networkRows(contexts, guess, cables.rows)];
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
    let atPlan = this.rowsAtPlan(contexts, netsOf(result), guess, transformer, transformer, cables);
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
      const carried = carriedMaster(result, limits);
      limits = next;
      result = this.coordinate(responders, answerRound, limits, steps, dtHours, openChannel, {
        startRows,
        ...carried,
        keepMaster: true,
      });
      atPlan = this.rowsAtPlan(
        contexts,
        netsOf(result),
        guess,
        transformer,
        limits[0] as SharedLimit,
        cables,
      );
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
    // The best bound's prices, not the last sent: a tariff review plans a month at the prices recorded, and the
    // last sent move with the limits (60 IEEE 70 % days at 105.9 and 105.9406 kW: 22 of 55 homes chose another
    // tariff), where the best bound, most often round 1's at no prices, is what the coordinator can vouch for.
    this.recordNetworkPrices(contexts, result.boundPricesGbpPerKwh ?? result.pricesGbpPerKwh);
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
 * What a reactive pass takes over from the last exchange: its master (plans, rows and basis), or where that
 * exchange stopped at its round cap, a new master of the plans its mix weighed and every plan of the homes under
 * a cable row that binds, at `startRows`. A capped master holds every plan of its rounds, most of them the homes'
 * answers to the violation cost's prices while no mix kept the rows yet (the IEEE 70 % street's first summer
 * window: 1,591 plans after its first exchange, 3,102 after its first pass), and each round of a pass over it
 * took twice the time of a master of the plans in use. The mix alone left that window's plan importing by turns
 * at midday, and LINE1 at 141 % of its rating (see docs/validation.md, "cold window"), while each inverter
 * answered the step before's voltage. With the inverters settled in each step (ea5e52f) the mix alone gives the
 * same plans on 2 and 7 summer days (every output byte-identical) and £0.52 more on the README's 28 winter days.
 */
function carriedMaster(
  last: PriceCoordinationResult,
  lastLimits: readonly SharedLimit[],
): Pick<PriceCoordinationOptions, 'startProposals' | 'master'> {
  if (last.converged || !last.master) {
    return { startProposals: last.proposals, ...(last.master ? { master: last.master } : {}) };
  }
  last.master.dispose();
  const underCable = homesUnderBindingCables(last, lastLimits);
  return {
    startProposals: last.proposals.map((plans, h) =>
      underCable.has(h) ? plans : (last.mixedProposals[h] ?? []),
    ),
  };
}

/** The homes under a cable row that binds in `last`'s master. */
function homesUnderBindingCables(last: PriceCoordinationResult, limits: readonly SharedLimit[]): Set<number> {
  const homes = new Set<number>();
  for (const row of last.bindingRows) {
    const limit = limits[row.limit] as SharedLimit;
    if (!limit.name.startsWith(CABLE_NAME_PREFIX)) continue;
    limit.coefficientByHome.forEach((coefficient, h) => {
      if (coefficient !== 0) homes.add(h);
    });
  }
  return homes;
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
    const residuals = limitResiduals(limit, nets, steps);
    for (let step = 0; step < steps; step++) {
      if ((residuals[step] as number) > 1e-9 && !rows.some((row) => row.limit === index && row.step === step))
        rows.push({ limit: index, step });
    }
  });
  return rows;
}
