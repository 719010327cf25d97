import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { socialCost } from '../../../hub/study/poa-metrics.js';
import { runStudyPolicy } from '../../../hub/study/poa-study.js';
import { scenarioSpan } from '../scenario-span.js';
import { streetStudy } from './street-study.js';

// The IEEE 70 % street's first two summer days (from day 170) at its hosting capacity. At 07:00 of the first,
// cooperative's plans reach the street limit, which leaves a fixed allowance for line losses (those of an even
// load), and where the plans' loads fell their losses went past it: the power flow found the transformer at
// 106.6 kW against its 105.9 kW (65a29c4), and social cost priced the 0.7 kW as reinforcement.
const dir = mkdtempSync(join(tmpdir(), 'gridflex-street-limit-'));
const scenario = scenarioSpan(dir, 'scenarios/ieee-eu-lv-70.yaml', 170, 2);
const { inputs, street, pricing } = await streetStudy(scenario, {
  reinforcementGbpPerKw: 150,
  carbonPriceGbpPerKg: 0,
  loadPriceSlopeGbpPerKwhPerKw: 0,
});

describe("cooperative on the IEEE 70 % street's first summer days, at the hosting capacity", () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("keeps the transformer within the street limit by the power flow (its plans' own losses held), and the trunk near its rating", async () => {
    const { result } = await runStudyPolicy(inputs, 'cooperative', street.context, { days: 2 });
    expect(result.network.transformerPeakKw).toBeLessThanOrEqual(pricing.transformerRatingKw);
    expect(socialCost(result, pricing).reinforcementGbp).toBe(0);
    // The trunk (LINE1) stays under its rating here: 89 % since the inverters settle within each step (ea5e52f).
    // Before, with each inverter answering the step before's voltage, the plan imported by turns at midday and
    // the trunk reached 141 % when a capped exchange's next master kept the mix's plans alone (105 % with those
    // of the homes under a binding cable row, cooperative-policy.ts carriedMaster); now both give 89 %.
    const worstPct = Math.max(...result.networkStress.lines.map((line) => line.maxLoadingPct));
    expect(worstPct).toBeLessThan(110);
  }, 600_000);
});
