import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  burstPace,
  IdentityPacer,
  IdentityRateLimits,
  OrderedDelays,
} from '../../../hub/broker/rate-limiter.js';

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

describe('burst pace per identity', () => {
  it('lets a second’s worth through at once, then spaces the rest at ten times the rate', () => {
    const pace = burstPace({ perSecond: 100, burst: 10_000 });
    expect(pace).toEqual({ perSecond: 1000, burst: 100 });
    const pacer = new IdentityPacer(pace);
    const delays = Array.from({ length: 103 }, () => pacer.delayMs('pv-1', 0));
    expect(delays.slice(0, 100)).toEqual(Array(100).fill(0));
    expect(delays.slice(100)).toEqual([1, 2, 3]);
    // Another identity is not held by it; after a quiet spell the first may burst again.
    expect(pacer.delayMs('pv-2', 0)).toBe(0);
    expect(pacer.delayMs('pv-1', 0)).toBe(4);
    expect(pacer.delayMs('pv-1', 1000)).toBe(0);
  });
});

describe('ordered delays', () => {
  afterEach(() => vi.useRealTimers());

  it('runs each no sooner than its time and all in the order they came, one due at once when none waits', () => {
    vi.useFakeTimers({ now: 1000 });
    const delays = new OrderedDelays();
    const ran: string[] = [];
    delays.add(1000, () => ran.push('due'));
    expect(ran).toEqual(['due']);
    delays.add(1010, () => ran.push('a'));
    // Due already, but behind "a": a connection's messages keep their order.
    delays.add(1000, () => ran.push('b'));
    delays.add(1020, () => ran.push('c'));
    vi.advanceTimersByTime(9);
    expect(ran).toEqual(['due']);
    vi.advanceTimersByTime(1);
    expect(ran).toEqual(['due', 'a', 'b']);
    vi.advanceTimersByTime(10);
    expect(ran).toEqual(['due', 'a', 'b', 'c']);
  });
});
