/**
 * Explanations of plans in words with their numbers: what runs when, at what price, and which promises a
 * plan cannot keep. One short sentence per asset; the year runs log them, the live table shows them.
 */
import type { HomeLpSolution } from './home-lp.js';
import { formatClock, type PlanContext, pence } from './policy.js';

/** Below this an LP slack or a flow is numerical noise. */
const EPSILON = 1e-6;

/** What an explanation reads of a plan: the setpoints, the grid import they lead to, and (if known) the indoor temperature. */
export interface ExplainedPlan {
  batteryKw: Float64Array;
  evKw: Float64Array;
  heatPumpKw: Float64Array;
  importKw: Float64Array;
  indoorC?: Float64Array;
}

/** Summarises the first `window` steps of a plan (the part that runs before the next re-plan). */
export function explainPlan(context: PlanContext, solution: ExplainedPlan, window: number): string {
  const { forecast, dtHours, home } = context;
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
    if (heating.kwh > EPSILON) {
      parts.push(
        `heat pump ${heating.kwh.toFixed(1)} kWh${fromPv(heating)} at ${pence(heating.price)} (day average ${pence(windowMeanPrice)})${cleaner(heating)}${indoorRange(solution.indoorC, window)}`,
      );
    }
  }
  const weights = home.preferences.weights;
  const objective = `weights cost ${weights.cost}/carbon ${weights.carbon}/autarky ${weights.autarky}`;
  return parts.length > 0 ? `${parts.join('; ')} (${objective})` : `nothing to shift (${objective})`;
}

/** The promises (EV ready-by, comfort band) an LP solution cannot keep in its first `window` steps. */
export function brokenPromises(context: PlanContext, solution: HomeLpSolution, window: number): string[] {
  const { home, dtHours } = context;
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

/** ", indoors a–b °C" over the window, when the plan knows the indoor temperature. */
function indoorRange(indoorC: Float64Array | undefined, window: number): string {
  if (!indoorC) return '';
  let minC = Number.POSITIVE_INFINITY;
  let maxC = Number.NEGATIVE_INFINITY;
  for (let t = 0; t < window; t++) {
    minC = Math.min(minC, indoorC[t] ?? 0);
    maxC = Math.max(maxC, indoorC[t] ?? 0);
  }
  return `, indoors ${minC.toFixed(1)}–${maxC.toFixed(1)} °C`;
}

function sum(values: Float64Array, count: number): number {
  let total = 0;
  for (let t = 0; t < count; t++) total += values[t] ?? 0;
  return total;
}

function mean(values: Float64Array, count: number): number {
  return count > 0 ? sum(values, count) / count : 0;
}
