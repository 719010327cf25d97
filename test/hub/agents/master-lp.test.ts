import { describe, expect, it } from 'vitest';
import type { HomeResponse, SharedLimit } from '../../../hub/agents/coordination.js';
import { MasterLp } from '../../../hub/agents/master-lp.js';
import { getHighs } from '../../../hub/agents/registry.js';

// Four homes, three plans each over two steps: cheap plans import at step 1, dear ones move the load to step 0.
const plan = (step0Kw: number, step1Kw: number, ownCostGbp: number): HomeResponse => ({
  netImportKw: Float64Array.of(step0Kw, step1Kw),
  decisions: [],
  ownCostGbp,
});
const proposalsOf = (): HomeResponse[][] =>
  [1, 0.8, 1.2, 0.9].map((size) => [
    plan(0, 4 * size, 1),
    plan(2 * size, 2 * size, 1.5 + size),
    plan(4 * size, 0.2 * size, 3 + size),
  ]);
// Ten rows at step 1 that weigh every home (as a bus's voltage does), each a little tighter and more lopsided.
const WEIGHTS = [1, 1.3, 0.7, 1.1];
const limits: SharedLimit[] = Array.from({ length: 10 }, (_, k) => ({
  name: `bus ${k}`,
  coefficientByHome: Float64Array.from(WEIGHTS, (w, h) => w * (1 + 0.05 * k * h)),
  upperByStep: Float64Array.of(100, 9 - 0.2 * k),
}));
const rows = limits.map((_, limit) => ({ limit, step: 1 }));

describe("the coordinator's master LP", () => {
  it('holds each proposal once per step its rows are at, not once per row, and prices the rows as the LP over the proposals would', async () => {
    const highs = await getHighs();
    const proposals = proposalsOf();
    const master = new MasterLp(highs, proposals, limits, 1000);
    try {
      master.addRows(rows.slice(0, 4));
      master.addNewProposals();
      master.solve();
      // Rows joining a solved master, as a later round's do.
      master.addRows(rows.slice(4));
      const solution = master.solve();
      const plans = proposals.flat().length;
      // Written over the proposals, each row holds an entry of every proposal: 10 · 12 beside the rest.
      expect(master.nonzeros).toBeLessThan(rows.length * plans);

      // The mix keeps every row and is what its weights cost.
      let mixedCostGbp = 0;
      const mixedKw = proposals.map((list, h) => {
        const weights = solution.weights[h] as Float64Array;
        expect(weights.reduce((sum, w) => sum + w, 0)).toBeCloseTo(1, 9);
        let kw = 0;
        list.forEach((proposal, j) => {
          kw += (weights[j] as number) * (proposal.netImportKw[1] as number);
          mixedCostGbp += (weights[j] as number) * proposal.ownCostGbp;
        });
        return kw;
      });
      limits.forEach((limit) => {
        const load = mixedKw.reduce((sum, kw, h) => sum + (limit.coefficientByHome[h] as number) * kw, 0);
        expect(load).toBeLessThanOrEqual((limit.upperByStep[1] as number) + 1e-7);
      });
      expect(solution.objectiveGbp).toBeCloseTo(mixedCostGbp, 7);
      // Its shadow prices are an optimal dual of the LP over the proposals: no proposal has a negative reduced
      // cost at them, and they are worth the master's cost (strong duality), so some row binds.
      proposals.forEach((list, h) => {
        for (const proposal of list) {
          let reducedGbp = proposal.ownCostGbp - (solution.homeDuals[h] as number);
          rows.forEach((row, r) => {
            const a = (limits[row.limit] as SharedLimit).coefficientByHome[h] as number;
            reducedGbp -= (solution.rowDuals[r] as number) * a * (proposal.netImportKw[1] as number);
          });
          expect(reducedGbp).toBeGreaterThanOrEqual(-1e-7);
        }
      });
      const dualGbp =
        solution.homeDuals.reduce((sum, mu) => sum + mu, 0) +
        rows.reduce(
          (sum, row, r) =>
            sum +
            (solution.rowDuals[r] as number) * ((limits[row.limit] as SharedLimit).upperByStep[1] as number),
          0,
        );
      expect(dualGbp).toBeCloseTo(solution.objectiveGbp, 7);
      expect(Math.min(...solution.rowDuals)).toBeLessThan(0);
    } finally {
      master.dispose();
    }
  });
});
