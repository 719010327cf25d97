import { describe, expect, it } from 'vitest';
import {
  decileMeans,
  gini,
  type PolicyRunSummary,
  poaReport,
  socialCost,
} from '../../../hub/study/poa-metrics.js';

const pricing = { transformerRatingKw: 100, reinforcementGbpPerKw: 50, carbonPriceGbpPerKg: 0.1 };

function run(bills: number[], peakKw: number, carbonKg = 0): PolicyRunSummary {
  return {
    homes: bills.map((billGbp, index) => ({ home: `h${index}`, billGbp, carbonKg: carbonKg / bills.length })),
    network: { transformerPeakKw: peakKw, busMinutesOutsideStatutoryLimits: 0 },
    totals: { billsGbp: bills.reduce((sum, bill) => sum + bill, 0), carbonKg },
  };
}

describe('price-of-anarchy figures', () => {
  it('gini: 0 for equal shares, (n−1)/n when one takes all, null for a non-positive mean', () => {
    expect(gini([5, 5, 5, 5])).toBe(0);
    expect(gini([0, 0, 0, 8])).toBeCloseTo(3 / 4, 12);
    expect(gini([1, 2, 3, 4])).toBeCloseTo(0.25, 12); // Σ|xi−xj| = 20 over 2·16·2.5
    expect(gini([-3, 1])).toBeNull();
    expect(gini([])).toBeNull();
  });

  it('decile means follow the given order and cover every home once', () => {
    const values = Array.from({ length: 20 }, (_, index) => index);
    const order = values.map((_, index) => 19 - index);
    expect(decileMeans(values, order)).toEqual([18.5, 16.5, 14.5, 12.5, 10.5, 8.5, 6.5, 4.5, 2.5, 0.5]);
  });

  it('social cost adds reinforcement above the rating and carbon at its price', () => {
    const figures = socialCost(run([100, 200], 130, 1000), pricing);
    expect(figures).toMatchObject({
      billsGbp: 300,
      reinforcementGbp: 1500,
      carbonCostGbp: 100,
      socialCostGbp: 1900,
    });
    expect(socialCost(run([100], 90), pricing).reinforcementGbp).toBe(0);
  });

  it('reports PoA, headroom lost and the cooperative gap from the four runs', () => {
    const report = poaReport(
      {
        passive: run([500, 600, 700], 120),
        selfish: run([400, 500, 690], 140),
        cooperative: run([420, 510, 680], 105),
        central: run([410, 505, 680], 100),
      },
      pricing,
    );
    // selfish: 1590 + 40·50 = 3590; central: 1595 + 0 = 1595.
    expect(report.priceOfAnarchy).toBeCloseTo(3590 / 1595, 12);
    expect(report.headroomLostPct).toBeCloseTo(35, 12);
    expect(report.cooperativeGapPct).toBeCloseTo((100 * (1610 + 250 - 1595)) / 1595, 12);
    expect(report.policies.passive?.giniOfBenefit).toBe(0);
    expect(report.policies.selfish?.benefitPerDecileGbp).toHaveLength(10);
    expect(() => poaReport({ passive: run([1], 1) }, pricing)).toThrowError(/needs a "selfish" run/);
  });
});
