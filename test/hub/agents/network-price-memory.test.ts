import { describe, expect, it } from 'vitest';
import { NETWORK_PRICE_MEMORY_DAYS, NetworkPriceMemory } from '../../../hub/agents/network-price-memory.js';

const STEPS_PER_DAY = 4;

/** Records `days` whole days of `price(day, slot)` for one home, a day a window. */
function recorded(days: number, price: (day: number, slot: number) => number): NetworkPriceMemory {
  const memory = new NetworkPriceMemory(STEPS_PER_DAY);
  for (let day = 0; day < days; day++) {
    const window = Float64Array.from({ length: STEPS_PER_DAY + 2 }, (_, t) => price(day, t % STEPS_PER_DAY));
    memory.record('home', day * STEPS_PER_DAY, window, STEPS_PER_DAY);
  }
  return memory;
}

describe('NetworkPriceMemory', () => {
  it("expects each step at the mean of the recorded days' prices at its time of day", () => {
    const memory = recorded(3, (day, slot) => (slot === 2 ? day + 1 : 0));
    // From slot 1 of day 5: slots 1, 2, 3, 0, 1, 2.
    expect(Array.from(memory.expected('home', 5 * STEPS_PER_DAY + 1, 6) as Float64Array)).toEqual([
      0, 2, 0, 0, 0, 2,
    ]);
  });

  it('forgets days older than the memory, counts a negative price as 0, and knows nothing of other homes', () => {
    const days = NETWORK_PRICE_MEMORY_DAYS + 2;
    // Slot 0 is dear only in the first two days, which the memory has forgotten by the end.
    const memory = recorded(days, (day, slot) =>
      slot === 0 && day < 2 ? 5 : slot === 1 ? -3 : slot === 3 ? 1 : 0,
    );
    expect(Array.from(memory.expected('home', days * STEPS_PER_DAY, STEPS_PER_DAY) as Float64Array)).toEqual([
      0, 0, 0, 1,
    ]);
    expect(memory.expected('other', 0, STEPS_PER_DAY)).toBeUndefined();
  });

  it('expects nothing when every recorded price is 0, and refuses a day of no steps', () => {
    expect(recorded(2, () => 0).expected('home', 0, STEPS_PER_DAY)).toBeUndefined();
    expect(() => new NetworkPriceMemory(0)).toThrow(/stepsPerDay must be a positive integer, got 0/);
  });
});
