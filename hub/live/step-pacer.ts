/**
 * How often a fast clock's steps go out in full. The clock goes out every step; the step's heavy topics (feeder,
 * homes, decisions, comparison, red team, metrics, …: about 43 publishes on the shipped table) go out at most once
 * per `everyMs` of wall time while the clock runs faster than that (accelerated with a small `stepMs`,
 * lockstep), always with the latest step. A clock at `everyMs` or slower, a paused one (the operator's single
 * steps) and `everyMs` 0 publish every step in full.
 */
export class StepPacer {
  private lastFullMs = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly everyMs: number,
    private readonly nowMs: () => number = () => performance.now(),
  ) {}

  /** Whether a step of a clock that runs (or not) one step every `stepMs` goes out in full now. */
  due(stepMs: number, running: boolean): boolean {
    if (this.everyMs === 0 || !running || stepMs >= this.everyMs) return true;
    return this.nowMs() - this.lastFullMs >= this.everyMs;
  }

  /** Wall milliseconds until a step is due in full again (0 when it is). */
  untilDueMs(): number {
    return Math.max(0, this.lastFullMs + this.everyMs - this.nowMs());
  }

  /** A step is going out in full now. */
  sentFull(): void {
    this.lastFullMs = this.nowMs();
  }
}
