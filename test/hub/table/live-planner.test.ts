import { afterEach, describe, expect, it, vi } from 'vitest';
import { isFleetPolicy } from '../../../hub/agents/fleet.js';
import { createPolicyWith, getHighs, POLICIES, type PolicyOptions } from '../../../hub/agents/registry.js';
import { livePolicyContext } from '../../../hub/table/live-policies.js';
import { cooperativeSession, endSessions } from './cooperative-session.js';

const highs = await getHighs();
/** The built plan thread (npm test builds dist/ first), and one that fails at its first plan. */
const BUILT_THREAD = new URL('../../../dist/hub/table/plan-worker.js', import.meta.url);
const BROKEN_THREAD = new URL('./broken-plan-worker.mjs', import.meta.url);

afterEach(async () => {
  vi.restoreAllMocks();
  await endSessions();
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
    const { step } = cooperativeSession(BUILT_THREAD);
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
    const { step } = cooperativeSession(BROKEN_THREAD);
    expect((await step()).failures).toHaveLength(1);
    expect([...madeHere].sort()).toEqual(['central', 'cooperative', 'passive', 'selfish']);
    let plansMade = 0;
    for (let k = 0; k < 6; k++) plansMade += (await step()).plansMade;
    expect(plansMade).toBeGreaterThan(0);
    expect(madeHere).toHaveLength(4);
  });
});
