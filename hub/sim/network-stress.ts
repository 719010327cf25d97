/**
 * Where and when the street was stressed during a run: minutes outside the statutory voltage band per
 * customer bus-phase and hour of the day, and each rated line's highest loading and overloaded steps.
 * The year report draws its heatmap and overload table from these (metrics.json keeps only the totals).
 */
import { type FeederNetwork, PHASES, type PowerFlowResult, STATUTORY_VOLTS } from '../feeder/index.js';

export interface BusHourViolations {
  bus: string;
  phase: string;
  /** Minutes below 216.2 V or above 253 V in each hour of the day, index 0..23. */
  minutesByHour: number[];
  underMinutes: number;
  overMinutes: number;
}

export interface LineStress {
  line: string;
  fromBus: string;
  toBus: string;
  maxLoadingPct: number;
  overloadSteps: number;
}

export interface NetworkStress {
  voltageViolations: BusHourViolations[];
  /** Rated lines only (a line code without ampacity has no loading). */
  lines: LineStress[];
}

/** Accumulates {@link NetworkStress} one power-flow result at a time. */
export class NetworkStressTracker {
  private readonly violations: BusHourViolations[];
  private readonly lines: LineStress[];

  /**
   * @param feeder - the street being solved (bus and line names, in the solver's order).
   * @param customerStates - voltage indices (`bus * 3 + phase`) where customers are connected.
   * @param stepMinutes - minutes each recorded step stands for.
   */
  constructor(
    feeder: FeederNetwork,
    private readonly customerStates: readonly number[],
    private readonly stepMinutes: number,
  ) {
    this.violations = customerStates.map((state) => ({
      bus: feeder.buses[Math.floor(state / 3)]?.name ?? String(Math.floor(state / 3)),
      phase: PHASES[state % 3] ?? 'A',
      minutesByHour: new Array<number>(24).fill(0),
      underMinutes: 0,
      overMinutes: 0,
    }));
    this.lines = feeder.lines.map((line) => ({
      line: line.name,
      fromBus: line.fromBus,
      toBus: line.toBus,
      maxLoadingPct: Number.NaN,
      overloadSteps: 0,
    }));
  }

  record(flow: PowerFlowResult, minuteOfYear: number): void {
    const hour = Math.floor((minuteOfYear % 1440) / 60);
    this.customerStates.forEach((state, index) => {
      const volts = flow.busVoltsMag[state] as number;
      const entry = this.violations[index] as BusHourViolations;
      if (volts < STATUTORY_VOLTS.min) entry.underMinutes += this.stepMinutes;
      else if (volts > STATUTORY_VOLTS.max) entry.overMinutes += this.stepMinutes;
      else return;
      entry.minutesByHour[hour] = (entry.minutesByHour[hour] ?? 0) + this.stepMinutes;
    });
    this.lines.forEach((line, index) => {
      const loadingPct = flow.lineLoadingPct[index] as number;
      if (Number.isNaN(loadingPct)) return;
      if (!(loadingPct <= line.maxLoadingPct)) line.maxLoadingPct = loadingPct;
      if (loadingPct > 100) line.overloadSteps++;
    });
  }

  result(): NetworkStress {
    return {
      voltageViolations: this.violations,
      lines: this.lines.filter((line) => !Number.isNaN(line.maxLoadingPct)),
    };
  }
}
