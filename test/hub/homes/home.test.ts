import { describe, expect, it } from 'vitest';
import {
  applyStoragePower,
  drawEvPattern,
  evaluateCurve,
  heatPumpCop,
  heatToReachKw,
  initialHomeState,
  nextIndoorC,
  pvOutput,
  stepHome,
} from '../../../hub/homes/index.js';
import { createRng } from '../../../hub/random.js';
import { fullHome } from './fixtures.js';

describe('stepHome', () => {
  it('keeps the energy balance exactly at every step, whatever the agent asks', () => {
    const home = fullHome();
    const state = initialHomeState(home);
    const rng = createRng(7);
    for (let step = 0; step < 2000; step++) {
      const result = stepHome(
        home,
        state,
        { batteryKw: rng.uniform(-8, 8), evKw: rng.uniform(-2, 10), heatPumpKw: rng.uniform(-1, 4) },
        {
          dtHours: 0.5,
          baseLoadKw: rng.uniform(0.1, 3),
          irradianceWPerM2: rng.uniform(0, 1000),
          outdoorC: rng.uniform(-5, 25),
          voltsLn: rng.uniform(215, 255),
          evAtHome: rng.next() < 0.7,
          evTripKwh: rng.next() < 0.05 ? rng.uniform(1, 60) : 0,
        },
      );
      const drawnKwh =
        (result.baseLoadKw + result.batteryKw + result.evKw + result.heatPumpKw - result.pvKw) * 0.5;
      expect(result.importKwh - result.exportKwh).toBeCloseTo(drawnKwh, 12);
      expect(Math.min(result.importKwh, result.exportKwh)).toBe(0);
      expect(state.batterySocKwh).toBeGreaterThanOrEqual(0);
      expect(state.batterySocKwh).toBeLessThanOrEqual(10 + 1e-12);
      expect(state.evSocKwh).toBeGreaterThanOrEqual(0);
      expect(state.evSocKwh).toBeLessThanOrEqual(60 + 1e-12);
      expect(result.heatPumpKw).toBeLessThanOrEqual(3);
      expect(result.evKw).toBeGreaterThanOrEqual(0);
    }
  });

  it('does not charge an EV that is away', () => {
    const home = fullHome();
    const state = initialHomeState(home);
    const result = stepHome(
      home,
      state,
      { batteryKw: 0, evKw: 7, heatPumpKw: 0 },
      {
        dtHours: 0.5,
        baseLoadKw: 0.5,
        irradianceWPerM2: 0,
        outdoorC: 10,
        voltsLn: 230,
        evAtHome: false,
        evTripKwh: 0,
      },
    );
    expect(result.evKw).toBe(0);
    expect(state.evSocKwh).toBe(24);
  });
});

describe('storage', () => {
  it('loses the round-trip efficiency between charging and discharging', () => {
    const spec = { capacityKwh: 10, maxChargeKw: 5, maxDischargeKw: 5, roundTripEfficiency: 0.81 };
    const charged = applyStoragePower(spec, 0, 4, 1);
    expect(charged.socKwh).toBeCloseTo(3.6, 12);
    const discharged = applyStoragePower(spec, charged.socKwh, -10, 1);
    expect(discharged.pKw).toBeCloseTo(-3.24, 12);
    expect(discharged.socKwh).toBeCloseTo(0, 12);
  });
});

describe('smart inverter', () => {
  const spec = fullHome().pv;
  it('Volt-Watt curtails above 243.8 V and Volt-VAr absorbs reactive power at high voltage', () => {
    if (!spec) throw new Error('fixture has PV');
    expect(pvOutput(spec, 3, 235).curtailedKw).toBe(0);
    const high = pvOutput(spec, 3.5, 253);
    expect(high.pKw).toBeCloseTo(3.68 * 0.2, 12);
    expect(high.qKvar).toBeGreaterThan(0);
    const low = pvOutput(spec, 1, 212);
    expect(low.qKvar).toBeLessThan(0);
    expect(evaluateCurve(spec.voltWatt ?? { volts: [], values: [] }, 248.4)).toBeCloseTo(0.6, 12);
  });
  it('sleeps, with no reactive power, while the panels offer under its cut-out (2 % of its kVA by default)', () => {
    if (!spec) throw new Error('fixture has PV');
    expect(pvOutput(spec, 0, 253).qKvar).toBe(0);
    expect(pvOutput(spec, 0.079, 212).qKvar).toBe(0);
    expect(pvOutput(spec, 0.08, 253).qKvar).toBeGreaterThan(0);
    // A cut-out of 0: the inverter stays on and answers the voltage at night too.
    expect(pvOutput({ ...spec, cutOutPct: 0 }, 0, 253).qKvar).toBeCloseTo(0.44 * spec.inverterKva, 12);
  });
  it('gives reactive power only from the apparent power active power leaves', () => {
    if (!spec) throw new Error('fixture has PV');
    const out = pvOutput({ ...spec, voltWatt: undefined }, 3.68, 250);
    expect(out.pKw ** 2 + out.qKvar ** 2).toBeLessThanOrEqual(spec.inverterKva ** 2 + 1e-9);
  });
});

describe('heat pump and house', () => {
  const home = fullHome();
  const heatPump = home.heatPump;
  it('reaches the temperature heatToReachKw asks for', () => {
    if (!heatPump) throw new Error('fixture has a heat pump');
    const heatKw = heatToReachKw(heatPump.thermal, 18, 2, 19.5, 0.5);
    expect(nextIndoorC(heatPump.thermal, 18, 2, heatKw, 0.5)).toBeCloseTo(19.5, 10);
  });
  it('settles at T_out + R·(heat + gains) and has a seasonal COP near 2.8 around 5 °C', () => {
    if (!heatPump) throw new Error('fixture has a heat pump');
    let indoorC = 20;
    for (let step = 0; step < 2000; step++) indoorC = nextIndoorC(heatPump.thermal, indoorC, 5, 2, 0.5);
    expect(indoorC).toBeCloseTo(5 + 5 * 2.3, 6);
    expect(heatPumpCop(heatPump, 5)).toBeCloseTo(2.84, 10);
    expect(heatPumpCop(heatPump, -30)).toBe(1.5);
  });
});

describe('EV pattern', () => {
  it('is the same for the same seed, leaves after the ready-by time and never needs more than the target', () => {
    const home = fullHome();
    const ev = home.ev;
    if (!ev) throw new Error('fixture has an EV');
    const draw = (seed: number) =>
      drawEvPattern({
        habits: {
          readyByMinute: 450,
          weekdayTripProbability: 0.9,
          weekendTripProbability: 0.5,
          awayHoursMin: 4,
          awayHoursMax: 10,
          tripKwhMin: 3,
          tripKwhMax: 80,
        },
        spec: ev,
        targetSocPct: 80,
        stepMinutes: 30,
        stepCount: 48 * 28,
        firstDayOfYear: 0,
        random: createRng(seed).next,
      });
    const a = draw(1);
    expect(draw(1)).toEqual(a);
    expect(draw(2)).not.toEqual(a);
    expect(a.departureSteps.length).toBeGreaterThan(10);
    for (const step of a.departureSteps) {
      expect((step % 48) * 30).toBeGreaterThanOrEqual(450);
      expect(a.atHome[step]).toBe(0);
      expect(a.tripKwh[step]).toBeLessThanOrEqual(48);
    }
  });

  it("draws each day of the year's trips from that day, whatever day the span starts on", () => {
    const ev = fullHome().ev;
    if (!ev) throw new Error('fixture has an EV');
    const draw = (firstDayOfYear: number, days: number) =>
      drawEvPattern({
        habits: {
          readyByMinute: 450,
          weekdayTripProbability: 0.6,
          weekendTripProbability: 0.3,
          awayHoursMin: 4,
          awayHoursMax: 10,
          tripKwhMin: 3,
          tripKwhMax: 40,
        },
        spec: ev,
        targetSocPct: 80,
        stepMinutes: 30,
        stepCount: 48 * days,
        firstDayOfYear,
        random: createRng(7).next,
      });
    const fromDay0 = draw(0, 40);
    const fromDay30 = draw(30, 10);
    const day30 = 30 * 48;
    expect(Array.from(fromDay30.atHome)).toEqual(Array.from(fromDay0.atHome.subarray(day30)));
    expect(Array.from(fromDay30.tripKwh)).toEqual(Array.from(fromDay0.tripKwh.subarray(day30)));
    expect(fromDay30.departureSteps).toEqual(
      fromDay0.departureSteps.filter((step) => step >= day30).map((step) => step - day30),
    );
    expect(fromDay30.departureSteps.length).toBeGreaterThan(0);
  });
});
