import { afterEach, describe, expect, it, vi } from 'vitest';
import { CooperativePolicy } from '../../../hub/agents/cooperative-policy.js';
import { getHighs } from '../../../hub/agents/registry.js';
import { SimClock } from '../../../hub/clock.js';
import { loadFeeder } from '../../../hub/feeder/index.js';
import { HomeAgents } from '../../../hub/table/home-agents.js';
import { LiveFeeder } from '../../../hub/table/live-feeder.js';
import { LiveMarket } from '../../../hub/table/live-market.js';
import { loadTableMap } from '../../../hub/table/map-config.js';
import { TableState } from '../../../hub/table/table-state.js';
import type { HomeDecision } from '../../../protocol/gridflex.js';
import { offerNightTariff } from './night-tariff.js';

const map = loadTableMap('scenarios/table-map.yaml');
const network = loadFeeder(map.feederDir);
const sessions: HomeAgents[] = [];

afterEach(() => {
  for (const agents of sessions.splice(0)) agents.dispose();
  vi.restoreAllMocks();
});

/** A table in the late evening under a night tariff and a street limit the EVs break: the policies differ. */
async function session(policy: string, shadows: string[]) {
  const table = new TableState(map);
  for (const asset of table.assets) table.setOnline(asset.asset, true);
  const agents = new HomeAgents(map, table, network, await getHighs(), { policy, shadows, limitKw: 9 });
  sessions.push(agents);
  const market = new LiveMarket();
  const start = new Date('2026-01-15T23:00:00Z');
  offerNightTariff(market, start);
  const feeder = new LiveFeeder(network, table, map.sharedBattery);
  const clock = new SimClock({ start, stepMinutes: 6, mode: 'accelerated' });
  const step = async (): Promise<HomeDecision[]> => {
    const now = clock.advance();
    const acted = await agents.step(now, market);
    const flow = feeder.solveStep(now);
    agents.recordRunning(flow.summary, flow.homes, market, now);
    // The plans and what they did; how long planning took is wall time.
    return acted.decisions.map(({ planningMs: _planningMs, ...decision }) => ({
      ...decision,
      planningMs: 0,
    }));
  };
  return { agents, step };
}

const shadowOf = (agents: HomeAgents, policy: string) =>
  agents.comparison().shadows.find((figures) => figures.policy === policy);

describe('the running policy’s shadow run is planned once, with the running street', () => {
  it('gives the same plans and figures as separate streets, before and after the operator’s switch', async () => {
    // The table under test: cooperative runs, with cooperative (its own shadow) and selfish beside it.
    const table = await session('cooperative', ['cooperative', 'selfish']);
    // The same running street with no shadows, and a cooperative shadow run beside another policy.
    const alone = await session('cooperative', []);
    const beside = await session('selfish', ['cooperative', 'selfish']);
    const compare = async (k: number) => {
      const decisions = await table.step();
      expect(decisions, `step ${k}`).toEqual(await alone.step());
      await beside.step();
      expect(shadowOf(table.agents, 'cooperative'), `step ${k}`).toEqual(
        shadowOf(beside.agents, 'cooperative'),
      );
      expect(shadowOf(table.agents, 'selfish'), `step ${k}`).toEqual(shadowOf(beside.agents, 'selfish'));
      return decisions;
    };
    for (let k = 0; k < 25; k++) await compare(k);
    const before = shadowOf(table.agents, 'cooperative');
    expect(before?.steps).toBe(25);
    expect(table.agents.comparison().running).toEqual({ ...before, policy: 'cooperative' });

    // The operator switches to central (at the next half-hour): the cooperative shadow run goes on as before.
    expect(table.agents.setPolicy('central').accepted).toBe(true);
    expect(alone.agents.setPolicy('central').accepted).toBe(true);
    let k = 25;
    while (table.agents.policy().running !== 'central') await compare(k++);
    expect(k).toBeLessThanOrEqual(30);
    for (const end = k + 40; k < end; k++) {
      const decisions = await compare(k);
      expect(decisions.every((decision) => decision.policy === 'central')).toBe(true);
    }
    const cooperative = shadowOf(table.agents, 'cooperative');
    const central = table.agents.comparison().running;
    expect(cooperative?.policy).toBe('cooperative');
    expect(central.policy).toBe('central');
    expect(central.billsGbp).not.toBeCloseTo(cooperative?.billsGbp ?? 0, 6);
  });

  it('plans that policy once a step until the switch, then the shadow run plans on its own', async () => {
    const planFleet = vi.spyOn(CooperativePolicy.prototype, 'planFleet');
    const alone = await session('cooperative', []);
    for (let k = 0; k < 25; k++) await alone.step();
    const plannedAlone = planFleet.mock.calls.length;
    expect(plannedAlone).toBeGreaterThan(0);
    planFleet.mockClear();
    const table = await session('cooperative', ['cooperative']);
    for (let k = 0; k < 25; k++) await table.step();
    expect(planFleet.mock.calls.length).toBe(plannedAlone);
    expect(table.agents.setPolicy('central').accepted).toBe(true);
    while (table.agents.policy().running !== 'central') await table.step();
    planFleet.mockClear();
    // The table runs central now: cooperative plans only in its shadow run, each half-hour.
    for (let k = 0; k < 25; k++) await table.step();
    expect(planFleet.mock.calls.length).toBeGreaterThanOrEqual(plannedAlone - 1);
  });
});
