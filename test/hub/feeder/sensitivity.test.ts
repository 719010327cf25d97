import { describe, expect, it } from 'vitest';
import {
  buildVoltageSensitivity,
  linearisationErrorVolts,
  loadFeeder,
  PowerFlowSolver,
  predictVolts,
  profilePowerKw,
} from '../../../hub/feeder/index.js';

describe('linearised voltage model', () => {
  const network = loadFeeder('feeders/ieee-eu-lv/csv');
  const solver = new PowerFlowSolver(network);
  const minuteCase = (minute: number) => {
    const pKw = new Float64Array(network.loads.length);
    const qKvar = new Float64Array(network.loads.length);
    network.loads.forEach((load, index) => {
      const power = profilePowerKw(network, load, minute);
      pKw[index] = power.pKw;
      qKvar[index] = power.qKvar;
    });
    return { pKw, qKvar };
  };

  it('is exact at its base point and has one row per load bus-phase', () => {
    const base = minuteCase(566);
    solver.loadPKw.set(base.pKw);
    solver.loadQKvar.set(base.qKvar);
    const model = buildVoltageSensitivity(solver);
    expect(model.rows.length).toBe(55);
    const predicted = predictVolts(model, base.pKw, base.qKvar);
    const full = solver.solve();
    model.rows.forEach((row, index) => {
      expect(predicted[index]).toBeCloseTo(full.busVoltsMag[row.state] as number, 6);
    });
    // More load at a home lowers its own voltage.
    const ownRow = model.rowsOfLoad[52]?.[0] as number;
    expect(model.dVdPKw[ownRow * model.loadCount + 52]).toBeLessThan(0);
  });

  it('tracks the full power flow within 1 V across the day around the mean loading, and says how far off it is at a heavy 7 kW-per-home case', () => {
    const base = minuteCase(700);
    solver.loadPKw.set(base.pKw);
    solver.loadQKvar.set(base.qKvar);
    const model = buildVoltageSensitivity(solver);
    const dayCases = [1, 300, 566, 900, 1200, 1440].map(minuteCase);
    expect(linearisationErrorVolts(solver, model, dayCases)).toBeLessThan(1);
    const heavy = { pKw: new Float64Array(55).fill(7), qKvar: new Float64Array(55) };
    const heavyError = linearisationErrorVolts(solver, model, [heavy]);
    expect(heavyError).toBeGreaterThan(0.05);
    expect(heavyError).toBeLessThan(10);
  });
});
