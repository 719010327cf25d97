import type { Clock, ClockMode } from '../protocol/gridflex.js';

/** Options of {@link SimClock}. */
export interface SimClockOptions {
  /** Simulated time at step 0. */
  start: Date;
  /** Simulated minutes per step. */
  stepMinutes: number;
  mode: ClockMode;
  /** Wall-clock milliseconds between steps while running (0 = as fast as possible). Default 0. */
  stepMs?: number;
}

const MINUTE_MS = 60_000;

/**
 * The simulation clock: a step counter and the simulated time it stands for. Pure: the live hub
 * calls {@link advance} from a timer, a batch run calls it in a loop.
 */
export class SimClock {
  private stepCount = 0;
  private running = false;
  /** Simulated time of step 0 (moved by {@link jumpTo}, so steps keep counting up). */
  private originMs: number;
  private stepMsValue: number;

  constructor(private readonly options: SimClockOptions) {
    this.originMs = options.start.getTime();
    this.stepMsValue = options.stepMs ?? 0;
  }

  /** Simulated time at the end of the current step. */
  get simTime(): Date {
    return new Date(this.originMs + this.stepCount * this.options.stepMinutes * MINUTE_MS);
  }

  get isRunning(): boolean {
    return this.running;
  }

  get stepMs(): number {
    return this.stepMsValue;
  }

  setRunning(running: boolean): void {
    this.running = running;
  }

  setStepMs(stepMs: number): void {
    this.stepMsValue = stepMs;
  }

  /**
   * Continues from `time` (rounded down to a whole step after the original start's grid), keeping the step
   * counter, so the next {@link advance} ends one step after it.
   */
  jumpTo(time: Date): void {
    const stepMsSim = this.options.stepMinutes * MINUTE_MS;
    const start = this.options.start.getTime();
    const aligned = start + Math.floor((time.getTime() - start) / stepMsSim) * stepMsSim;
    this.originMs = aligned - this.stepCount * stepMsSim;
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
      stepMs: this.stepMsValue,
    };
  }
}
