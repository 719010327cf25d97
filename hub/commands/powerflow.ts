import type { Command } from 'commander';
import { InputError } from '../errors.js';
import { numberCell, readCsvTable, requireColumns, textCell, whereRow } from '../feeder/csv.js';
import {
  FEEDER_FORMATS,
  type FeederNetwork,
  loadFeeder,
  PHASES,
  type PowerFlowResult,
  PowerFlowSolver,
  profilePowerKw,
} from '../feeder/index.js';
import { integerFlag, numberFlag, writeOutput } from './flags.js';

interface PowerflowFlags {
  feeder: string;
  minute?: string;
  loads?: string;
  day?: boolean;
  out: string;
  tolerance: string;
  maxIterations: string;
}

/** `gridflex powerflow`: one snapshot (`--minute`/`--loads`) or the whole day (`--day`) of a feeder. */
export function registerPowerflowCommand(program: Command): void {
  program
    .command('powerflow')
    .description('solve the unbalanced three-phase power flow of a feeder for one snapshot or a whole day')
    .requiredOption('--feeder <dir>', 'feeder folder (IEEE EU LV CSV format or CIGRE LV tables)')
    .option('--minute <k>', "snapshot at minute k (1..1440) of the feeder's load profiles")
    .option(
      '--loads <file>',
      'snapshot with the loads in a CSV with header name,p_kw,q_kvar (unlisted loads draw nothing)',
    )
    .option(
      '--day',
      'every minute of the load profiles; writes substation P/Q and load-bus voltages per minute',
    )
    .requiredOption('--out <file>', 'output CSV')
    .option('--tolerance <volts>', 'convergence tolerance on bus voltage change', '1e-4')
    .option('--max-iterations <n>', 'iteration cap per solve', '100')
    .addHelpText(
      'after',
      '\nExit codes: 0 solved, 1 did not converge, 2 bad input.\n' +
        'The last line of stdout is a JSON summary: converged, iterations, substation P/Q per phase, v_min, v_max.',
    )
    .action((flags: PowerflowFlags) => runPowerflow(flags));
}

function runPowerflow(flags: PowerflowFlags): void {
  const modes = [flags.minute !== undefined, flags.loads !== undefined, flags.day === true].filter(
    Boolean,
  ).length;
  if (modes !== 1) throw new InputError('powerflow', 'give exactly one of --minute K, --loads FILE or --day');
  const toleranceVolts = numberFlag(flags.tolerance, '--tolerance', Number.MIN_VALUE, 10);
  const maxIterations = integerFlag(flags.maxIterations, '--max-iterations', 1, 100_000);

  // --loads gives every load's power: the feeder's load shapes are not read for it, so absent ones do not matter.
  const network = loadFeeder(flags.feeder, FEEDER_FORMATS, {
    loadShapes: flags.loads !== undefined ? 'unused' : 'required',
  });
  const solver = new PowerFlowSolver(network, network.loads, { toleranceVolts, maxIterations });
  if (flags.day) {
    runDay(network, solver, flags.out);
    return;
  }
  let stepLabel: string;
  if (flags.minute !== undefined) {
    const minute = minuteFlag(flags.minute, network);
    setProfileLoads(network, solver, minute);
    stepLabel = `minute ${minute}`;
  } else {
    setLoadsFromFile(solver, flags.loads as string);
    stepLabel = `loads from ${flags.loads}`;
  }
  const result = solver.solve(stepLabel);
  writeOutput(flags.out, snapshotCsv(network, result));
  process.stdout.write(`${JSON.stringify(summary(result, result.iterations, result.vMin, result.vMax))}\n`);
}

function profileLength(network: FeederNetwork): number {
  const first = network.profiles.values().next().value;
  if (!first) throw new InputError(network.dir, 'this feeder has no load profiles; use --loads FILE instead');
  return first.values.length;
}

function minuteFlag(text: string, network: FeederNetwork): number {
  return integerFlag(text, '--minute', 1, profileLength(network));
}

function setProfileLoads(network: FeederNetwork, solver: PowerFlowSolver, minute: number): void {
  solver.loads.forEach((load, index) => {
    const { pKw, qKvar } = profilePowerKw(network, load, minute);
    solver.loadPKw[index] = pKw;
    solver.loadQKvar[index] = qKvar;
  });
}

function setLoadsFromFile(solver: PowerFlowSolver, file: string): void {
  const table = readCsvTable(file);
  const c = requireColumns(table, ['name', 'p_kw', 'q_kvar']);
  const indexByName = new Map(solver.loads.map((load, index) => [load.name, index]));
  const seen = new Set<string>();
  solver.loadPKw.fill(0);
  solver.loadQKvar.fill(0);
  for (const row of table.rows) {
    const name = textCell(table, row, c.name as string);
    const index = indexByName.get(name);
    if (index === undefined)
      throw new InputError(whereRow(table, row), `unknown load "${name}" (not in the feeder's loads)`);
    if (seen.has(name)) throw new InputError(whereRow(table, row), `load "${name}" is listed twice`);
    seen.add(name);
    solver.loadPKw[index] = numberCell(table, row, c.p_kw as string);
    solver.loadQKvar[index] = numberCell(table, row, c.q_kvar as string);
  }
}

function snapshotCsv(network: FeederNetwork, result: PowerFlowResult): string {
  const lines = ['bus,phase,v_mag_v,v_ang_deg'];
  network.buses.forEach((bus, index) => {
    for (let phase = 0; phase < 3; phase++) {
      const state = index * 3 + phase;
      lines.push(
        `${bus.name},${PHASES[phase]},${(result.busVoltsMag[state] as number).toFixed(4)},${(result.busVoltsAngDeg[state] as number).toFixed(4)}`,
      );
    }
  });
  return `${lines.join('\n')}\n`;
}

interface Extreme {
  bus: string;
  phase: string;
  volts: number;
}

function summary(result: PowerFlowResult, iterations: number, vMin: Extreme, vMax: Extreme) {
  const perPhase = (values: Float64Array, total: number) => ({
    A: round(values[0] as number),
    B: round(values[1] as number),
    C: round(values[2] as number),
    total: round(total),
  });
  return {
    converged: true,
    iterations,
    substation_p_kw: perPhase(result.substationPKw, result.substationPTotalKw),
    substation_q_kvar: perPhase(result.substationQKvar, result.substationQTotalKvar),
    v_min: { bus: vMin.bus, phase: vMin.phase, v: round(vMin.volts) },
    v_max: { bus: vMax.bus, phase: vMax.phase, v: round(vMax.volts) },
  };
}

const round = (value: number): number => Math.round(value * 1e6) / 1e6;

/** Every minute of the profiles: substation P/Q per phase and the voltage at each load's bus-phase(s). */
function runDay(network: FeederNetwork, solver: PowerFlowSolver, out: string): void {
  const minutes = profileLength(network);
  const loadStates: { label: string; state: number }[] = [];
  const seen = new Set<number>();
  for (const load of solver.loads) {
    const bus = solver.topology.busIndex.get(load.bus) as number;
    for (const phase of load.phases) {
      const state = bus * 3 + PHASES.indexOf(phase);
      if (seen.has(state)) continue;
      seen.add(state);
      loadStates.push({ label: `v_${load.bus}_${phase}`, state });
    }
  }
  const header = ['minute', 'p_a_kw', 'p_b_kw', 'p_c_kw', 'q_a_kvar', 'q_b_kvar', 'q_c_kvar'];
  const lines = [[...header, ...loadStates.map((entry) => entry.label)].join(',')];
  let maxIterations = 0;
  let dayMin: Extreme = { bus: '', phase: 'A', volts: Number.POSITIVE_INFINITY };
  let dayMax: Extreme = { bus: '', phase: 'A', volts: Number.NEGATIVE_INFINITY };
  const peak = { minute: 0, pKw: Number.NEGATIVE_INFINITY };
  for (let minute = 1; minute <= minutes; minute++) {
    setProfileLoads(network, solver, minute);
    const result = solver.solve(`minute ${minute}`);
    maxIterations = Math.max(maxIterations, result.iterations);
    if (result.vMin.volts < dayMin.volts) dayMin = { ...result.vMin };
    if (result.vMax.volts > dayMax.volts) dayMax = { ...result.vMax };
    if (result.substationPTotalKw > peak.pKw) {
      peak.pKw = result.substationPTotalKw;
      peak.minute = minute;
    }
    const cells = [String(minute)];
    for (const value of result.substationPKw) cells.push(value.toFixed(6));
    for (const value of result.substationQKvar) cells.push(value.toFixed(6));
    for (const { state } of loadStates) cells.push((result.busVoltsMag[state] as number).toFixed(4));
    lines.push(cells.join(','));
  }
  writeOutput(out, `${lines.join('\n')}\n`);
  process.stdout.write(
    `${JSON.stringify({
      converged: true,
      minutes,
      max_iterations: maxIterations,
      peak_substation_p_kw: { minute: peak.minute, total: round(peak.pKw) },
      v_min: { bus: dayMin.bus, phase: dayMin.phase, v: round(dayMin.volts) },
      v_max: { bus: dayMax.bus, phase: dayMax.phase, v: round(dayMax.volts) },
    })}\n`,
  );
}
