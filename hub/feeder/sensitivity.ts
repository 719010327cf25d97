import type { PowerFlowSolver } from './solver.js';

/**
 * A linear model of load-bus voltage magnitudes around an operating point:
 *   |V|[row] ≈ voltsAtBase[row] + Σ_load dVdPKw[row][load]·ΔP[load] + dVdQKvar[row][load]·ΔQ[load]
 * One row per (load, phase) the loads sit on, so optimisers can bound the voltage at every home.
 * Built by finite differences on the full power flow (two solves per load), so it carries the
 * unbalanced, mutually coupled three-phase behaviour, including the rise of unloaded phases.
 */
export interface VoltageSensitivity {
  /** `load index → row indices` of the bus-phases that load is connected to. */
  rowsOfLoad: number[][];
  /** Description of each row (bus and phase). */
  rows: { bus: string; phase: 'A' | 'B' | 'C'; state: number }[];
  voltsAtBase: Float64Array;
  basePKw: Float64Array;
  baseQKvar: Float64Array;
  /** Row-major: `[row * loadCount + load]`, volts per kW. */
  dVdPKw: Float64Array;
  /** Row-major, volts per kvar. */
  dVdQKvar: Float64Array;
  loadCount: number;
}

/** Options of {@link buildVoltageSensitivity}. */
export interface SensitivityOptions {
  /** Size of the finite-difference step, kW and kvar. Default 1. */
  stepKw?: number;
}

/**
 * Linearises the solver's feeder around the loads currently set in `solver.loadPKw`/`loadQKvar`.
 * Leaves the solver's loads as it found them.
 */
export function buildVoltageSensitivity(
  solver: PowerFlowSolver,
  options: SensitivityOptions = {},
): VoltageSensitivity {
  const stepKw = options.stepKw ?? 1;
  const loadCount = solver.loads.length;
  const basePKw = Float64Array.from(solver.loadPKw);
  const baseQKvar = Float64Array.from(solver.loadQKvar);
  const rows: VoltageSensitivity['rows'] = [];
  const rowOfState = new Map<number, number>();
  const rowsOfLoad = solver.loads.map((load) => {
    const bus = solver.topology.busIndex.get(load.bus) as number;
    return load.phases.map((phase) => {
      const state = bus * 3 + 'ABC'.indexOf(phase);
      let row = rowOfState.get(state);
      if (row === undefined) {
        row = rows.length;
        rowOfState.set(state, row);
        rows.push({ bus: load.bus, phase, state });
      }
      return row;
    });
  });
  const rowCount = rows.length;
  const voltsAt = (target: Float64Array): void => {
    const result = solver.solve('voltage sensitivity');
    rows.forEach((row, index) => {
      target[index] = result.busVoltsMag[row.state] as number;
    });
  };
  const voltsAtBase = new Float64Array(rowCount);
  voltsAt(voltsAtBase);
  const dVdPKw = new Float64Array(rowCount * loadCount);
  const dVdQKvar = new Float64Array(rowCount * loadCount);
  const plus = new Float64Array(rowCount);
  const minus = new Float64Array(rowCount);
  const column = (values: Float64Array, base: Float64Array, load: number, target: Float64Array): void => {
    values[load] = (base[load] as number) + stepKw;
    voltsAt(plus);
    values[load] = (base[load] as number) - stepKw;
    voltsAt(minus);
    values[load] = base[load] as number;
    for (let row = 0; row < rowCount; row++) {
      target[row * loadCount + load] = ((plus[row] as number) - (minus[row] as number)) / (2 * stepKw);
    }
  };
  for (let load = 0; load < loadCount; load++) {
    column(solver.loadPKw, basePKw, load, dVdPKw);
    column(solver.loadQKvar, baseQKvar, load, dVdQKvar);
  }
  solver.solve('voltage sensitivity'); // leave the solver at its base point
  return { rowsOfLoad, rows, voltsAtBase, basePKw, baseQKvar, dVdPKw, dVdQKvar, loadCount };
}

/** Voltage of every row predicted by the linear model for the given loads (kW, kvar). */
export function predictVolts(
  model: VoltageSensitivity,
  pKw: ArrayLike<number>,
  qKvar: ArrayLike<number>,
): Float64Array {
  const predicted = Float64Array.from(model.voltsAtBase);
  const { loadCount } = model;
  for (let row = 0; row < predicted.length; row++) {
    let volts = predicted[row] as number;
    for (let load = 0; load < loadCount; load++) {
      volts +=
        (model.dVdPKw[row * loadCount + load] as number) *
          ((pKw[load] as number) - (model.basePKw[load] as number)) +
        (model.dVdQKvar[row * loadCount + load] as number) *
          ((qKvar[load] as number) - (model.baseQKvar[load] as number));
    }
    predicted[row] = volts;
  }
  return predicted;
}

/**
 * Largest |linear − full power flow| voltage error (V) over the given load cases, to report how far the
 * linearisation can be trusted. Leaves the solver's loads set to the last case.
 */
export function linearisationErrorVolts(
  solver: PowerFlowSolver,
  model: VoltageSensitivity,
  cases: { pKw: ArrayLike<number>; qKvar: ArrayLike<number> }[],
): number {
  let worst = 0;
  for (const loadCase of cases) {
    solver.loadPKw.set(loadCase.pKw);
    solver.loadQKvar.set(loadCase.qKvar);
    const full = solver.solve('linearisation check');
    const predicted = predictVolts(model, loadCase.pKw, loadCase.qKvar);
    model.rows.forEach((row, index) => {
      worst = Math.max(
        worst,
        Math.abs((predicted[index] as number) - (full.busVoltsMag[row.state] as number)),
      );
    });
  }
  return worst;
}
