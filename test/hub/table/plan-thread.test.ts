import { setImmediate } from 'node:timers/promises';
import { BroadcastChannel } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import type { AgentsStep } from '../../../hub/table/home-agents.js';
import type { TableState } from '../../../hub/table/table-state.js';
import type { HomeDecision } from '../../../protocol/gridflex.js';
import { endSessions, cooperativeSession as session } from './cooperative-session.js';

/** The built plan thread (npm test builds dist/ first); the test's own threads wrap it or break. */
const BUILT_THREAD = new URL('../../../dist/hub/table/plan-worker.js', import.meta.url);
const HELD_THREAD = new URL('./held-plan-worker.mjs', import.meta.url);
const BROKEN_THREAD = new URL('./broken-plan-worker.mjs', import.meta.url);

afterEach(endSessions);

/** What a step put out, without the wall time its plans took (the only figure that differs run to run). */
function output(step: AgentsStep, table: TableState) {
  const decisions = step.decisions.map(({ planningMs: _planningMs, ...decision }: HomeDecision) => decision);
  return {
    decisions,
    setpointsKw: [...step.setpointsKw],
    news: step.news,
    failures: step.failures,
    powersKw: table.assets.map((asset) => [asset.asset, asset.pKw]),
  };
}

describe('the plan thread (the live policies plan in a worker thread)', () => {
  it('makes the same plans as the hub’s own thread: decisions, set-points and every street’s figures, step by step across half-hours and a policy switch', async () => {
    const here = session();
    const threaded = session(BUILT_THREAD);
    for (let k = 0; k < 12; k++) {
      if (k === 4) {
        expect(here.agents.setPolicy('central').accepted).toBe(true);
        expect(threaded.agents.setPolicy('central').accepted).toBe(true);
      }
      const expected = output(await here.step(), here.table);
      expect(output(await threaded.step(), threaded.table)).toEqual(expected);
    }
    expect(threaded.agents.comparison()).toEqual(here.agents.comparison());
    expect(threaded.agents.policy()).toEqual({ running: 'central', next: 'central' });
  });

  it('leaves the event loop to the hub while a plan is being made', async () => {
    const { agents, step } = session(HELD_THREAD);
    const hold = new BroadcastChannel('gridflex-test-plan-hold');
    const holding = new Promise((resolve) => {
      hold.onmessage = resolve;
    });
    let stepped = false;
    const stepping = step().then((acted) => {
      stepped = true;
      return acted;
    });
    await holding;
    // The thread holds the running street's plans: the loop turns as often as it likes, the step waits.
    let turns = 0;
    for (; turns < 50; turns++) await setImmediate();
    expect(stepped).toBe(false);
    hold.postMessage('release');
    const acted = await stepping;
    hold.close();
    expect(acted.failures).toEqual([]);
    expect(acted.plansMade).toBeGreaterThan(0);
    expect(agents.comparison().shadows.map((shadow) => shadow.steps)).toEqual([1, 1, 1]);
  });

  it('reports a thread that fails and plans on in the hub’s thread, as it would have planned there', async () => {
    const here = session();
    const broken = session(BROKEN_THREAD);
    const first = await broken.step();
    expect(first.failures).toEqual([
      'the plan thread failed: the planner broke; the hub plans in its own thread from now on',
    ]);
    expect(output(first, broken.table)).toEqual({
      ...output(await here.step(), here.table),
      failures: first.failures,
    });
    for (let k = 0; k < 6; k++) {
      expect(output(await broken.step(), broken.table)).toEqual(output(await here.step(), here.table));
    }
  });
});
