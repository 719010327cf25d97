import { setImmediate } from 'node:timers/promises';
import { BroadcastChannel } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { getHighs } from '../../../hub/agents/registry.js';
import { SimClock } from '../../../hub/clock.js';
import { loadFeeder } from '../../../hub/feeder/index.js';
import { type AgentsStep, HomeAgents } from '../../../hub/table/home-agents.js';
import { LiveMarket } from '../../../hub/table/live-market.js';
import { loadTableMap } from '../../../hub/table/map-config.js';
import { TableState } from '../../../hub/table/table-state.js';
import type { HomeDecision } from '../../../protocol/gridflex.js';
import { offerNightTariff } from './night-tariff.js';

const map = loadTableMap('scenarios/table-map.yaml');
const network = loadFeeder(map.feederDir);
/** The built plan thread (npm test builds dist/ first); the test's own threads wrap it or break. */
const BUILT_THREAD = new URL('../../../dist/hub/table/plan-worker.js', import.meta.url);
const HELD_THREAD = new URL('./held-plan-worker.mjs', import.meta.url);
const BROKEN_THREAD = new URL('./broken-plan-worker.mjs', import.meta.url);
const START = new Date('2026-01-15T23:00:00Z');
const made: HomeAgents[] = [];

afterEach(async () => {
  await Promise.all(made.splice(0).map((agents) => agents.dispose()));
});

/** The table's agents with every asset online, the night tariff on offer and a 6-minute clock from 23:00. */
function session(planThread?: URL) {
  const table = new TableState(map);
  for (const asset of table.assets) table.setOnline(asset.asset, true);
  const agents = new HomeAgents(map, table, network, highs, {
    policy: 'cooperative',
    shadows: ['selfish', 'central', 'passive'],
    limitKw: 9,
    ...(planThread ? { planThread } : {}),
  });
  made.push(agents);
  const market = new LiveMarket();
  offerNightTariff(market, START);
  const clock = new SimClock({ start: START, stepMinutes: 6, mode: 'accelerated' });
  return { agents, table, step: () => agents.step(clock.advance(), market) };
}

const highs = await getHighs();

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
