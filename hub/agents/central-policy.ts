import type { Highs } from 'highs';
import type { HomeSpec } from '../homes/index.js';
import type { WindowCableRows } from './cable-rows.js';
import type { SharedLimit } from './coordination.js';
import {
  type FleetPolicyOptions,
  type HomeProblem,
  type NetworkView,
  planFromSolution,
  ROW_TOLERANCE,
} from './fleet.js';
import { breaks, HeadroomPolicyBase, largestViolation, tightest, violationOf } from './headroom-policy.js';
import { JointLp, type JointLpResult, type LpBlock } from './joint-lp.js';
import type { Plan, PlanContext, TariffChoice } from './policy.js';
import { type InverterResponse, ROW_VIOLATION_GBP_PER_UNIT } from './voltage-rows.js';

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
      const cables = this.windowCables(contexts, guess);
      let planned = this.networkRows(contexts, guess, cables.rows);
      let kept = this.solveKeeping(lp, planned, this.lastBrokenRows);
      // While the plan breaks the rows at its own reactive power, or the street limit at its own losses (the
      // LP is degenerate: its equally cheap plans differ in losses), plan again under those, bounds only
      // tightening; and where it keeps them but paid to break a row at the guess, under its own rows alone: the
      // guess held the voltage higher than the plan's inverters do (idle inverters, the first window, on a
      // street that idles near the band's top, whose Volt-Watt holds it there).
      let atPlan = this.planChecked(contexts, kept, guess, streetUpperKw, cables);
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
        atPlan = this.planChecked(contexts, kept, guess, streetUpperKw, cables);
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
    cables: WindowCableRows,
  ): { rows: SharedLimit[]; peakUpperKw: Float64Array; peakOverKw: number } {
    const inverters = this.invertersAtPlan(contexts, kept.nets, guess);
    const peakUpperKw = this.transformerAtPlan(contexts, kept.nets, inverters, streetUpperKw);
    const street = {
      name: 'transformer',
      coefficientByHome: new Float64Array(contexts.length).fill(1),
      upperByStep: peakUpperKw,
    };
    return {
      rows: this.networkRows(contexts, inverters, cables.atPlan(kept.nets, inverters)),
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
 * row is counted in the report. In summer the passes chase the inverters' Volt-Watt through the morning: a pass
 * that lowers the voltage lets them hold back less PV, which the next check finds over the band's top. Bounds
 * only tighten. On the IEEE 70 % street's 7 summer days (startDay 170) the windows took 0, 1, 5, 6, 7, 7 and 8
 * passes (with the inverters settled within each step, ea5e52f; before, when they answered the step before's
 * voltage, at most 7, and at 3 the run had 810 bus-minutes over 253 V).
 */
const REACTIVE_PASSES = 8;

function netImport(block: LpBlock, x: Float64Array, steps: number): Float64Array {
  return Float64Array.from(
    { length: steps },
    (_, t) => (x[block.importColumn[t] as number] ?? 0) - (x[block.exportColumn[t] as number] ?? 0),
  );
}
