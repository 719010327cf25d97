import { describe, expect, it, vi } from 'vitest';
import type { PriceCoordinationResult } from '../../../hub/agents/coordination.js';
import { createPolicy } from '../../../hub/agents/registry.js';
import { buildYearStreet } from '../../../hub/engine/year-street.js';
import { STEPS_PER_DAY } from '../../../hub/environment/calendar.js';
import { loadRunInputs } from '../../../hub/sim/inputs.js';
import { streetPolicyContext } from '../../../hub/study/street-context.js';

/** Every exchange's result, as cooperative's windows run them. */
const { exchanges } = vi.hoisted(() => ({ exchanges: [] as PriceCoordinationResult[] }));
vi.mock('../../../hub/agents/coordination.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../../hub/agents/coordination.js')>();
  return {
    ...original,
    coordinateByPrices: (...args: Parameters<typeof original.coordinateByPrices>) => {
      const result = original.coordinateByPrices(...args);
      exchanges.push(result);
      return result;
    },
  };
});

describe("cooperative's tariff reviews", () => {
  it("record each window's best-bound prices, not the last prices its coordinator sent", async () => {
    // Two winter days of the IEEE 70 % street at 105.9 kW (its hosting capacity, rounded): most windows' best
    // bound is round 1's, at no prices, where the last prices sent are not.
    const inputs = loadRunInputs('scenarios/ieee-eu-lv-70.yaml');
    const { context } = await streetPolicyContext(inputs, {
      transformerLimitKw: 105.9,
      reinforcementGbpPerKw: 150,
      carbonPriceGbpPerKg: 0.08,
      loadPriceSlopeGbpPerKwhPerKw: 0,
    });
    const street = await buildYearStreet(inputs, 'cooperative', {
      days: 2,
      recordSeries: false,
      createPolicy: (name) => createPolicy(name, context),
    });
    const policy = street.street.homes[0]?.policy as unknown as {
      recordNetworkPrices(contexts: unknown, prices: readonly Float64Array[]): void;
    };
    const recorded: (readonly Float64Array[])[] = [];
    const record = policy.recordNetworkPrices.bind(policy);
    policy.recordNetworkPrices = (contexts, prices) => {
      recorded.push(prices);
      record(contexts, prices);
    };
    for (let k = 0; k < 2 * STEPS_PER_DAY; k++) street.street.step(k);
    street.finish(0);
    expect(recorded.length).toBeGreaterThanOrEqual(2);
    const exchangeOf = (prices: readonly Float64Array[]) =>
      exchanges.find((result) => result.boundPricesGbpPerKwh === prices);
    for (const prices of recorded) expect(exchangeOf(prices)).toBeDefined();
    // Some window's best bound is not at the last prices sent, so the check above tells the two apart.
    const apart = recorded.filter((prices) => {
      const result = exchangeOf(prices) as PriceCoordinationResult;
      return result.pricesGbpPerKwh.some((last, h) => last.some((p, t) => p !== prices[h]?.[t]));
    });
    expect(apart.length).toBeGreaterThan(0);
  });
});
