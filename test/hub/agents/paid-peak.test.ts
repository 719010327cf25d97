import { describe, expect, it } from 'vitest';
import type { FleetPolicy } from '../../../hub/agents/fleet.js';
import { getHighs } from '../../../hub/agents/highs.js';
import { HomeLp } from '../../../hub/agents/home-lp.js';
import type { Plan, PlanContext } from '../../../hub/agents/index.js';
import { createPolicyWith, type PolicyStreet } from '../../../hub/agents/registry.js';
import { LivePlanner } from '../../../hub/table/live-planner.js';
import { HORIZON_STEPS } from '../../../hub/table/live-street.js';
import { context, forecast } from './plan-fixtures.js';

// One home with an EV to charge mostly in a cheap night, on a street limited to 5 kW. The first window runs a
// step whose base load (20 kW) no plan can keep under the limit: the street draws a peak well above it. The
// next window plans the night: while that peak is paid for, the EV and battery charge above the limit at no
// extra cost; once it is not, the plan keeps to the limit (a kW above costs £150 against pence saved).
const LIMIT_KW = 5;
const DAY_STEPS = 48;
const highs = await getHighs();
/** The batch runs' street, as hub/study/street-context.ts hands it over, without voltages. */
const street = (): PolicyStreet => ({
  network: { transformerLimitKw: LIMIT_KW },
  problems: (home, horizonSteps) => new HomeLp(highs, home, horizonSteps),
  loadPriceSlopeGbpPerKwhPerKw: 0,
  reinforcementGbpPerKw: 150,
  carbonPriceGbpPerKg: 0,
});

/** Plans a high step at `firstStep`, then the next step's window; returns the street's highest planned import, kW. */
function nightPeakKw(policy: FleetPolicy, firstStep: number): number {
  const spike = forecast();
  spike.baseLoadKw[0] = 20;
  policy.planFleet([context({ step: firstStep, horizonSteps: HORIZON_STEPS, forecast: spike })]);
  const night = context({ step: firstStep + 1, horizonSteps: HORIZON_STEPS });
  const [plan] = policy.planFleet([night]);
  return streetImportPeakKw(plan as Plan, night);
}

function streetImportPeakKw(plan: Plan, planned: PlanContext): number {
  let peakKw = 0;
  for (let t = 0; t < HORIZON_STEPS; t++) {
    const loadKw = planned.forecast.baseLoadKw[t] as number;
    const devicesKw =
      (plan.evKw[t] as number) + (plan.batteryKw[t] as number) + (plan.heatPumpKw[t] as number);
    peakKw = Math.max(peakKw, loadKw + devicesKw - (planned.forecast.pvAvailableKw[t] as number));
  }
  return peakKw;
}

describe('the paid-for street peak (hub/agents/paid-peak.ts)', () => {
  // Live, plan steps are half-hours since 1970: this day's midnight is a multiple of 48.
  const midnight = 20_470 * DAY_STEPS;
  const live = () => new LivePlanner(highs, LIMIT_KW).create('central') as FleetPolicy;

  it('live: a peak drawn today is paid for the rest of the day', () => {
    expect(nightPeakKw(live(), midnight)).toBeGreaterThan(LIMIT_KW + 1);
  });

  it('live: a peak drawn before midnight is not paid for after it', () => {
    expect(nightPeakKw(live(), midnight - 1)).toBeLessThanOrEqual(LIMIT_KW + 1e-6);
  });

  it('batch: a peak lasts the run (the social cost charges the run’s peak), also across midnight', () => {
    const batch = createPolicyWith(highs, 'central', {
      fleet: { horizonSteps: HORIZON_STEPS, replanEverySteps: 1 },
      street,
    }) as FleetPolicy;
    expect(nightPeakKw(batch, DAY_STEPS - 1)).toBeGreaterThan(LIMIT_KW + 1);
  });

  it('a period shorter than a plan step is refused, naming the option', () => {
    expect(() =>
      createPolicyWith(highs, 'cooperative', {
        fleet: { peakPeriodSteps: 0 },
        street,
      }),
    ).toThrow(/peakPeriodSteps must be at least 1/);
  });
});
