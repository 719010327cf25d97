/**
 * The feeder under the street: every home's power (and the market module's shared asset) at its bus and
 * phase, solved each step; each home sees the voltage at its connection in the next step.
 */
import { clockLabel } from '../../environment/calendar.js';
import { type FeederNetwork, type LoadConnection, PowerFlowSolver } from '../../feeder/index.js';
import type { RunTiming } from '../outcomes.js';
import type { StepFrame, StreetParticipant } from '../street.js';
import { NOMINAL_VOLTS_LN, type StreetHome } from '../street-home.js';

/** Loads beside the homes' (e.g. a shared battery): where they connect and their power this step. */
export interface ExtraLoads {
  readonly loads: readonly LoadConnection[];
  readonly loadPKw: Float64Array;
}

export class PowerFlowStep implements StreetParticipant {
  readonly name = 'power-flow';
  readonly solver: PowerFlowSolver;

  constructor(
    feeder: FeederNetwork,
    private readonly homes: readonly StreetHome[],
    private readonly extra: ExtraLoads,
    private readonly timing: RunTiming,
  ) {
    const loads: LoadConnection[] = homes.map(({ spec }) => ({
      name: spec.id,
      bus: spec.bus,
      phases: [spec.phase],
      model: 'constant-power',
      nominalVoltsLn: NOMINAL_VOLTS_LN,
      pKw: 0,
      qKvar: 0,
    }));
    loads.push(...extra.loads);
    this.solver = new PowerFlowSolver(feeder, loads);
  }

  step(frame: StepFrame): void {
    const { solver, homes } = this;
    this.extra.loadPKw.forEach((pKw, index) => {
      solver.loadPKw[homes.length + index] = pKw;
    });
    for (const home of homes) {
      const result = frame.results[home.index];
      solver.loadPKw[home.index] = result?.pKw ?? 0;
      solver.loadQKvar[home.index] = result?.qKvar ?? 0;
    }
    const started = performance.now();
    const flow = solver.solve(clockLabel(frame.minuteOfYear));
    this.timing.powerFlowMs += performance.now() - started;
    this.timing.powerFlowSolves++;
    for (const home of homes) home.voltsLn = flow.busVoltsMag[home.voltageIndex] ?? NOMINAL_VOLTS_LN;
    frame.flow = flow;
  }
}
