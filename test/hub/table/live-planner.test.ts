import { afterEach, describe, expect, it, vi } from 'vitest';
import { isFleetPolicy } from '../../../hub/agents/fleet.js';
import { createPolicyWith, getHighs, POLICIES, type PolicyOptions } from '../../../hub/agents/registry.js';
import { SimClock } from '../../../hub/clock.js';
import { loadFeeder } from '../../../hub/feeder/index.js';
import { HomeAgents } from '../../../hub/table/home-agents.js';
import { LiveMarket } from '../../../hub/table/live-market.js';
import { livePolicyContext } from '../../../hub/table/live-policies.js';
import { loadTableMap } from '../../../hub/table/map-config.js';
import { TableState } from '../../../hub/table/table-state.js';

const map = loadTableMap('scenarios/table-map.yaml');
const network = loadFeeder(map.feederDir);
const highs = await getHighs();
/** The built plan thread (npm test builds dist/ first), and one that fails at its first plan. */
const BUILT_THREAD = new URL('../../../dist/hub/table/plan-worker.js', import.meta.url);
const BROKEN_THREAD = new URL('./broken-plan-worker.mjs', import.meta.url);
const made: HomeAgents[] = [];

afterEach(async () => {
  vi.restoreAllMocks();
  await Promise.all(made.splice(0).map((agents) => agents.dispose()));
});

/** The names of the policies this thread makes from now on, in order. */
function watchPoliciesMadeHere(): string[] {
  const names: string[] = [];
  for (const definition of POLICIES) {
    const create = definition.create.bind(definition);
    vi.spyOn(definition, 'create').mockImplementation((context) => {
      names.push(definition.name);
      return create(context);
    });
  }
  return names;
}

/** Cooperative with three shadows on a plan thread, stepping a 6-minute clock. */
function session(planThread: URL) {
  const table = new TableState(map);
  for (const asset of table.assets) table.setOnline(asset.asset, true);
  const agents = new HomeAgents(map, table, network, highs, {
    policy: 'cooperative',
    shadows: ['selfish', 'central', 'passive'],
    limitKw: 9,
    planThread,
  });
  made.push(agents);
  const clock = new SimClock({
    start: new Date('2026-01-15T23:00:00Z'),
    stepMinutes: 6,
    mode: 'accelerated',
  });
  const market = new LiveMarket();
  return () => agents.step(clock.advance(), market);
}

describe('the live planner’s stand-ins (the hub thread while the plan thread plans)', () => {
  it('a definition’s schedule is what its instances say of themselves, under the live options and others', () => {
    const live = livePolicyContext(highs, 9);
    const others: PolicyOptions = {
      selfish: { horizonSteps: 10, replanEverySteps: 4 },
      fleet: { horizonSteps: 12, replanEverySteps: 3 },
    };
    for (const context of [live, { ...live, ...others }, { street: live.street }]) {
      for (const definition of POLICIES) {
        const policy = createPolicyWith(highs, definition.name, context);
        const { horizonSteps, replanEverySteps, tariffChoice } = policy;
        expect(definition.schedule(context), definition.name).toEqual({
          horizonSteps,
          replanEverySteps,
          tariffChoice,
          fleet: isFleetPolicy(policy),
        });
        policy.dispose();
      }
    }
  });

  it('makes no policy in the hub’s thread while the plan thread plans', async () => {
    const madeHere = watchPoliciesMadeHere();
    const step = session(BUILT_THREAD);
    let plansMade = 0;
    // Across a half-hour, where the street policies plan again.
    for (let k = 0; k < 6; k++) {
      const acted = await step();
      expect(acted.failures).toEqual([]);
      plansMade += acted.plansMade;
    }
    expect(plansMade).toBeGreaterThan(0);
    expect(madeHere).toEqual([]);
  });

  it('makes each policy here once, when the thread has failed', async () => {
    const madeHere = watchPoliciesMadeHere();
    const step = session(BROKEN_THREAD);
    expect((await step()).failures).toHaveLength(1);
    expect([...madeHere].sort()).toEqual(['central', 'cooperative', 'passive', 'selfish']);
    let plansMade = 0;
    for (let k = 0; k < 6; k++) plansMade += (await step()).plansMade;
    expect(plansMade).toBeGreaterThan(0);
    expect(madeHere).toHaveLength(4);
  });
});
