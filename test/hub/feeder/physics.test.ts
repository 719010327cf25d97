import { describe, expect, it } from 'vitest';
import { ConvergenceError } from '../../../hub/errors.js';
import { PowerFlowSolver } from '../../../hub/feeder/index.js';
import { load, NO_LOAD_VOLTS, straightFeeder } from './small-feeders.js';

const CABLE = { r1: 0.166, x1: 0.068, r0: 0.58, x0: 0.078 }; // 4c_185 of the IEEE feeder, ohm/km

describe('power flow physics on small feeders', () => {
  it('gives the no-load voltage everywhere at zero load', () => {
    const network = straightFeeder({
      sections: 5,
      lengthKm: 0.05,
      ...CABLE,
      loads: [load('L', 'b5', ['A'], 0, 0)],
    });
    const result = new PowerFlowSolver(network).solve();
    for (const volts of result.busVoltsMag) expect(volts).toBeCloseTo(NO_LOAD_VOLTS, 9);
    // Dyn: LV phase A lags the source by 30°.
    expect(result.busVoltsAngDeg[0]).toBeCloseTo(-30, 9);
    expect(result.busVoltsAngDeg[1]).toBeCloseTo(-150, 9);
    expect(result.busVoltsAngDeg[2]).toBeCloseTo(90, 9);
    expect(result.substationPTotalKw).toBe(0);
  });

  it('balances power: loads + line losses = substation power, to 1e-6 relative', () => {
    const loads = [
      load('one', 'b2', ['A'], 7, 2.3),
      load('two', 'b4', ['B'], 4, 1),
      load('pv', 'b3', ['C'], -3, 0),
      load('three', 'b5', ['A', 'B', 'C'], 12, 3),
    ];
    const network = straightFeeder({ sections: 5, lengthKm: 0.08, ...CABLE, loads });
    const solver = new PowerFlowSolver(network, loads, { toleranceVolts: 1e-10 });
    const result = solver.solve();
    const loadKw = 7 + 4 - 3 + 12;
    expect(result.lossesKw).toBeGreaterThan(0);
    expect(
      Math.abs(result.substationPTotalKw - (loadKw + result.lossesKw)) / result.substationPTotalKw,
    ).toBeLessThan(1e-6);
  });

  it('matches a hand calculation for one line with a balanced constant-impedance load', () => {
    // Balanced → positive sequence only: V = E·Zload / (Zsource' + Ztransformer + Zline + Zload).
    const lengthKm = 0.2;
    const network = straightFeeder({ sections: 1, lengthKm, ...CABLE });
    const loads = [load('Z', 'b1', ['A', 'B', 'C'], 30, 10, 'constant-impedance')];
    const result = new PowerFlowSolver(network, loads, { toleranceVolts: 1e-12, maxIterations: 500 }).solve();

    const n = 11 / 0.416;
    const zSource = { re: 0.51343 / n ** 2, im: 2.05374 / n ** 2 };
    const zBase = 0.416 ** 2 / 0.8;
    const zTransformer = { re: 0.004 * zBase, im: 0.04 * zBase };
    const zLine = { re: CABLE.r1 * lengthKm, im: CABLE.x1 * lengthKm };
    // Per phase 10 kW + j3.333 kvar at 230 V → Z = V² / conj(S).
    const sPhase = { re: 10_000, im: 10_000 / 3 };
    const sMag2 = sPhase.re ** 2 + sPhase.im ** 2;
    const zLoad = { re: (230 ** 2 * sPhase.re) / sMag2, im: (230 ** 2 * sPhase.im) / sMag2 };
    const total = {
      re: zSource.re + zTransformer.re + zLine.re + zLoad.re,
      im: zSource.im + zTransformer.im + zLine.im + zLoad.im,
    };
    const ratio = Math.hypot(zLoad.re, zLoad.im) / Math.hypot(total.re, total.im);
    const expectedLoadVolts = NO_LOAD_VOLTS * ratio;
    const loadBus = 1;
    for (let phase = 0; phase < 3; phase++) {
      expect(result.busVoltsMag[loadBus * 3 + phase]).toBeCloseTo(expectedLoadVolts, 6);
    }
    const expectedAmps = NO_LOAD_VOLTS / Math.hypot(total.re, total.im);
    expect(result.lineCurrentAmps[0]).toBeCloseTo(expectedAmps, 6);
    expect(result.lineLoadingPct[0]).toBeCloseTo((100 * expectedAmps) / 200, 4);
  });

  it('raises the voltage along the line when PV exports', () => {
    const loads = [load('pv', 'b6', ['B'], -8, 0)];
    const network = straightFeeder({ sections: 6, lengthKm: 0.05, ...CABLE, loads });
    const result = new PowerFlowSolver(network).solve();
    let previous = 0;
    for (let bus = 0; bus <= 6; bus++) {
      const volts = result.busVoltsMag[bus * 3 + 1] as number;
      expect(volts).toBeGreaterThan(previous);
      previous = volts;
    }
    expect(previous).toBeGreaterThan(NO_LOAD_VOLTS);
    expect(result.substationPTotalKw).toBeLessThan(0);
  });

  it('gives equal phase voltages for a balanced three-phase load on a balanced feeder', () => {
    const loads = [load('three', 'b4', ['A', 'B', 'C'], 45, 15)];
    const network = straightFeeder({ sections: 4, lengthKm: 0.1, ...CABLE, loads });
    const result = new PowerFlowSolver(network, loads, { toleranceVolts: 1e-10 }).solve();
    for (let bus = 0; bus <= 4; bus++) {
      const a = result.busVoltsMag[bus * 3] as number;
      expect(result.busVoltsMag[bus * 3 + 1]).toBeCloseTo(a, 8);
      expect(result.busVoltsMag[bus * 3 + 2]).toBeCloseTo(a, 8);
    }
    expect(result.busVoltsMag[12]).toBeLessThan(NO_LOAD_VOLTS - 1);
  });

  it('lets an unloaded phase rise when R0 ≠ R1 (phase-domain coupling)', () => {
    const loads = [load('heavy', 'b3', ['A'], 15, 5)];
    const network = straightFeeder({ sections: 3, lengthKm: 0.1, ...CABLE, loads });
    const result = new PowerFlowSolver(network, loads).solve();
    const end = 3 * 3;
    expect(result.busVoltsMag[end]).toBeLessThan(NO_LOAD_VOLTS);
    expect(
      Math.max(result.busVoltsMag[end + 1] as number, result.busVoltsMag[end + 2] as number),
    ).toBeGreaterThan(NO_LOAD_VOLTS);
  });

  it('scales constant-current and constant-impedance loads with voltage', () => {
    const network = straightFeeder({ sections: 2, lengthKm: 0.3, ...CABLE });
    for (const [model, exponent] of [
      ['constant-current', 1],
      ['constant-impedance', 2],
    ] as const) {
      const loads = [load('x', 'b2', ['A'], 10, 0, model)];
      const result = new PowerFlowSolver(network, loads, { toleranceVolts: 1e-11 }).solve();
      const volts = result.busVoltsMag[2 * 3] as number;
      const drawnKw = result.substationPTotalKw - result.lossesKw;
      expect(drawnKw).toBeCloseTo(10 * (volts / 230) ** exponent, 6);
    }
  });

  it('reports transformer loading and statutory breaches', () => {
    const loads = [load('big', 'b3', ['A'], 60, 20)];
    const network = straightFeeder({ sections: 3, lengthKm: 0.15, ...CABLE, loads });
    const result = new PowerFlowSolver(network, loads).solve();
    expect(result.vMin.phase).toBe('A');
    expect(result.vMin.volts).toBeLessThan(216.2);
    expect(result.busPhasesOutsideStatutory).toBeGreaterThan(0);
    const ratedAmps = 800_000 / (Math.sqrt(3) * 416);
    expect(result.transformerLoadingPct).toBeCloseTo(
      (100 * (result.lineCurrentAmps[0] as number)) / ratedAmps,
      6,
    );
  });

  it('throws a ConvergenceError naming the step and the worst bus when the load is beyond the feeder', () => {
    const loads = [load('impossible', 'b3', ['A'], 2000, 0)];
    const network = straightFeeder({ sections: 3, lengthKm: 0.5, ...CABLE, loads });
    const solver = new PowerFlowSolver(network, loads, { maxIterations: 30 });
    expect(() => solver.solve('minute 42')).toThrowError(ConvergenceError);
    expect(() => solver.solve('minute 42')).toThrowError(/minute 42 .*worst bus b\d phase/);
  });
});
