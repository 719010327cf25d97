import { afterAll, describe, expect, it } from 'vitest';
import { HomeLp, type HomeLpSolution } from '../../../hub/agents/home-lp.js';
import type { PlanContext } from '../../../hub/agents/index.js';
import { getHighs } from '../../../hub/agents/registry.js';
import { context, forecast, STEPS } from './plan-fixtures.js';

const highs = await getHighs();

/** Extra import prices a coordinator might send, £/kWh per step. */
const PRICE_ROUNDS: Float64Array[] = [
  new Float64Array(STEPS),
  // The cheap night priced up: the EV moves to other steps.
  Float64Array.from({ length: STEPS }, (_, t) => (t < 10 ? 0.5 : 0)),
  // Every step dearer: the cheapest import, and so the battery's terminal value, rises.
  Float64Array.from({ length: STEPS }, (_, t) => 0.1 + (t % 7) * 0.02),
];

/** A fresh model of `base` with the prices as its signals: what a cost-only update must equal. */
function freshSolve(base: PlanContext, prices: Float64Array): HomeLpSolution {
  const lp = new HomeLp(highs, base.home, STEPS);
  try {
    return lp.solve({ ...base, signals: { extraNetImportPriceGbpPerKwh: prices } });
  } finally {
    lp.dispose();
  }
}

/**
 * The same optimum: equal objectives. Plans may differ where steps tie (the EV charging in either of two
 * equally priced half-hours), so the plans themselves are not compared.
 */
function expectSame(updated: HomeLpSolution, fresh: HomeLpSolution): void {
  expect(updated.objectiveGbp).toBeCloseTo(fresh.objectiveGbp, 9);
}

describe('HomeLp.solvePriced', () => {
  const lp = new HomeLp(highs, context().home, STEPS);
  afterAll(() => lp.dispose());

  it('a cost-only update at new prices gives the solution of a fresh model at those prices', () => {
    const base = context({ forecast: forecast({ outdoorC: 0 }) });
    const answers = PRICE_ROUNDS.map((prices) => {
      const updated = lp.solvePriced(base, prices);
      expectSame(updated, freshSolve(base, prices));
      return updated;
    });
    // The prices move the plan, so an update that kept the last costs would fail above.
    const nightEvKwh = (solution: HomeLpSolution) => solution.evKw.slice(0, 10).reduce((a, b) => a + b, 0);
    const [unpriced, nightPriced] = answers as [HomeLpSolution, HomeLpSolution];
    expect(nightEvKwh(nightPriced)).toBeLessThan(nightEvKwh(unpriced) - 1);
  });

  it('after a joint block of another context, the same context is assembled anew, not priced on that block', () => {
    const base = context();
    const [first, second] = PRICE_ROUNDS.slice(1) as [Float64Array, Float64Array];
    lp.solvePriced(base, first);
    // Another tariff: the block's costs differ from the base's.
    const dear = forecast();
    dear.importPriceGbpPerKwh.fill(0.5);
    lp.block(context({ forecast: dear }));
    expectSame(lp.solvePriced(base, second), freshSolve(base, second));
  });

  it('another context is assembled anew, not priced on the last one', () => {
    const prices = PRICE_ROUNDS[1] as Float64Array;
    const cold = context({ forecast: forecast({ outdoorC: -10 }) });
    expectSame(lp.solvePriced(cold, prices), freshSolve(cold, prices));
  });
});
