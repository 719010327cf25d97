import { describe, expect, it } from 'vitest';
import type { NetworkView } from '../../../hub/agents/fleet.js';
import { inverterReactiveKvar, voltageLimits } from '../../../hub/agents/voltage-rows.js';
import { predictVolts, STATUTORY_VOLTS } from '../../../hub/feeder/index.js';
import { baseLoadQKvar, pvOutput } from '../../../hub/homes/index.js';
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
const netAt = (t: number) => Float64Array.from(netImportKw, (net) => net[t] as number);
const rowOf = (h: number) => (model.rowsOfLoad[h] as number[])[0] as number;

describe('voltage rows', () => {
  const inverterKvar = inverterReactiveKvar(view, contexts, STEPS, netImportKw) as Float64Array[];
  /** The linear model's voltages at step t at the homes' own reactive power: base load and inverter. */
  const voltsAt = (t: number) =>
    predictVolts(
      model,
      netAt(t),
      homes.map((home, h) => {
        const baseLoadKw = (contexts[h]?.forecast.baseLoadKw[t] as number) ?? 0;
        return baseLoadQKvar(home, baseLoadKw) + ((inverterKvar[h] as Float64Array)[t] as number);
      }),
    );

  it('each PV inverter answers the voltage the model predicts at its home the step before, by its Volt-VAr curve', () => {
    let answering = 0;
    for (let t = 1; t < STEPS; t++) {
      const before = voltsAt(t - 1);
      homes.forEach((home, h) => {
        const kvar = (inverterKvar[h] as Float64Array)[t] as number;
        if (!home.pv) {
          expect(kvar).toBe(0);
          return;
        }
        const available = contexts[h]?.forecast.pvAvailableKw[t] as number;
        expect(kvar).toBeCloseTo(pvOutput(home.pv, available, before[rowOf(h)] as number).qKvar, 9);
        if (kvar !== 0) answering++;
      });
    }
    // The plan's voltages reach the curve's slopes, so the check is not of zeros only.
    expect(answering).toBeGreaterThan(0);
  });

  it("a row holds the voltage the linear model predicts at the homes' own reactive power, every step", () => {
    const rows = voltageLimits(view, STEPS, contexts, inverterKvar);
    let compared = 0;
    for (let t = 0; t < STEPS; t++) {
      const volts = voltsAt(t);
      model.rows.forEach((row, r) => {
        const lower = rows.find(({ name }) => name === `voltage at bus ${row.bus} phase ${row.phase}`);
        if (!lower) throw new Error(`no row for bus ${row.bus} phase ${row.phase}`);
        // coefficient·net ≤ upper reads V ≥ min: the row's voltage is min + upper − coefficient·net.
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
    const exact = voltageLimits(view, STEPS, contexts, inverterKvar);
    const inside = voltageLimits(view, STEPS, contexts, inverterKvar, 0.2);
    // Every row of the band's edges is there, tighter (and a top the margin brings in reach may join).
    exact.forEach((row) => {
      const tighter = inside.find(({ name }) => name === row.name)?.upperByStep as Float64Array;
      row.upperByStep.forEach((upper, t) => {
        expect(tighter[t]).toBeCloseTo(upper - 0.2, 9);
      });
    });
  });
});
