/**
 * The network's shadow prices each home was planned at over the last weeks, for a tariff review that plans
 * a month ahead alone: the coordinating policies' windows price the network (the transformer, the voltage
 * and cable rows) only a day and a half ahead, so a home's expected price at a later step is the mean of
 * the prices its executed steps had at the same time of day over the memory.
 */

/** Whole weeks, so weekdays and weekends weigh as they come. */
export const NETWORK_PRICE_MEMORY_DAYS = 28;

export class NetworkPriceMemory {
  private readonly length: number;
  /** Per home, a ring of executed steps' prices, £/kWh, at run step mod `length`. */
  private readonly ringByHome = new Map<string, Float64Array>();
  /** The executed steps recorded: [firstStep, endStep). */
  private firstStep = Number.POSITIVE_INFINITY;
  private endStep = 0;

  constructor(private readonly stepsPerDay: number) {
    if (!Number.isInteger(stepsPerDay) || stepsPerDay < 1)
      throw new TypeError(`stepsPerDay must be a positive integer, got ${stepsPerDay}`);
    this.length = NETWORK_PRICE_MEMORY_DAYS * stepsPerDay;
  }

  /** Records `executedSteps` of a home's window from run step `fromStep`; negative prices count as 0 (homes are never paid to import). */
  record(homeId: string, fromStep: number, pricesGbpPerKwh: ArrayLike<number>, executedSteps: number): void {
    let ring = this.ringByHome.get(homeId);
    if (!ring) {
      ring = new Float64Array(this.length);
      this.ringByHome.set(homeId, ring);
    }
    for (let t = 0; t < executedSteps; t++) {
      ring[(fromStep + t) % this.length] = Math.max(0, (pricesGbpPerKwh[t] as number) ?? 0);
    }
    this.firstStep = Math.min(this.firstStep, fromStep);
    this.endStep = Math.max(this.endStep, fromStep + executedSteps);
  }

  /**
   * A home's expected price at each of `steps` run steps from `fromStep`: the mean of the recorded days at
   * that time of day. Undefined when nothing was recorded for it or every recorded price is 0.
   */
  expected(homeId: string, fromStep: number, steps: number): Float64Array | undefined {
    const ring = this.ringByHome.get(homeId);
    if (!ring) return undefined;
    const sum = new Float64Array(this.stepsPerDay);
    const count = new Uint16Array(this.stepsPerDay);
    let any = false;
    for (let s = Math.max(this.firstStep, this.endStep - this.length); s < this.endStep; s++) {
      const slot = s % this.stepsPerDay;
      const price = ring[s % this.length] as number;
      sum[slot] = (sum[slot] as number) + price;
      count[slot] = (count[slot] as number) + 1;
      if (price > 0) any = true;
    }
    if (!any) return undefined;
    return Float64Array.from({ length: steps }, (_, t) => {
      const slot = (fromStep + t) % this.stepsPerDay;
      const n = count[slot] as number;
      return n > 0 ? (sum[slot] as number) / n : 0;
    });
  }
}
