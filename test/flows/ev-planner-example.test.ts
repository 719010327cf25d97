import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { AgentPlanRequest, ResidentPlan } from '../../protocol/gridflex.js';

interface FlowNode {
  id: string;
  type: string;
  func?: string;
}

/** The example's function node as Node-RED runs it: `msg` in, `msg` out, `node.status` for its badge. */
function plannerOfExample(): (request: AgentPlanRequest) => ResidentPlan {
  const flow = JSON.parse(readFileSync('flows/examples/resident-ev-planner.json', 'utf8')) as FlowNode[];
  const planner = flow.find((node) => node.type === 'function');
  const run = new Function('msg', 'node', planner?.func ?? '') as (
    msg: { payload: unknown },
    node: { status: (status: unknown) => void },
  ) => { payload: ResidentPlan };
  return (request) => run({ payload: request }, { status: () => {} }).payload;
}

const HALF_HOURS = 8;

function request(): AgentPlanRequest {
  return {
    requestId: 'home-3-412',
    home: 'home-3',
    step: 412,
    stepMinutes: 30,
    minuteOfDay: 22 * 60,
    deadlineMinuteOfDay: 22 * 60 + 30,
    horizonSteps: HALF_HOURS,
    importPriceGbpPerKwh: [0.3, 0.3, 0.1, 0.09, 0.1, 0.3, 0.3, 0.3],
    exportPriceGbpPerKwh: new Array(HALF_HOURS).fill(0.15),
    carbonKgPerKwh: new Array(HALF_HOURS).fill(0.15),
    baseLoadKw: new Array(HALF_HOURS).fill(0.5),
    pvAvailableKw: new Array(HALF_HOURS).fill(0),
    evAtHome: new Array(HALF_HOURS).fill(1),
    evSocKwh: 30,
    limits: { evMaxChargeKw: 7, evCapacityKwh: 40 },
    preferences: {
      evReadyByMinute: 2 * 60,
      evTargetSocPct: 80,
      comfortMinCelsius: 19,
      comfortMaxCelsius: 22,
    },
  };
}

describe('flows/examples/resident-ev-planner.json', () => {
  it('answers a plan request with the EV in the cheapest half-hours before the ready-by time', () => {
    const plan = plannerOfExample()(request());
    expect(plan.requestId).toBe('home-3-412');
    // 2 kWh short of 80 % of 40 kWh, through the charger's losses: 0.9^-½ × 2 kWh in the 9 p half-hour.
    expect(plan.evKw?.map((kw) => Number(kw.toFixed(3)))).toEqual([
      0,
      0,
      0,
      Number(((2 / Math.sqrt(0.9)) * 2).toFixed(3)),
      0,
      0,
      0,
      0,
    ]);
    expect(plan.heatPumpKw).toBeUndefined();
    expect(plan.explanation).toBe(
      'Node-RED: EV charges in the 1 cheapest half-hours before the ready-by time',
    );
  });
});
