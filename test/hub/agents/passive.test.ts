import { describe, expect, it } from 'vitest';
import { type HomeForecast, PassivePolicy, type PlanContext } from '../../../hub/agents/index.js';
import { initialHomeState, nextIndoorC } from '../../../hub/homes/index.js';
import { fullHome } from '../homes/fixtures.js';

function context(
  overrides: { evAtHome?: number; pvKw?: number; evSocKwh?: number; indoorC?: number } = {},
): PlanContext {
  const home = fullHome();
  const forecast: HomeForecast = {
    baseLoadKw: Float64Array.of(0.5),
    pvAvailableKw: Float64Array.of(overrides.pvKw ?? 0),
    outdoorC: Float64Array.of(2),
    importPriceGbpPerKwh: Float64Array.of(0.26),
    exportPriceGbpPerKwh: Float64Array.of(0.04),
    carbonKgPerKwh: Float64Array.of(0.2),
    evAtHome: Uint8Array.of(overrides.evAtHome ?? 1),
    evTripKwh: Float64Array.of(0),
    minuteOfDay: Int32Array.of(18 * 60),
  };
  const state = initialHomeState(home);
  if (overrides.evSocKwh !== undefined) state.evSocKwh = overrides.evSocKwh;
  if (overrides.indoorC !== undefined) state.indoorC = overrides.indoorC;
  return {
    home,
    state,
    step: 0,
    dtHours: 0.5,
    horizonSteps: 1,
    forecast,
    valuation: { carbonValueGbpPerKg: 0.25, autarkyValueGbpPerKwh: 0.1 },
  };
}

describe('passive policy', () => {
  it('charges a plugged-in EV at full rate up to the target, says so once, and stops there', () => {
    const passive = new PassivePolicy();
    const first = passive.plan(context());
    expect(first.evKw[0]).toBe(7);
    expect(first.explanation).toMatch(
      /EV plugged in at 18:00 with 24\.0 kWh: charging at 7\.0 kW to 48\.0 kWh/,
    );
    expect(passive.plan(context()).explanation).toBeUndefined();
    expect(passive.plan(context({ evSocKwh: 48 })).evKw[0]).toBe(0);
    expect(passive.plan(context({ evAtHome: 0 })).evKw[0]).toBe(0);
  });

  it('heats to half a degree above the comfort minimum and no more', () => {
    const home = fullHome();
    const thermal = home.heatPump?.thermal;
    if (!thermal) throw new Error('fixture has a heat pump');
    const plan = new PassivePolicy().plan(context({ indoorC: 19.4 }));
    const cop = 3 + 0.08 * (2 - 7);
    expect(nextIndoorC(thermal, 19.4, 2, (plan.heatPumpKw[0] ?? 0) * cop, 0.5)).toBeCloseTo(19.5, 9);
    expect(plan.cannotKeep).toEqual([]);
    // From 17 °C the 3 kW unit cannot get there in one step: it runs flat out and says so.
    const cold = new PassivePolicy().plan(context({ indoorC: 17 }));
    expect(cold.heatPumpKw[0]).toBe(3);
    expect(cold.cannotKeep.join()).toMatch(
      /heat pump at its 3 kW limit cannot reach 19\.5 °C \(2\.0 °C outside, 17\.0 °C inside\)/,
    );
    expect(new PassivePolicy().plan(context({ indoorC: 22 })).heatPumpKw[0]).toBe(0);
  });

  it('uses the battery for self-consumption: stores surplus PV, covers the deficit', () => {
    const passive = new PassivePolicy();
    const sunny = passive.plan(context({ pvKw: 3, evAtHome: 0, indoorC: 22 }));
    expect(sunny.batteryKw[0]).toBeCloseTo(2.5, 12);
    const dark = passive.plan(context({ evAtHome: 0, indoorC: 22 }));
    expect(dark.batteryKw[0]).toBeCloseTo(-0.5, 12);
    expect(passive.tariffChoice).toBe('none');
  });
});
