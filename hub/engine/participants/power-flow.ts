/**
 * The feeder under the street: every home's power (and the market module's shared asset) at its bus and
 * phase, solved each step with each PV inverter's Volt-VAr and Volt-Watt answering the voltage at its
 * connection in the same step: the inverters and the flow are iterated to a fixed point, as OpenDSS iterates
 * its inverter controls within a time step. (Answering the last step's voltage, as a lag of one 30-minute
 * step, made Volt-Watt a loop of gain ~1.8 that swung the IEEE street's midday voltages step to step.)
 */
import { clockLabel } from '../../environment/calendar.js';
import {
  type FeederNetwork,
  type LoadConnection,
  type PowerFlowResult,
  PowerFlowSolver,
} from '../../feeder/index.js';
import {
  answersVoltage,
  answerVoltage,
  type HomeStepInputs,
  type HomeStepResult,
  inverterGapKw,
  settleInverters,
} from '../../homes/index.js';
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
  /** The homes whose PV inverter answers the voltage. */
  private readonly answering: readonly StreetHome[];

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
    this.answering = homes.filter(({ spec }) => answersVoltage(spec));
  }

  step(frame: StepFrame): void {
    const { solver, homes } = this;
    this.extra.loadPKw.forEach((pKw, index) => {
      solver.loadPKw[homes.length + index] = pKw;
    });
    const flow = this.settleInverters(frame, this.solve(frame));
    for (const home of homes) home.voltsLn = flow.busVoltsMag[home.voltageIndex] ?? NOMINAL_VOLTS_LN;
    frame.flow = flow;
  }

  /** Passes of inverters and flow from `flow` until every inverter answers the flow's voltage at its home. */
  private settleInverters(frame: StepFrame, flow: PowerFlowResult): PowerFlowResult {
    const answering = this.answering;
    const inputs = (a: number) => frame.inputs[(answering[a] as StreetHome).index] as HomeStepInputs;
    const voltsOf = (solved: PowerFlowResult) =>
      answering.map((home) => solved.busVoltsMag[home.voltageIndex] ?? NOMINAL_VOLTS_LN);
    let last = flow;
    const settled = settleInverters(
      {
        count: answering.length,
        answeredVolts: (a) => inputs(a).voltsLn,
        gapKw: (a, volts) => inverterGapKw((answering[a] as StreetHome).spec, inputs(a), volts),
        answer: (a, volts) => {
          const home = answering[a] as StreetHome;
          answerVoltage(home.spec, inputs(a), frame.results[home.index] as HomeStepResult, volts);
        },
        volts: () => {
          last = this.solve(frame);
          return voltsOf(last);
        },
      },
      voltsOf(flow),
    );
    if (!settled) this.timing.inverterUnsettledSteps++;
    return last;
  }

  /** The feeder with every home's flows as they stand. */
  private solve(frame: StepFrame): PowerFlowResult {
    const { solver, homes } = this;
    for (const home of homes) {
      const result = frame.results[home.index];
      solver.loadPKw[home.index] = result?.pKw ?? 0;
      solver.loadQKvar[home.index] = result?.qKvar ?? 0;
    }
    const started = performance.now();
    const flow = solver.solve(clockLabel(frame.minuteOfYear));
    this.timing.powerFlowMs += performance.now() - started;
    this.timing.powerFlowSolves++;
    return flow;
  }
}
