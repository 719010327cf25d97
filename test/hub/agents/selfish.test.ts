import { afterAll, describe, expect, it } from 'vitest';
import { createPolicy, type HomeForecast, type PlanContext, type Policy } from '../../../hub/agents/index.js';
import { initialHomeState } from '../../../hub/homes/index.js';
import { fullHome } from '../homes/fixtures.js';

const STEPS = 72;

/** A forecast with a cheap night (00:00–05:00 at 8 p) and 30 p otherwise, EV home except a trip at 08:00. */
function forecast(options: { outdoorC?: number } = {}): HomeForecast {
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

function context(overrides: Partial<PlanContext> = {}): PlanContext {
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

describe('selfish policy', () => {
  let selfish: Policy;
  afterAll(() => selfish?.dispose());

  it('charges the EV in the cheap night to reach the target by the ready-by time, and says so', async () => {
    selfish = await createPolicy('selfish');
    const plan = selfish.plan(context());
    let nightKwh = 0;
    let dayKwh = 0;
    for (let t = 0; t < 16; t++) {
      if (t < 10) nightKwh += (plan.evKw[t] ?? 0) * 0.5;
      else dayKwh += (plan.evKw[t] ?? 0) * 0.5;
    }
    // 40 % → 80 % of 60 kWh at √0.9 charging efficiency.
    expect(nightKwh).toBeCloseTo(24 / Math.sqrt(0.9), 6);
    expect(dayKwh).toBeCloseTo(0, 6);
    expect(plan.cannotKeep).toEqual([]);
    expect(plan.explanation).toMatch(/EV 25\.3 kWh in 0\d:\d\d–05:00 at 8\.0 p\/kWh/);
    // The heat pump pre-heats in the cheap hours and the house stays in the band.
    expect(plan.heatPumpKw.slice(0, 10).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
  });

  it('says when the ready-by promise cannot be kept', () => {
    const home = fullHome();
    const slowHome = { ...home, ev: home.ev && { ...home.ev, maxChargeKw: 2 } };
    const plan = selfish.plan(context({ home: slowHome }));
    expect(plan.cannotKeep.join()).toMatch(/EV cannot reach 80 % by 07:30: \d+\.\d+ kWh short/);
  });

  it('says when the heat pump is too small for the comfort band', () => {
    const home = fullHome();
    const smallHeatPump = home.heatPump && { ...home.heatPump, maxElectricKw: 0.5 };
    const plan = selfish.plan(
      context({
        home: { ...home, id: 'cold', heatPump: smallHeatPump },
        forecast: forecast({ outdoorC: -10 }),
      }),
    );
    expect(plan.cannotKeep.join()).toMatch(/heat pump cannot hold 19 °C/);
  });
});
