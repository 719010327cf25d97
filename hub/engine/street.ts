/**
 * The Street: one simulation core for the year runs, the studies and the live table. A street is a list of
 * homes and a list of participants; `step(k)` hands one step's frame to every participant in order, as
 * mosaik steps its simulators and pandapower runs its controllers around the power flow. Participants
 * share the homes and the frame; none does I/O.
 *
 * Step order (the list given to the constructor):
 *   tariffs     (switches that complete, the agents' tariff reviews)
 *   residents   (fleet plans, then each home's plan; the setpoints for this step)
 *   world       (what each home sees this step: base load, sun, weather, EV, voltage)
 *   market      (the scenario's market module may change setpoints and settles the shared asset)
 *   homes       (each home's physics)
 *   power flow  (the feeder solve with every home's power, each PV inverter settled with the voltage it brings)
 *   recorder    (bills, metered energy, supplier ledgers, per-home outcomes)
 *   network     (extremes, losses, breaches, stress, series of the feeder)
 */
import type { PowerFlowResult } from '../feeder/index.js';
import type { HomeSetpoints, HomeStepInputs, HomeStepResult } from '../homes/index.js';
import type { HomeSettlement } from '../sim/market-step.js';
import type { StreetHome } from './street-home.js';

/** What one step of the street carries from participant to participant. Arrays follow the homes' order. */
export interface StepFrame {
  /** Index of the step in the run. */
  readonly step: number;
  readonly minuteOfYear: number;
  readonly stepMinutes: number;
  readonly dtHours: number;
  /** The agents' setpoints (the market module may change them). */
  setpoints: HomeSetpoints[];
  inputs: HomeStepInputs[];
  settlements: readonly HomeSettlement[];
  /** Each home's flows, once the homes have stepped. */
  results: HomeStepResult[];
  /** kWh each home's EV lacked against its target at a departure this step (before the home steps). */
  evShortfallKwh: Float64Array;
  /** The feeder's solution, once the power flow has run. */
  flow?: PowerFlowResult;
}

/** One part of the street's step (the mosaik idea: a small contract, called once per step, in order). */
export interface StreetParticipant {
  readonly name: string;
  step(frame: StepFrame): void;
  /**
   * Work to await before `step` in {@link Street.stepAsync} (live: the residents' plans, made in a worker
   * thread); the batch `step` never calls it.
   */
  prepare?(frame: StepFrame): Promise<void>;
}

/** Wall time the participants took, for the run's timing figures. */
export interface ParticipantTiming {
  name: string;
  ms: number;
}

/** Homes plus participants; `step(k)` advances every participant by one step. */
export class Street {
  private readonly setpoints: HomeSetpoints[];
  private readonly evShortfallKwh: Float64Array;

  constructor(
    readonly homes: readonly StreetHome[],
    readonly participants: readonly StreetParticipant[],
    private readonly clock: { stepMinutes: number; minuteOfYear(step: number): number },
  ) {
    this.setpoints = homes.map(() => ({ batteryKw: 0, evKw: 0, heatPumpKw: 0 }));
    this.evShortfallKwh = new Float64Array(homes.length);
  }

  /** Advances the street by step `k`; returns the frame the participants filled in. */
  step(k: number): StepFrame {
    const frame = this.frame(k);
    for (const participant of this.participants) participant.step(frame);
    return frame;
  }

  /** {@link step}, awaiting each participant's `prepare` before its step (the live table's streets). */
  async stepAsync(k: number): Promise<StepFrame> {
    const frame = this.frame(k);
    for (const participant of this.participants) {
      await participant.prepare?.(frame);
      participant.step(frame);
    }
    return frame;
  }

  private frame(k: number): StepFrame {
    const stepMinutes = this.clock.stepMinutes;
    this.evShortfallKwh.fill(0);
    return {
      step: k,
      minuteOfYear: this.clock.minuteOfYear(k),
      stepMinutes,
      dtHours: stepMinutes / 60,
      setpoints: this.setpoints,
      inputs: [],
      settlements: [],
      results: [],
      evShortfallKwh: this.evShortfallKwh,
    };
  }

  /** The participant of a name (tests, live views). */
  participant<T extends StreetParticipant>(name: string): T | undefined {
    return this.participants.find((participant) => participant.name === name) as T | undefined;
  }
}
