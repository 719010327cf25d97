import { describe, expect, it } from 'vitest';
import { coordinateByPrices, type HomeResponse } from '../../../hub/agents/coordination.js';
import type { NetworkView } from '../../../hub/agents/fleet.js';
import { getHighs } from '../../../hub/agents/registry.js';
import {
  type InverterResponse,
  inverterResponses,
  ROW_VIOLATION_GBP_PER_UNIT,
  voltageLimits,
} from '../../../hub/agents/voltage-rows.js';
import { predictVolts, STATUTORY_VOLTS } from '../../../hub/feeder/index.js';
import { baseLoadQKvar, INVERTER_SETTLED_KW, pvOutput } from '../../../hub/homes/index.js';
import { loadRunInputs } from '../../../hub/sim/inputs.js';
import { streetVoltageModel } from '../../../hub/study/street-context.js';
import { context, forecast, STEPS } from './plan-fixtures.js';

// The table street's eight homes, each with a base load that changes by the step (light at night) and PV by
// day, and a plan that swings between exporting 3 kW and importing 7 kW: voltages across the Volt-VAr curve.
const inputs = loadRunInputs('scenarios/table.yaml');
const { model } = streetVoltageModel(inputs.feeder, inputs.scenario);
const homes = inputs.scenario.homes.map(({ spec }) => spec);
const view: NetworkView = {
  transformerLimitKw: 100,
  voltage: {
    model,
    minVolts: STATUTORY_VOLTS.min,
    maxVolts: STATUTORY_VOLTS.max,
    homeIds: homes.map(({ id }) => id),
  },
};
const contexts = homes.map((home, h) => {
  const homeForecast = forecast();
  for (let t = 0; t < STEPS; t++) {
    homeForecast.baseLoadKw[t] = 0.1 + 0.15 * ((t + h) % 10);
    homeForecast.pvAvailableKw[t] = t >= 16 && t < 32 ? 3 : 0;
  }
  return context({ home, forecast: homeForecast });
});
const netImportKw = homes.map((_, h) =>
  Float64Array.from({ length: STEPS }, (_, t) => ((t * 7 + h * 3) % 11) - 3),
);
const rowOf = (h: number) => (model.rowsOfLoad[h] as number[])[0] as number;

describe('voltage rows', () => {
  const inverters = inverterResponses(view, contexts, STEPS, netImportKw) ?? [];
  /** The homes' net imports as the engine runs the plan: the PV each Volt-Watt holds back is imported. */
  const executedNetAt = (t: number) =>
    Float64Array.from(
      netImportKw,
      (net, h) => (net[t] as number) + ((inverters[h]?.curtailedKw[t] as number) ?? 0),
    );
  /** The linear model's voltages at step t at the homes' own reactive power (base load and inverter) and executed net. */
  const voltsAt = (t: number) =>
    predictVolts(
      model,
      executedNetAt(t),
      homes.map((home, h) => {
        const baseLoadKw = (contexts[h]?.forecast.baseLoadKw[t] as number) ?? 0;
        return baseLoadQKvar(home, baseLoadKw) + ((inverters[h]?.kvar[t] as number) ?? 0);
      }),
    );

  it('each PV inverter answers the voltage the model predicts at its home in the same step, by its Volt-VAr and Volt-Watt curves', () => {
    let absorbing = 0;
    let curtailing = 0;
    for (let t = 0; t < STEPS; t++) {
      const volts = voltsAt(t);
      homes.forEach((home, h) => {
        const { kvar, curtailedKw, volts: seen } = inverters[h] as InverterResponse;
        expect(seen[t]).toBeCloseTo(volts[rowOf(h)] as number, 9);
        if (!home.pv) {
          expect([kvar[t], curtailedKw[t]]).toEqual([0, 0]);
          return;
        }
        const available = contexts[h]?.forecast.pvAvailableKw[t] as number;
        const answer = pvOutput(home.pv, available, volts[rowOf(h)] as number);
        // Settled: within INVERTER_SETTLED_KW of the answer to the voltage it brings.
        expect(Math.abs((kvar[t] as number) - answer.qKvar)).toBeLessThanOrEqual(INVERTER_SETTLED_KW);
        expect(Math.abs((curtailedKw[t] as number) - answer.curtailedKw)).toBeLessThanOrEqual(
          INVERTER_SETTLED_KW,
        );
        if (kvar[t] !== 0) absorbing++;
        if ((curtailedKw[t] as number) > 0) curtailing++;
      });
    }
    // The plan's voltages reach both curves' slopes, so the check is not of zeros only.
    expect(absorbing).toBeGreaterThan(0);
    expect(curtailing).toBeGreaterThan(0);
  });

  it("a row holds the voltage the linear model predicts at the homes' own reactive power and the PV their inverters hold back, every step", () => {
    const rows = voltageLimits(view, STEPS, contexts, inverters);
    let compared = 0;
    for (let t = 0; t < STEPS; t++) {
      const volts = voltsAt(t);
      model.rows.forEach((row, r) => {
        const lower = rows.find(({ name }) => name === `voltage at bus ${row.bus} phase ${row.phase}`);
        if (!lower) throw new Error(`no row for bus ${row.bus} phase ${row.phase}`);
        // coefficient·net ≤ upper reads V ≥ min: the row's voltage is min + upper − coefficient·net (the plan's).
        let rowVolts = STATUTORY_VOLTS.min + (lower.upperByStep[t] as number);
        netImportKw.forEach((net, h) => {
          rowVolts -= (lower.coefficientByHome[h] as number) * (net[t] as number);
        });
        expect(rowVolts).toBeCloseTo(volts[r] as number, 6);
        compared++;
      });
    }
    expect(compared).toBe(STEPS * model.rows.length);
  });

  it('keeps the voltages a margin inside the band when asked', () => {
    const exact = voltageLimits(view, STEPS, contexts, inverters);
    const inside = voltageLimits(view, STEPS, contexts, inverters, 0.2);
    // Every row of the band's edges is there, tighter (and a top the margin brings in reach may join).
    exact.forEach((row) => {
      const tighter = inside.find(({ name }) => name === row.name)?.upperByStep as Float64Array;
      row.upperByStep.forEach((upper, t) => {
        expect(tighter[t]).toBeCloseTo(upper - 0.2, 9);
      });
    });
  });
});

describe('a row no plan keeps', () => {
  it("costs cooperative's master ROW_VIOLATION_GBP_PER_UNIT a unit a step, as central's joint LP (one constant)", async () => {
    const highs = await getHighs();
    // Two homes that draw 4 kW every step at any price, under a row of 5 kW on their sum.
    const steps = 3;
    const fixed = (): HomeResponse => ({
      netImportKw: new Float64Array(steps).fill(4),
      decisions: [new Float64Array(steps).fill(4)],
      ownCostGbp: 1,
    });
    const row = {
      name: 'voltage row',
      coefficientByHome: Float64Array.of(1, 1),
      upperByStep: new Float64Array(steps).fill(5),
    };
    const result = coordinateByPrices(highs, [fixed, fixed], [row], steps, { dtHours: 1 });
    expect(result.maxViolation).toBeCloseTo(3, 9);
    for (const prices of result.pricesGbpPerKwh) {
      for (const gbpPerKwh of prices) expect(gbpPerKwh).toBeCloseTo(ROW_VIOLATION_GBP_PER_UNIT, 6);
    }
  });
});
