import type { Clock, ClockMode } from '../protocol/gridflex.js';

/** Options of {@link SimClock}. */
export interface SimClockOptions {
  /** Simulated time at step 0. */
  start: Date;
  /** Simulated minutes per step. */
  stepMinutes: number;
  mode: ClockMode;
}

const MINUTE_MS = 60_000;

/**
 * The simulation clock: a step counter and the simulated time it stands for. Pure: the live hub
 * calls {@link advance} from a timer, a batch run calls it in a loop.
 */
export class SimClock {
  private stepCount = 0;
  private running = false;

  constructor(private readonly options: SimClockOptions) {}

  /** Simulated time at the end of the current step. */
  get simTime(): Date {
    return new Date(this.options.start.getTime() + this.stepCount * this.options.stepMinutes * MINUTE_MS);
  }

  setRunning(running: boolean): void {
    this.running = running;
  }

  /** Moves one step on and returns the clock payload for it. */
  advance(): Clock {
    this.stepCount += 1;
    return this.snapshot();
  }

  /** The `gridflex/v1/clock` payload for the current step. */
  snapshot(): Clock {
    const simTime = this.simTime;
    return {
      step: this.stepCount,
      simTime: simTime.toISOString(),
      minuteOfDay: simTime.getUTCHours() * 60 + simTime.getUTCMinutes(),
      stepMinutes: this.options.stepMinutes,
      mode: this.options.mode,
      running: this.running,
    };
  }
}
