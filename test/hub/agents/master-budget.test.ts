import { describe, expect, it } from 'vitest';
import { loadRunInputs } from '../../../hub/sim/inputs.js';
import { plannedLimitsInWords } from '../../../hub/study/poa-metrics.js';
import { runStudyPolicy } from '../../../hub/study/poa-study.js';
import { streetPolicyContext } from '../../../hub/study/street-context.js';

// One day of the 70 % IEEE street at a 150 kW limit, whose plans break many voltage and cable rows: with a
// master budget of a few dozen rows the coordinator must stop adding them, finish the window, and say why.
const inputs = loadRunInputs('scenarios/ieee-eu-lv-70.yaml');
// The EVs start at 60 %, below their residents' 80 % target, so the day's plans charge them.
for (const { spec } of inputs.scenario.homes) if (spec.ev) spec.ev.initialSocPct = 60;
const street = await streetPolicyContext(inputs, {
  transformerLimitKw: 150,
  reinforcementGbpPerKw: 150,
  carbonPriceGbpPerKg: 0,
  loadPriceSlopeGbpPerKwhPerKw: 0,
});

describe("cooperative's master at its nonzero budget (IEEE 70 % street, one day)", () => {
  it('keeps no further rows, completes the run, and the study says the window could not keep its rows', async () => {
    const homes = inputs.scenario.homes.length;
    // The convexity rows and about 10 dense rows, each at 30 proposals a home. With 20 the window now keeps its
    // rows: its passes after a capped exchange start a master of only the plans the mix weighed.
    const budget = 11 * homes * 30;
    const { extras } = await runStudyPolicy(
      inputs,
      'cooperative',
      { ...street.context, fleet: { masterNonzeroBudget: budget } },
      { days: 1 },
    );
    const report = extras.coordination;
    expect(report?.windows).toBe(1);
    expect(report?.windowsAtRowBudget).toBe(1);
    expect(report?.windowsBreakingLimits).toBe(1);
    const words = plannedLimitsInWords(
      'cooperative',
      { ...(report as NonNullable<typeof report>), unconvergedWindows: 0 },
      0,
      null,
    );
    expect(words).toMatch(
      /^cooperative could not keep the linearised cable rows \(no voltage rows\) in 1 of 1 planning windows .* because its coordinator's master LP reached its row budget \(HiGHS's memory\) in 1 window and could keep no further rows there;/,
    );
  });
});
