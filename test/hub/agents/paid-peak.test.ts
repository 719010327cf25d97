import { afterEach, describe, expect, it, vi } from 'vitest';
import type { FleetPolicy } from '../../../hub/agents/fleet.js';
import { getHighs } from '../../../hub/agents/highs.js';
import { HomeLp } from '../../../hub/agents/home-lp.js';
import type { Plan, PlanContext } from '../../../hub/agents/index.js';
import { PaidPeak } from '../../../hub/agents/paid-peak.js';
import { createPolicyWith, type PolicyStreet } from '../../../hub/agents/registry.js';
import { loadRunInputs } from '../../../hub/sim/inputs.js';
import { runStudyPolicy } from '../../../hub/study/poa-study.js';
import { streetPolicyContext } from '../../../hub/study/street-context.js';
import { LivePlanner } from '../../../hub/table/live-planner.js';
import { HORIZON_STEPS } from '../../../hub/table/live-street.js';
import { cooperativeSession, endSessions } from '../table/cooperative-session.js';
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

  it('a period shorter than a plan step is refused, naming the option', () => {
    expect(() =>
      createPolicyWith(highs, 'cooperative', {
        fleet: { peakPeriodSteps: 0 },
        street,
      }),
    ).toThrow(/peakPeriodSteps must be at least 1/);
  });
});

/** Each window's first plan step, its street limit and the upper bounds it planned against, as PaidPeak gave them. */
function watchUpperBounds(): { firstStep: number; limitKw: number; upperKw: number[] }[] {
  const windows: { firstStep: number; limitKw: number; upperKw: number[] }[] = [];
  const upperByStep = PaidPeak.prototype.upperByStep;
  vi.spyOn(PaidPeak.prototype, 'upperByStep').mockImplementation(function (
    this: PaidPeak,
    limitKw,
    firstStep,
    steps,
  ) {
    const upper = upperByStep.call(this, limitKw, firstStep, steps);
    windows.push({ firstStep, limitKw, upperKw: Array.from(upper) });
    return upper;
  });
  return windows;
}

describe('the paid-for street peak in the Street engine', () => {
  afterEach(async () => {
    vi.restoreAllMocks();
    await endSessions();
  });

  it('live table: cooperative and central plan from midnight against the limit again, not the evening’s peak', async () => {
    const windows = watchUpperBounds();
    // A 1 kW limit the homes' own night load breaks: every plan draws a peak above it.
    const { step } = cooperativeSession(undefined, 1);
    // 23:00 to 00:12, six minutes a step: the street policies plan at 23:00, 23:30 and 00:00.
    for (let k = 0; k < 12; k++) expect((await step()).failures).toEqual([]);
    const evening = windows.filter((window) => window.firstStep % DAY_STEPS === 47);
    const midnight = windows.filter((window) => window.firstStep % DAY_STEPS === 0);
    expect(evening.length).toBeGreaterThan(0);
    expect(midnight.length).toBe(evening.length);
    // At 23:30 the evening's peak is paid for until midnight, not after it.
    for (const { upperKw } of evening) {
      expect(upperKw[0]).toBeGreaterThan(1);
      expect(new Set(upperKw.slice(1))).toEqual(new Set([1]));
    }
    for (const { upperKw } of midnight) expect(new Set(upperKw)).toEqual(new Set([1]));
  }, 60_000);

  it('batch run: the peak lasts the run, over midnight too (the social cost charges the run’s peak)', async () => {
    const windows = watchUpperBounds();
    const inputs = loadRunInputs('scenarios/table.yaml');
    const pricing = { reinforcementGbpPerKw: 150, carbonPriceGbpPerKg: 0, loadPriceSlopeGbpPerKwhPerKw: 0 };
    const street = await streetPolicyContext(inputs, { ...pricing, transformerLimitKw: 1 });
    await runStudyPolicy(inputs, 'central', street.context, { days: 2 });
    const [first, second] = windows;
    expect(windows.map((window) => window.firstStep)).toEqual([0, 48]);
    const limitKw = first?.limitKw as number;
    expect(new Set(first?.upperKw)).toEqual(new Set([limitKw]));
    // The second day plans every step against the first day's peak, above the limit.
    expect(new Set(second?.upperKw).size).toBe(1);
    expect(second?.upperKw[0]).toBeGreaterThan(limitKw + 1);
  }, 60_000);
});
