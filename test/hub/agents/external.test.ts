import { afterAll, describe, expect, it } from 'vitest';
import { getHighs } from '../../../hub/agents/highs.js';
import { createPolicy, type HomeForecast, type PlanContext, type Policy } from '../../../hub/agents/index.js';
import { PlanExchange } from '../../../hub/agents/plan-exchange.js';
import { ExternalPolicy } from '../../../hub/agents/policies/external.js';
import { SelfishPolicy } from '../../../hub/agents/selfish.js';
import { initialHomeState } from '../../../hub/homes/index.js';
import type { AgentPlanRequest } from '../../../protocol/gridflex.js';
import { fullHome } from '../homes/fixtures.js';

const STEPS = 48;

function forecast(): HomeForecast {
  return {
    baseLoadKw: new Float64Array(STEPS).fill(0.4),
    pvAvailableKw: new Float64Array(STEPS),
    outdoorC: new Float64Array(STEPS).fill(5),
    importPriceGbpPerKwh: new Float64Array(STEPS).fill(0.3),
    exportPriceGbpPerKwh: new Float64Array(STEPS).fill(0.05),
    carbonKgPerKwh: new Float64Array(STEPS).fill(0.2),
    evAtHome: new Uint8Array(STEPS).fill(1),
    evTripKwh: new Float64Array(STEPS),
    minuteOfDay: Int32Array.from({ length: STEPS }, (_, t) => (18 * 60 + t * 30) % 1440),
  };
}

function context(step: number): PlanContext {
  const home = fullHome();
  return {
    home,
    state: initialHomeState(home),
    step,
    dtHours: 0.5,
    horizonSteps: STEPS,
    forecast: forecast(),
    valuation: { carbonValueGbpPerKg: 0.25, autarkyValueGbpPerKwh: 0.1 },
  };
}

describe('external policy', () => {
  const policies: Policy[] = [];
  afterAll(() => {
    for (const policy of policies) policy.dispose();
  });

  async function externalWith(exchange: PlanExchange): Promise<{ policy: Policy; sent: AgentPlanRequest[] }> {
    const sent: AgentPlanRequest[] = [];
    exchange.install((request) => sent.push(request));
    const fallback = new SelfishPolicy(await getHighs(), { horizonSteps: STEPS, replanEverySteps: STEPS });
    const policy = new ExternalPolicy(fallback, exchange);
    policies.push(policy);
    return { policy, sent };
  }

  it('is in the registry and, with no agent connected, runs the selfish plan and says so', async () => {
    const policy = await createPolicy('external', {
      selfish: { horizonSteps: STEPS, replanEverySteps: STEPS },
    });
    policies.push(policy);
    const plan = policy.plan(context(0));
    expect(plan.explanation).toMatch(/^no outside agent is connected .*: built-in selfish plan/);
    expect(plan.evKw).toHaveLength(STEPS);
  });

  it('asks for a plan with the forecast and the device limits, and follows the answer from the next step', async () => {
    const exchange = new PlanExchange();
    const { policy, sent } = await externalWith(exchange);
    const first = policy.plan(context(10));
    expect(first.explanation).toMatch(/^the outside agent did not answer by 18:00: built-in selfish plan/);
    const request = sent[0] as AgentPlanRequest;
    expect(request).toMatchObject({
      requestId: `${fullHome().id}-10`,
      step: 10,
      stepMinutes: 30,
      minuteOfDay: 1080,
    });
    expect(request.deadlineMinuteOfDay).toBe(1110);
    expect(request.limits.evMaxChargeKw).toBe(fullHome().ev?.maxChargeKw);
    expect(request.importPriceGbpPerKwh).toHaveLength(STEPS);

    const answer = exchange.deliver(request.home, {
      requestId: request.requestId,
      evKw: [1, 2, 3],
      explanation: 'EV a little at a time',
    });
    expect(answer.accepted).toBe(true);
    const followed = policy.plan(context(11));
    expect(Array.from(followed.evKw.slice(0, 3))).toEqual([2, 3, 0]);
    expect(followed.explanation).toBe(
      'outside agent: EV a little at a time (battery, heat pump: built-in selfish plan)',
    );
    expect(followed.heatPumpKw.some((kw) => kw > 0)).toBe(true);
  });

  it('refuses a plan that breaks a device limit or answers an old request, and falls back when the deadline passes', async () => {
    const exchange = new PlanExchange();
    const { policy, sent } = await externalWith(exchange);
    policy.plan(context(20));
    policy.plan(context(21));
    const [old, open] = sent as [AgentPlanRequest, AgentPlanRequest];
    const maxKw = fullHome().ev?.maxChargeKw as number;
    expect(exchange.deliver(old.home, { requestId: old.requestId, evKw: [1] })).toEqual({
      accepted: false,
      reason: `plan answers ${old.requestId}, but ${old.home}'s open request is ${open.requestId}`,
    });
    const tooMuch = exchange.deliver(open.home, { requestId: open.requestId, evKw: [0, maxKw + 2] });
    expect(tooMuch.accepted).toBe(false);
    expect(tooMuch.reason).toBe(`evKw[1] = ${maxKw + 2} kW is outside the EV charger's limits 0…${maxKw} kW`);
    expect(policy.plan(context(22)).explanation).toMatch(/did not answer by/);
  });
});
