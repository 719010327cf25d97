import { describe, expect, it } from 'vitest';
import { RELATIVE_GAP_TOLERANCE } from '../../../hub/agents/coordination.js';
import { type FleetPolicyOptions, ROW_TOLERANCE } from '../../../hub/agents/fleet.js';
import { shiftedWindow } from '../../../hub/agents/window-shift.js';
import { socialCost } from '../../../hub/study/poa-metrics.js';
import { runStudyPolicy } from '../../../hub/study/poa-study.js';
import { streetStudy } from '../study/street-study.js';

describe('shiftedWindow', () => {
  it('moves a window a day on: the same moment where the old window reaches it, else the same time a day before', () => {
    const series = Float64Array.from({ length: 6 }, (_, t) => t);
    // 4 steps a day, the next window 4 steps later: steps 0..1 are the old 4..5, steps 2..5 the old 2..5.
    expect(Array.from(shiftedWindow(series, 4, 4))).toEqual([4, 5, 2, 3, 4, 5]);
    // 8 steps a day: steps 2..4 a day before are before the old window (zero); step 5 is its step 1.
    expect(Array.from(shiftedWindow(series, 4, 8))).toEqual([4, 5, 0, 0, 0, 1]);
  });
});

// Two days of the 70 % IEEE street at a 150 kW limit: the first window's plans break voltage and cable rows,
// so the second window starts with them (and, cooperative, with the first window's prices).
const { inputs, street, pricing } = await streetStudy('scenarios/ieee-eu-lv-70.yaml', {
  transformerLimitKw: 150,
  reinforcementGbpPerKw: 150,
  carbonPriceGbpPerKg: 0,
  loadPriceSlopeGbpPerKwhPerKw: 0,
});

describe('street policies started from the last window (IEEE 70 % street, two days)', () => {
  const run = async (policy: 'cooperative' | 'central', fleet: FleetPolicyOptions) => {
    const { result, extras } = await runStudyPolicy(
      inputs,
      policy,
      { ...street.context, fleet },
      { days: 2 },
    );
    return { socialCostGbp: socialCost(result, pricing).socialCostGbp, report: extras.coordination };
  };

  for (const policy of ['cooperative', 'central'] as const) {
    it(`${policy}: the same social cost within ${WARM_START_TOLERANCE_PCT} %, ${policy === 'central' ? 'in fewer joint LP solves that search for broken rows, keeping the rows' : 'each within its duality-gap tolerance'}`, async () => {
      const cold = await run(policy, { warmStart: false });
      const warm = await run(policy, {});
      const coldReport = cold.report;
      const warmReport = warm.report;
      expect(warmReport?.windows).toBe(2);
      // Central's solves also count its reactive passes, which land on other optimal plans (the LP is
      // degenerate) warm or cold: what the warm start spares is the solves that find the rows again.
      // Cooperative's warm start spares rounds over weeks, not on these two days (26 rounds warm, 25 cold): on
      // 28 days its windows' first exchanges took 343 rounds warm and 376 cold, while the reactive passes, as
      // many as each window's plans need, hide it in the total. So only its cost is checked.
      if (policy === 'central') {
        expect(warmReport?.rowSearchSolves).toBeLessThan(coldReport?.rowSearchSolves as number);
      }
      expect(Math.abs(warm.socialCostGbp - cold.socialCostGbp)).toBeLessThanOrEqual(
        (cold.socialCostGbp * WARM_START_TOLERANCE_PCT) / 100,
      );
      // Cooperative stops each window on its duality gap, within 0.1 % of the window's cost (a day and a half,
      // less than the two days' social cost); central has none to report.
      for (const report of [warmReport, coldReport]) {
        expect(report?.maxGapGbp).toBeLessThanOrEqual(RELATIVE_GAP_TOLERANCE * cold.socialCostGbp);
      }
      // Central's warm start keeps the network rows as well as a cold one, to the fleet's own tolerance for a
      // kept row (a warm simplex ends a few 1e-5 V/kW off where a cold one ends on the row).
      if (policy === 'central') {
        expect(warmReport?.maxViolation).toBeLessThanOrEqual(
          (coldReport?.maxViolation as number) + ROW_TOLERANCE,
        );
      }
    });
  }
});

/** How far a warm-started run may land from a cold one: another optimum of equal cost, to the rounds' tolerance. */
const WARM_START_TOLERANCE_PCT = 0.1;
