import type { HomeForecast, PlanContext } from '../../../hub/agents/index.js';
import { initialHomeState } from '../../../hub/homes/index.js';
import { fullHome } from '../homes/fixtures.js';

/** A plan's horizon in the fixtures: 36 hours of 30-minute steps. */
export const STEPS = 72;

/** A forecast with a cheap night (00:00–05:00 at 8 p) and 30 p otherwise, EV home except a trip at 08:00. */
export function forecast(options: { outdoorC?: number } = {}): HomeForecast {
  const f: HomeForecast = {
    baseLoadKw: new Float64Array(STEPS).fill(0.4),
    pvAvailableKw: new Float64Array(STEPS),
    outdoorC: new Float64Array(STEPS).fill(options.outdoorC ?? 5),
    importPriceGbpPerKwh: new Float64Array(STEPS),
    exportPriceGbpPerKwh: new Float64Array(STEPS).fill(0.05),
    carbonKgPerKwh: new Float64Array(STEPS).fill(0.2),
    evAtHome: new Uint8Array(STEPS).fill(1),
    evTripKwh: new Float64Array(STEPS),
    minuteOfDay: new Int32Array(STEPS),
  };
  for (let t = 0; t < STEPS; t++) {
    f.minuteOfDay[t] = (t * 30) % 1440;
    f.importPriceGbpPerKwh[t] = (f.minuteOfDay[t] ?? 0) < 300 ? 0.08 : 0.3;
  }
  f.evTripKwh[16] = 10;
  f.evAtHome.fill(0, 16, 36);
  return f;
}

/** The full fixture home's plan context at step 0 with {@link forecast}'s prices. */
export function context(overrides: Partial<PlanContext> = {}): PlanContext {
  const home = overrides.home ?? fullHome();
  return {
    home,
    state: initialHomeState(home),
    step: 0,
    dtHours: 0.5,
    horizonSteps: STEPS,
    forecast: forecast(),
    valuation: { carbonValueGbpPerKg: 0.25, autarkyValueGbpPerKwh: 0.1 },
    ...overrides,
  };
}
