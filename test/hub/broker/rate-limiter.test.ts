import { describe, expect, it } from 'vitest';
import { IdentityRateLimits } from '../../../hub/broker/rate-limiter.js';

const limits = () =>
  new IdentityRateLimits(
    { perSecond: 10, burst: 100 },
    { firstMs: 1000, maxMs: 8000, forgetAfterMs: 60_000 },
  );

/** How many of `tries` messages `identity` may send at `nowMs`. */
function taken(rates: IdentityRateLimits, identity: string, nowMs: number, tries = 1000): number {
  let count = 0;
  for (let index = 0; index < tries; index++) if (rates.take(identity, nowMs)) count++;
  return count;
}

describe('rate limits per identity', () => {
  it('holds a repeat offender off for twice as long each time, up to the maximum', () => {
    const rates = limits();
    expect(taken(rates, 'pv-1', 0)).toBe(100);
    expect([1, 2, 3, 4, 5].map(() => rates.offend('pv-1', 0))).toEqual([1000, 2000, 4000, 8000, 8000]);
    expect(rates.heldOffMs('pv-1', 3000)).toBe(5000);
    expect(rates.heldOffMs('pv-2', 0)).toBe(0);
  });

  it('an offender saves up one second’s worth while held off, not a new burst; forgiven after a quiet spell', () => {
    const rates = limits();
    taken(rates, 'pv-1', 0);
    rates.offend('pv-1', 0);
    expect(taken(rates, 'pv-1', 5000)).toBe(10);
    expect(taken(rates, 'pv-2', 5000)).toBe(100);
    expect(taken(rates, 'pv-1', 5000 + 60_001)).toBe(100);
    expect(rates.offend('pv-1', 5000 + 60_001)).toBe(1000);
  });
});
