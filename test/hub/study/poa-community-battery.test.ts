import { describe, expect, it } from 'vitest';
import { OPTIMUM_TOLERANCE_PCT, socialCost } from '../../../hub/study/poa-metrics.js';
import { runStudyPolicy } from '../../../hub/study/poa-study.js';
import { streetStudy } from './street-study.js';

// The table street with its community battery idles at 252.2 V (the source at 1.05 pu), so on a sunny June day
// its PV inverters' Volt-Watt holds the voltage near the band's top. The first day is the first planning
// window, which has no last window's inverter figures to start from.
const { inputs, street, pricing } = await streetStudy('scenarios/table-community-battery.yaml', {
  reinforcementGbpPerKw: 150,
  carbonPriceGbpPerKg: 0,
  loadPriceSlopeGbpPerKwhPerKw: 0,
});
const socialCostOf = async (policy: 'selfish' | 'cooperative' | 'central') => {
  const { result } = await runStudyPolicy(inputs, policy, street.context, { days: 1 });
  return socialCost(result, pricing).socialCostGbp;
};

describe("the community-battery table street's first June day", () => {
  // The window's rows first hold idle inverters (no last window's figures), which every sunny step breaks;
  // at the plans' own inverter answer they hold. Planned only under the first, central and cooperative paid to
  // break them less: £18.45 and £19.02 against selfish's £15.41 (f3964b1).
  for (const policy of ['central', 'cooperative'] as const) {
    it(`${policy} costs society no more than selfish homes, within the optimum check's tolerance`, async () => {
      const selfish = await socialCostOf('selfish');
      expect(await socialCostOf(policy)).toBeLessThanOrEqual(selfish * (1 + OPTIMUM_TOLERANCE_PCT / 100));
    });
  }
});
