import { afterAll, describe, expect, it } from 'vitest';
import { createPolicy, type Policy } from '../../../hub/agents/index.js';
import { fullHome } from '../homes/fixtures.js';
import { context, forecast } from './plan-fixtures.js';

describe('selfish policy', () => {
  let selfish: Policy;
  afterAll(() => selfish?.dispose());

  it('charges the EV in the cheap night to reach the target by the ready-by time, and says so', async () => {
    selfish = await createPolicy('selfish');
    const plan = selfish.plan(context());
    let nightKwh = 0;
    let dayKwh = 0;
    for (let t = 0; t < 16; t++) {
      if (t < 10) nightKwh += (plan.evKw[t] ?? 0) * 0.5;
      else dayKwh += (plan.evKw[t] ?? 0) * 0.5;
    }
    // 40 % → 80 % of 60 kWh at √0.9 charging efficiency.
    expect(nightKwh).toBeCloseTo(24 / Math.sqrt(0.9), 6);
    expect(dayKwh).toBeCloseTo(0, 6);
    expect(plan.cannotKeep).toEqual([]);
    expect(plan.explanation).toMatch(/EV 25\.3 kWh in 0\d:\d\d–05:00 at 8\.0 p\/kWh/);
    // The heat pump pre-heats in the cheap hours and the house stays in the band.
    expect(plan.heatPumpKw.slice(0, 10).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
  });

  it('says when the ready-by promise cannot be kept', () => {
    const home = fullHome();
    const slowHome = { ...home, ev: home.ev && { ...home.ev, maxChargeKw: 2 } };
    const plan = selfish.plan(context({ home: slowHome }));
    expect(plan.cannotKeep.join()).toMatch(/EV cannot reach 80 % by 07:30: \d+\.\d+ kWh short/);
  });

  it('says when the heat pump is too small for the comfort band', () => {
    const home = fullHome();
    const smallHeatPump = home.heatPump && { ...home.heatPump, maxElectricKw: 0.5 };
    const plan = selfish.plan(
      context({
        home: { ...home, id: 'cold', heatPump: smallHeatPump },
        forecast: forecast({ outdoorC: -10 }),
      }),
    );
    expect(plan.cannotKeep.join()).toMatch(/heat pump cannot hold 19 °C/);
  });
});
