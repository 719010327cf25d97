import type { Highs } from 'highs';
import type { HomeSpec } from '../homes/index.js';
import { HomeLp, type HomeLpSolution } from './home-lp.js';
import { formatClock, type Plan, type PlanContext, type Policy, pence } from './policy.js';

/** Options of {@link SelfishPolicy}. */
export interface SelfishPolicyOptions {
  /** Look-ahead of each plan in steps (default 72: 36 h at 30 min, so the next morning's ready-by is in view). */
  horizonSteps?: number;
  /** Steps executed before re-planning (default 48: once a day at 30 min). */
  replanEverySteps?: number;
}

/** Below this an LP slack or a flow is numerical noise. */
const EPSILON = 1e-6;

/**
 * Each home minimises its own resident's weighted objective (cost, carbon, autarky) over a rolling
 * horizon, one LP per home per re-plan (HiGHS), blind to the network. Homes without a battery, EV or heat
 * pump have nothing to decide and get no LP.
 */
export class SelfishPolicy implements Policy {
  readonly name: string = 'selfish';
  readonly horizonSteps: number;
  readonly replanEverySteps: number;
  readonly reviewsTariff = true;
  private readonly problems = new Map<string, HomeLp>();

  constructor(
    private readonly highs: Highs,
    options: SelfishPolicyOptions = {},
  ) {
    this.horizonSteps = options.horizonSteps ?? 72;
    this.replanEverySteps = options.replanEverySteps ?? 48;
    if (!(this.replanEverySteps >= 1 && this.replanEverySteps <= this.horizonSteps)) {
      throw new RangeError('replanEverySteps must be between 1 and horizonSteps');
    }
  }

  plan(context: PlanContext): Plan {
    const { home } = context;
    if (!home.battery && !home.ev && !home.heatPump) {
      const zeros = new Float64Array(this.horizonSteps);
      return { batteryKw: zeros, evKw: zeros, heatPumpKw: zeros, cannotKeep: [] };
    }
    const solution = this.problemFor(home).solve(context);
    return {
      batteryKw: solution.batteryKw,
      evKw: solution.evKw,
      heatPumpKw: solution.heatPumpKw,
      explanation: this.explain(context, solution),
      cannotKeep: this.brokenPromises(context, solution),
    };
  }

  dispose(): void {
    for (const problem of this.problems.values()) problem.dispose();
    this.problems.clear();
  }

  private problemFor(home: HomeSpec): HomeLp {
    let problem = this.problems.get(home.id);
    if (!problem) {
      problem = new HomeLp(this.highs, home, this.horizonSteps);
      this.problems.set(home.id, problem);
    }
    return problem;
  }

  /** Summarises the part of the plan that will run before the next re-plan. */
  private explain(context: PlanContext, solution: HomeLpSolution): string {
    const { forecast, dtHours, home } = context;
    const window = Math.min(this.replanEverySteps, this.horizonSteps);
    const prices = forecast.importPriceGbpPerKwh;
    const windowMeanPrice = mean(prices, window);
    const parts: string[] = [];
    /** kWh of a flow in the window, how much of it the grid supplied, and that grid energy's price and carbon. */
    const paid = (series: Float64Array, sign: 1 | -1) => {
      let kwh = 0;
      let gridKwh = 0;
      let cost = 0;
      let carbonKg = 0;
      let first = -1;
      let last = -1;
      for (let t = 0; t < window; t++) {
        const kw = sign * (series[t] ?? 0);
        if (kw <= EPSILON) continue;
        // Charging draws on the grid only for what the home imports at that step (the rest is PV surplus);
        // discharging is valued at the import it avoids.
        const fromGridKw = sign > 0 ? Math.min(kw, solution.importKw[t] ?? 0) : kw;
        kwh += kw * dtHours;
        gridKwh += fromGridKw * dtHours;
        cost += fromGridKw * dtHours * (prices[t] ?? 0);
        carbonKg += fromGridKw * dtHours * (forecast.carbonKgPerKwh[t] ?? 0);
        if (first < 0) first = t;
        last = t;
      }
      return {
        kwh,
        fromPvKwh: kwh - gridKwh,
        price: gridKwh > 0 ? cost / gridKwh : 0,
        carbonG: gridKwh > 0 ? (1000 * carbonKg) / gridKwh : 0,
        first,
        last,
      };
    };
    let windowCarbonKg = 0;
    for (let t = 0; t < window; t++) windowCarbonKg += forecast.carbonKgPerKwh[t] ?? 0;
    const windowMeanCarbonG = (1000 * windowCarbonKg) / Math.max(1, window);
    const cleaner = (flow: { carbonG: number }) =>
      home.preferences.weights.carbon > 0
        ? `, ${flow.carbonG.toFixed(0)} g/kWh (day average ${windowMeanCarbonG.toFixed(0)})`
        : '';
    const fromPv = (flow: { fromPvKwh: number }) =>
      flow.fromPvKwh > 0.05 ? ` (${flow.fromPvKwh.toFixed(1)} kWh from PV surplus)` : '';
    const span = (first: number, last: number): string => {
      const endMinute = (forecast.minuteOfDay[last] ?? 0) + dtHours * 60;
      return `${formatClock(forecast.minuteOfDay[first] ?? 0)}–${endMinute === 1440 ? '24:00' : formatClock(endMinute)}`;
    };

    if (home.ev) {
      const charged = paid(solution.evKw, 1);
      if (charged.kwh > EPSILON) {
        parts.push(
          `EV ${charged.kwh.toFixed(1)} kWh${fromPv(charged)} in ${span(charged.first, charged.last)} at ${pence(charged.price)} (day average ${pence(windowMeanPrice)})${cleaner(charged)} to reach ${home.preferences.evTargetSocPct} % by ${formatClock(home.preferences.evReadyByMinute)}`,
        );
      }
    }
    if (home.battery) {
      const charged = paid(solution.batteryKw, 1);
      const discharged = paid(solution.batteryKw, -1);
      if (charged.kwh > EPSILON || discharged.kwh > EPSILON) {
        parts.push(
          `battery stores ${charged.kwh.toFixed(1)} kWh${fromPv(charged)}${charged.kwh - charged.fromPvKwh > 0.05 ? ` at ${pence(charged.price)}` : ''}, releases ${discharged.kwh.toFixed(1)} kWh instead of importing at ${pence(discharged.price)}`,
        );
      }
    }
    if (home.heatPump) {
      const heating = paid(solution.heatPumpKw, 1);
      let minC = Number.POSITIVE_INFINITY;
      let maxC = Number.NEGATIVE_INFINITY;
      for (let t = 0; t < window; t++) {
        minC = Math.min(minC, solution.indoorC[t] ?? 0);
        maxC = Math.max(maxC, solution.indoorC[t] ?? 0);
      }
      if (heating.kwh > EPSILON) {
        parts.push(
          `heat pump ${heating.kwh.toFixed(1)} kWh${fromPv(heating)} at ${pence(heating.price)} (day average ${pence(windowMeanPrice)})${cleaner(heating)}, indoors ${minC.toFixed(1)}–${maxC.toFixed(1)} °C`,
        );
      }
    }
    const weights = home.preferences.weights;
    const objective = `weights cost ${weights.cost}/carbon ${weights.carbon}/autarky ${weights.autarky}`;
    return parts.length > 0 ? `${parts.join('; ')} (${objective})` : `nothing to shift (${objective})`;
  }

  private brokenPromises(context: PlanContext, solution: HomeLpSolution): string[] {
    const { home, dtHours } = context;
    const window = Math.min(this.replanEverySteps, this.horizonSteps);
    const notes: string[] = [];
    const evShortKwh = sum(solution.evTopUpKwh, window);
    if (evShortKwh > 1e-4) {
      notes.push(
        `EV cannot reach ${home.preferences.evTargetSocPct} % by ${formatClock(home.preferences.evReadyByMinute)}: ${evShortKwh.toFixed(2)} kWh short (charger too slow or plugged in too late)`,
      );
    }
    const missingKwh = sum(solution.missingHeatKw, window) * dtHours;
    if (missingKwh > 1e-4) {
      notes.push(
        `heat pump cannot hold ${home.preferences.comfortMinC} °C: ${missingKwh.toFixed(2)} kWh of heat short`,
      );
    }
    const excessKwh = sum(solution.excessHeatKw, window) * dtHours;
    if (excessKwh > 1e-4) {
      notes.push(
        `house above ${home.preferences.comfortMaxC} °C without cooling: ${excessKwh.toFixed(2)} kWh of heat to shed`,
      );
    }
    return notes;
  }
}

function sum(values: Float64Array, count: number): number {
  let total = 0;
  for (let t = 0; t < count; t++) total += values[t] ?? 0;
  return total;
}

function mean(values: Float64Array, count: number): number {
  return count > 0 ? sum(values, count) / count : 0;
}
