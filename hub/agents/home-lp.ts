import type { Highs, Model as HighsModel } from 'highs';
import { chargeEfficiency, type HomeSpec, heatPumpCop, thermalDecay } from '../homes/index.js';
import type { HomeProblem } from './fleet.js';
import type { LpBlock } from './joint-lp.js';
import type { PlanContext } from './policy.js';

/** £ per kWh (or per kWh of virtual heat) that makes breaking a resident's promise a last resort. */
export const PROMISE_PENALTY_GBP_PER_KWH = 10;
/** A GB home's 100 A service fuse at 230 V bounds what it can draw or send. */
const SERVICE_LIMIT_KW = 23;
/** Share of the cheapest import price at which energy left in the battery at the horizon's end is valued. */
const TERMINAL_VALUE_SHARE = 0.9;
/**
 * A tiny cost on grid flows that fades over the horizon. Where the plan is indifferent about timing (a
 * flat tariff), it then stores surplus PV and uses stored energy as early as it can, which hedges against
 * PV it cannot foresee (Volt-Watt curtailment) and leaves room for PV beyond the horizon.
 */
const EARLINESS_COST_GBP_PER_KWH = 1e-4;
/** The earliness cost of step `t` of a horizon of `steps`, £/kWh. */
function earlinessGbpPerKwh(t: number, steps: number): number {
  return (EARLINESS_COST_GBP_PER_KWH * (steps - t)) / steps;
}
/** A small cost per kWh cycled so the battery does not charge and discharge at once for nothing. */
const CYCLE_COST_GBP_PER_KWH = 1e-4;

/** Column offsets of one step; -1 where the home lacks the asset. */
interface StepColumns {
  importKw: number;
  exportKw: number;
  batteryChargeKw: number;
  batteryDischargeKw: number;
  batterySocKwh: number;
  evChargeKw: number;
  evSocKwh: number;
  /** Energy the EV would need from elsewhere to keep its promise (penalised). */
  evTopUpKwh: number;
  heatPumpKw: number;
  indoorC: number;
  /** Heat the heat pump cannot give but the comfort band needs (penalised). */
  missingHeatKw: number;
  /** Heat the house would need to shed to stay under the band (penalised; there is no cooling). */
  excessHeatKw: number;
}

export interface HomeLpSolution {
  batteryKw: Float64Array;
  evKw: Float64Array;
  heatPumpKw: Float64Array;
  importKw: Float64Array;
  exportKw: Float64Array;
  indoorC: Float64Array;
  evSocKwh: Float64Array;
  /** Energy the EV would have lacked for its ready-by promise, kWh per step. */
  evTopUpKwh: Float64Array;
  /** Heat the band needed but the heat pump could not give, and heat the house would have to shed, kW. */
  missingHeatKw: Float64Array;
  excessHeatKw: Float64Array;
  objectiveGbp: number;
}

/**
 * One home's horizon problem as an LP: minimise the resident's weighted cost of imports (money, carbon,
 * autarky) minus export income, with the battery, EV and heat-pump dynamics as equality rows and the
 * comfort band and EV ready-by promise as bounds that penalised slack keeps always feasible.
 *
 * The structure is fixed for a home and horizon; each solve only changes costs, bounds and the COP
 * coefficients, so HiGHS warm-starts from the previous basis (about half the time of a cold solve).
 */
export class HomeLp implements HomeProblem {
  private readonly model: HighsModel;
  private readonly columns: StepColumns[] = [];
  private readonly columnCount: number;
  private readonly rowCount: number;
  private temperatureRows: number[] = [];
  private passed = false;
  /** Solves that needed a cold restart (a warm start ended in an unknown state). */
  retries = 0;
  private readonly cost: Float64Array;
  private readonly colLower: Float64Array;
  private readonly colUpper: Float64Array;
  private readonly rowLower: Float64Array;
  private readonly rowUpper: Float64Array;
  /** Per step, the resident's import cost without the coordinator's extra price, £/kWh (from the last assembly). */
  private readonly ownImportCostGbpPerKwh: Float64Array;
  /** Per step, what the resident values an exported kWh at, £/kWh (from the last assembly). */
  private readonly ownExportValueGbpPerKwh: Float64Array;
  /** The context whose problem the model holds, when it was last solved by {@link solvePriced}. */
  private pricedContext: PlanContext | undefined;

  constructor(
    private readonly highs: Highs,
    private readonly home: HomeSpec,
    private readonly horizonSteps: number,
  ) {
    let next = 0;
    const take = (present: boolean): number => (present ? next++ : -1);
    for (let t = 0; t < horizonSteps; t++) {
      this.columns.push({
        importKw: take(true),
        exportKw: take(true),
        batteryChargeKw: take(!!home.battery),
        batteryDischargeKw: take(!!home.battery),
        batterySocKwh: take(!!home.battery),
        evChargeKw: take(!!home.ev),
        evSocKwh: take(!!home.ev),
        evTopUpKwh: take(!!home.ev),
        heatPumpKw: take(!!home.heatPump),
        indoorC: take(!!home.heatPump),
        missingHeatKw: take(!!home.heatPump),
        excessHeatKw: take(!!home.heatPump),
      });
    }
    this.columnCount = next;
    const rowsPerStep = 1 + (home.battery ? 1 : 0) + (home.ev ? 1 : 0) + (home.heatPump ? 1 : 0);
    this.rowCount = rowsPerStep * horizonSteps;
    this.cost = new Float64Array(this.columnCount);
    this.colLower = new Float64Array(this.columnCount);
    this.colUpper = new Float64Array(this.columnCount);
    this.rowLower = new Float64Array(this.rowCount);
    this.rowUpper = new Float64Array(this.rowCount);
    this.ownImportCostGbpPerKwh = new Float64Array(horizonSteps);
    this.ownExportValueGbpPerKwh = new Float64Array(horizonSteps);
    this.model = highs.createModel();
    this.model.options.set({ output_flag: false, presolve: 'off' });
  }

  /**
   * Solves `context`'s problem with the coordinator's extra net import prices (its own signals set aside). When
   * the last solve was of the same context at other prices, only the costs change: HiGHS keeps the model, its
   * basis and factorisation (a coordinator asks each home once a round with the window otherwise fixed).
   */
  solvePriced(context: PlanContext, extraNetImportPriceGbpPerKwh: Float64Array): HomeLpSolution {
    if (this.pricedContext !== context) {
      const solution = this.solve({ ...context, signals: { extraNetImportPriceGbpPerKwh } });
      this.pricedContext = context;
      return solution;
    }
    this.priceNetImports(extraNetImportPriceGbpPerKwh, context.dtHours);
    this.model.changeColsCost({ kind: 'range', from: 0, to: this.columnCount - 1 }, this.cost);
    return this.run(context);
  }

  /** Solves the home's problem on its own (warm-started from the previous solve). */
  solve(context: PlanContext): HomeLpSolution {
    const { starts, indices, values, copCoefficients } = this.assemble(context);
    if (!this.passed) {
      this.model.passModel({
        numCols: this.columnCount,
        numRows: this.rowCount,
        colCost: this.cost,
        colLower: this.colLower,
        colUpper: this.colUpper,
        rowLower: this.rowLower,
        rowUpper: this.rowUpper,
        matrix: {
          format: 'csr',
          numRows: this.rowCount,
          numCols: this.columnCount,
          starts,
          indices,
          values,
        },
      });
      this.passed = true;
    } else {
      const allColumns = { kind: 'range', from: 0, to: this.columnCount - 1 } as const;
      this.model.changeColsCost(allColumns, this.cost);
      this.model.changeColsBounds(allColumns, this.colLower, this.colUpper);
      this.model.changeRowsBounds(
        { kind: 'range', from: 0, to: this.rowCount - 1 },
        this.rowLower,
        this.rowUpper,
      );
      for (let t = 0; t < this.temperatureRows.length; t++) {
        const c = this.columns[t] as StepColumns;
        this.model.changeCoefficient(
          this.temperatureRows[t] as number,
          c.heatPumpKw,
          copCoefficients[t] ?? 0,
        );
      }
    }

    return this.run(context);
  }

  /** Runs HiGHS on the model as it stands (retrying cold when a warm start fails) and reads the plan. */
  private run(context: PlanContext): HomeLpSolution {
    const { highs } = this;
    this.model.run();
    let status = this.model.getModelStatus();
    if (status !== highs.constants.modelStatus.optimal) {
      // A warm start can end in an unknown state on a badly conditioned basis: retry cold, then with presolve.
      this.retries++;
      this.model.clearSolver();
      this.model.run();
      status = this.model.getModelStatus();
      if (status !== highs.constants.modelStatus.optimal) {
        this.model.clearSolver();
        this.model.options.set({ presolve: 'on' });
        this.model.run();
        this.model.options.set({ presolve: 'off' });
        status = this.model.getModelStatus();
      }
    }
    if (status !== highs.constants.modelStatus.optimal) {
      throw new Error(
        `home ${context.home.id}: LP ended with model status ${status} at step ${context.step}`,
      );
    }
    return this.extract(this.model.getSolution().colValue, this.model.getObjectiveValue());
  }

  /** The same problem as arrays (copies), for a joint problem over many homes. */
  block(context: PlanContext): LpBlock {
    const { starts, indices, values } = this.assemble(context);
    return {
      cost: Float64Array.from(this.cost),
      colLower: Float64Array.from(this.colLower),
      colUpper: Float64Array.from(this.colUpper),
      rowLower: Float64Array.from(this.rowLower),
      rowUpper: Float64Array.from(this.rowUpper),
      starts,
      indices,
      values,
      importColumn: this.columns.map((c) => c.importKw),
      exportColumn: this.columns.map((c) => c.exportKw),
    };
  }

  /** Reads a solution from column values in this problem's column order (e.g. from a joint solve). */
  solutionFrom(columnValues: Float64Array, objectiveGbp: number): HomeLpSolution {
    return this.extract(columnValues, objectiveGbp);
  }

  /** Fills costs and bounds for this context and builds the (structurally fixed) CSR matrix. */
  private assemble(context: PlanContext): {
    starts: number[];
    indices: number[];
    values: number[];
    copCoefficients: number[];
  } {
    const { highs, horizonSteps: steps } = this;
    // The arrays now hold this context (a block's too), so the next solvePriced assembles its own anew.
    this.pricedContext = undefined;
    const home = context.home;
    const { forecast, state, dtHours, valuation } = context;
    const weights = home.preferences.weights;
    const inf = highs.infinity;
    const { cost, colLower, colUpper, rowLower, rowUpper } = this;
    cost.fill(0);
    colLower.fill(0);
    colUpper.fill(inf);

    // Sparse rows, built in the same order every time so the matrix structure never changes.
    const starts: number[] = [0];
    const indices: number[] = [];
    const values: number[] = [];
    let row = 0;
    const addRow = (entries: [number, number][], lower: number, upper: number): number => {
      for (const [column, value] of entries) {
        indices.push(column);
        values.push(value);
      }
      starts.push(indices.length);
      rowLower[row] = lower;
      rowUpper[row] = upper;
      return row++;
    };

    const battery = home.battery;
    const ev = home.ev;
    const heatPump = home.heatPump;
    const batteryEta = battery ? chargeEfficiency(battery) : 1;
    const evEta = ev ? chargeEfficiency(ev) : 1;
    const evTargetKwh = ev ? (ev.capacityKwh * home.preferences.evTargetSocPct) / 100 : 0;
    const decay = heatPump ? thermalDecay(heatPump.thermal, dtHours) : 0;
    const resistance = heatPump ? heatPump.thermal.resistanceCPerKw : 0;
    const copCoefficients: number[] = [];
    const temperatureRows: number[] = [];

    for (let t = 0; t < steps; t++) {
      const c = this.columns[t] as StepColumns;
      const previous = t > 0 ? (this.columns[t - 1] as StepColumns) : undefined;
      this.ownImportCostGbpPerKwh[t] =
        weights.cost * (forecast.importPriceGbpPerKwh[t] ?? 0) +
        weights.carbon * (forecast.carbonKgPerKwh[t] ?? 0) * valuation.carbonValueGbpPerKg +
        weights.autarky * valuation.autarkyValueGbpPerKwh;
      // A meter nets each step, so importing and exporting at once is not real. Where an export rate beats
      // the import rate the LP would invent such flows (unbounded), so export is valued at most at the
      // import rate; a plan that exports then earns more than it counted on, never less.
      const importPrice = forecast.importPriceGbpPerKwh[t] ?? 0;
      const exportPrice = Math.min(forecast.exportPriceGbpPerKwh[t] ?? 0, importPrice);
      this.ownExportValueGbpPerKwh[t] = weights.cost * exportPrice;
      const importLimitKw = context.signals?.importLimitKw?.[t];
      colUpper[c.importKw] = Math.max(0, Math.min(SERVICE_LIMIT_KW, importLimitKw ?? SERVICE_LIMIT_KW));
      colUpper[c.exportKw] = SERVICE_LIMIT_KW;

      // Power balance: import − export − battery − ev − heat pump = base load − PV.
      const balance: [number, number][] = [
        [c.importKw, 1],
        [c.exportKw, -1],
      ];
      if (battery) balance.push([c.batteryChargeKw, -1], [c.batteryDischargeKw, 1]);
      if (ev) balance.push([c.evChargeKw, -1]);
      if (heatPump) balance.push([c.heatPumpKw, -1]);
      const netLoadKw = (forecast.baseLoadKw[t] ?? 0) - (forecast.pvAvailableKw[t] ?? 0);
      addRow(balance, netLoadKw, netLoadKw);

      if (battery) {
        colUpper[c.batteryChargeKw] = battery.maxChargeKw;
        colUpper[c.batteryDischargeKw] = battery.maxDischargeKw;
        colUpper[c.batterySocKwh] = battery.capacityKwh;
        cost[c.batteryChargeKw] = CYCLE_COST_GBP_PER_KWH * dtHours;
        cost[c.batteryDischargeKw] = CYCLE_COST_GBP_PER_KWH * dtHours;
        const entries: [number, number][] = [
          [c.batterySocKwh, 1],
          [c.batteryChargeKw, -batteryEta * dtHours],
          [c.batteryDischargeKw, dtHours / batteryEta],
        ];
        if (previous) entries.push([previous.batterySocKwh, -1]);
        const rhs = previous ? 0 : Math.min(battery.capacityKwh, state.batterySocKwh);
        addRow(entries, rhs, rhs);
      }

      if (ev) {
        const atHome = forecast.evAtHome[t] === 1;
        colUpper[c.evChargeKw] = atHome ? ev.maxChargeKw : 0;
        colUpper[c.evSocKwh] = ev.capacityKwh;
        // The ready-by promise: full target at the end of the step before the EV leaves.
        const leavesNext = t + 1 < steps && (forecast.evTripKwh[t + 1] ?? 0) > 0;
        colLower[c.evSocKwh] = leavesNext ? evTargetKwh : 0;
        cost[c.evTopUpKwh] = PROMISE_PENALTY_GBP_PER_KWH;
        const entries: [number, number][] = [
          [c.evSocKwh, 1],
          [c.evChargeKw, -evEta * dtHours],
          [c.evTopUpKwh, -1],
        ];
        if (previous) entries.push([previous.evSocKwh, -1]);
        const tripKwh = forecast.evTripKwh[t] ?? 0;
        const rhs = (previous ? 0 : Math.min(ev.capacityKwh, state.evSocKwh)) - tripKwh;
        addRow(entries, rhs, rhs);
      }

      if (heatPump) {
        const outdoorC = forecast.outdoorC[t] ?? 0;
        colUpper[c.heatPumpKw] = heatPump.maxElectricKw;
        colLower[c.indoorC] = home.preferences.comfortMinC;
        colUpper[c.indoorC] = home.preferences.comfortMaxC;
        cost[c.missingHeatKw] = PROMISE_PENALTY_GBP_PER_KWH * dtHours;
        cost[c.excessHeatKw] = PROMISE_PENALTY_GBP_PER_KWH * dtHours;
        // T_t − decay·T_{t−1} − (1−decay)·R·(COP·hp + missing − excess) = (1−decay)·(T_out + R·gains)
        const gain = (1 - decay) * resistance;
        const copCoefficient = -gain * heatPumpCop(heatPump, outdoorC);
        copCoefficients.push(copCoefficient);
        const entries: [number, number][] = [
          [c.indoorC, 1],
          [c.heatPumpKw, copCoefficient],
          [c.missingHeatKw, -gain],
          [c.excessHeatKw, gain],
        ];
        if (previous) entries.push([previous.indoorC, -decay]);
        const rhs =
          (1 - decay) * (outdoorC + resistance * heatPump.thermal.gainsKw) +
          (previous ? 0 : decay * state.indoorC);
        temperatureRows.push(addRow(entries, rhs, rhs));
      }
    }

    this.priceNetImports(context.signals?.extraNetImportPriceGbpPerKwh, dtHours);
    this.temperatureRows = temperatureRows;
    return { starts, indices, values, copCoefficients };
  }

  /**
   * Sets the import and export columns' costs (and the battery's terminal value, which follows the imports')
   * for extra prices on net import: an import pays the price, an export earns it (pays it when negative), so
   * importing and exporting at once still gains nothing.
   */
  private priceNetImports(extraGbpPerKwh: ArrayLike<number> | undefined, dtHours: number): void {
    const steps = this.horizonSteps;
    let minImportCostGbpPerKwh = this.highs.infinity;
    for (let t = 0; t < steps; t++) {
      const extra = extraGbpPerKwh?.[t] ?? 0;
      const importCost = (this.ownImportCostGbpPerKwh[t] as number) + extra;
      minImportCostGbpPerKwh = Math.min(minImportCostGbpPerKwh, importCost);
      const columns = this.columns[t] as StepColumns;
      const earliness = earlinessGbpPerKwh(t, steps);
      this.cost[columns.importKw] = (importCost + earliness) * dtHours;
      this.cost[columns.exportKw] =
        (earliness - (this.ownExportValueGbpPerKwh[t] as number) - extra) * dtHours;
    }
    // Energy left in the battery at the end is worth what it saves later, valued cautiously at a share of
    // the horizon's cheapest import: high enough that surplus PV is stored rather than exported cheaply, low
    // enough that stored energy is used within the horizon rather than held (a tie would leave it idle).
    const battery = this.home.battery;
    if (battery) {
      const last = this.columns[steps - 1] as StepColumns;
      this.cost[last.batterySocKwh] =
        -TERMINAL_VALUE_SHARE * chargeEfficiency(battery) * Math.max(0, minImportCostGbpPerKwh);
    }
  }

  private extract(x: Float64Array, objectiveGbp: number): HomeLpSolution {
    const steps = this.horizonSteps;
    const value = (column: number): number => (column < 0 ? 0 : (x[column] ?? 0));
    const solution: HomeLpSolution = {
      batteryKw: new Float64Array(steps),
      evKw: new Float64Array(steps),
      heatPumpKw: new Float64Array(steps),
      importKw: new Float64Array(steps),
      exportKw: new Float64Array(steps),
      indoorC: new Float64Array(steps),
      evSocKwh: new Float64Array(steps),
      evTopUpKwh: new Float64Array(steps),
      missingHeatKw: new Float64Array(steps),
      excessHeatKw: new Float64Array(steps),
      objectiveGbp,
    };
    for (let t = 0; t < steps; t++) {
      const c = this.columns[t] as StepColumns;
      solution.batteryKw[t] = value(c.batteryChargeKw) - value(c.batteryDischargeKw);
      solution.evKw[t] = value(c.evChargeKw);
      solution.heatPumpKw[t] = value(c.heatPumpKw);
      solution.importKw[t] = value(c.importKw);
      solution.exportKw[t] = value(c.exportKw);
      solution.indoorC[t] = value(c.indoorC);
      solution.evSocKwh[t] = value(c.evSocKwh);
      solution.evTopUpKwh[t] = value(c.evTopUpKwh);
      solution.missingHeatKw[t] = value(c.missingHeatKw);
      solution.excessHeatKw[t] = value(c.excessHeatKw);
    }
    return solution;
  }

  dispose(): void {
    this.model.dispose();
  }
}
