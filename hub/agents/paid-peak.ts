/**
 * The street peak already paid for: headroom up to a peak the street has drawn costs no new reinforcement, so
 * the street policies plan each step against the larger of the limit and that peak. This is the one place that
 * decides when the paid-for peak resets, for the batch runs and the live table alike: at the start of each
 * period of `periodSteps` plan steps, counted from plan step 0. A batch run counts from its first step and
 * charges reinforcement on the run's peak (hub/study/poa-metrics.ts), so it passes no period: the peak lasts
 * the run. The live table counts half-hours since 1970-01-01 00:00 UTC and runs for as long as the hub does,
 * so its period is a UTC day (hub/table/live-policies.ts): a peak drawn yesterday is not paid for today.
 */
export class PaidPeak {
  /** The period of the peak so far (0 until a step of a later period runs). */
  private period = 0;
  private peakKw = 0;

  constructor(private readonly periodSteps = Number.POSITIVE_INFINITY) {
    if (!(periodSteps >= 1))
      throw new TypeError(`fleet: peakPeriodSteps must be at least 1 plan step, got ${periodSteps}`);
  }

  /** The street import each step of a window from plan step `firstStep` may reach without new reinforcement, kW. */
  upperByStep(limitKw: number, firstStep: number, steps: number): Float64Array {
    const paidKw = Math.max(limitKw, this.peakKw);
    return Float64Array.from({ length: steps }, (_, t) =>
      this.periodOf(firstStep + t) === this.period ? paidKw : limitKw,
    );
  }

  /** Records the street's net import (per home, per step of a window from `firstStep`) of the steps that run. */
  record(firstStep: number, netImportKw: readonly Float64Array[], executedSteps: number): void {
    for (let t = 0; t < executedSteps; t++) {
      const period = this.periodOf(firstStep + t);
      if (period !== this.period) {
        this.period = period;
        this.peakKw = 0;
      }
      let total = 0;
      for (const net of netImportKw) total += net[t] as number;
      this.peakKw = Math.max(this.peakKw, total);
    }
  }

  private periodOf(step: number): number {
    return Math.floor(step / this.periodSteps);
  }
}
