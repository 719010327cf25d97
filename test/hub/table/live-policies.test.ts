import { afterEach, describe, expect, it } from 'vitest';
import { getHighs } from '../../../hub/agents/registry.js';
import { SimClock } from '../../../hub/clock.js';
import { loadFeeder } from '../../../hub/feeder/index.js';
import { HomeAgents } from '../../../hub/table/home-agents.js';
import { LiveFeeder } from '../../../hub/table/live-feeder.js';
import { LiveMarket } from '../../../hub/table/live-market.js';
import { loadTableMap, parseTableMap } from '../../../hub/table/map-config.js';
import { LiveSharedBattery } from '../../../hub/table/shared-battery.js';
import { TableState } from '../../../hub/table/table-state.js';
import { offerNightTariff } from './night-tariff.js';

const map = loadTableMap('scenarios/table-map.yaml');
const network = loadFeeder(map.feederDir);
let agents: HomeAgents | undefined;

afterEach(() => agents?.dispose());

/** The hub's step: the agents act, the shared battery answers, the running street's power flow is solved and booked. */
async function session(policy: string, shadows: string[], limitKw = 9) {
  const table = new TableState(map);
  for (const asset of table.assets) table.setOnline(asset.asset, true);
  agents?.dispose();
  agents = new HomeAgents(map, table, network, await getHighs(), { policy, shadows, limitKw });
  const market = new LiveMarket();
  const start = new Date('2026-01-15T23:00:00Z');
  offerNightTariff(market, start);
  const feeder = new LiveFeeder(network, table, map.sharedBattery);
  const battery = map.sharedBattery ? new LiveSharedBattery(map.sharedBattery) : null;
  const clock = new SimClock({ start, stepMinutes: 6, mode: 'accelerated' });
  const running = agents;
  const step = async () => {
    const now = clock.advance();
    const acted = await running.step(now, market);
    const batteryKw = battery?.step(new Date(now.simTime), now.stepMinutes, feeder.homeNetPowerKw(now)) ?? 0;
    const flow = feeder.solveStep(now, batteryKw);
    running.recordRunning(flow.summary, flow.homes, market, now);
    return { now, acted, flow };
  };
  return { agents: running, step };
}

describe('every policy live, with shadow runs', () => {
  it('a shadow run of the running policy equals the running street, step by step', async () => {
    const { agents, step } = await session('selfish', ['selfish', 'central']);
    for (let k = 0; k < 70; k++) {
      await step();
      const { running, shadows } = agents.comparison();
      const selfish = shadows.find((figures) => figures.policy === 'selfish');
      expect(selfish).toEqual(running);
    }
    const { running, shadows } = agents.comparison();
    const central = shadows.find((figures) => figures.policy === 'central');
    expect(running.steps).toBe(70);
    // Selfish EVs all start when the night band opens at 00:30; central spreads them under the street's limit.
    expect(running.peakKw).toBeGreaterThan(12);
    expect(central?.peakKw).toBeLessThan(running.peakKw - 3);
  });

  it('switches policy at the next half-hour: the plans and the street peak change', async () => {
    const { agents, step } = await session('selfish', ['selfish']);
    await step();
    expect(agents.setPolicy('central').accepted).toBe(true);
    expect(agents.policy()).toEqual({ running: 'selfish', next: 'central' });
    expect(agents.setPolicy('selfsh')).toEqual({
      accepted: false,
      reason:
        'unknown policy "selfsh"; expected one of passive, selfish, nash, cooperative, central, external',
    });
    let decisions = (await step()).acted.decisions;
    while (agents.policy().running !== 'central') decisions = (await step()).acted.decisions;
    expect(decisions.every((decision) => decision.policy === 'central')).toBe(true);
    for (let k = 0; k < 65; k++) await step();
    const { running, shadows } = agents.comparison();
    const selfish = shadows[0];
    expect(running.policy).toBe('central');
    expect(running.peakKw).toBeLessThan((selfish?.peakKw ?? 0) - 3);
  });

  it('refuses an unknown policy in the table map, naming the choices', () => {
    expect(() =>
      parseTableMap(
        'feeder: x\nplots: [{plot: p1, bus: "1", phase: A}]\nlive: {policy: selfsh}\n',
        'map.yaml',
        '.',
      ),
    ).toThrow(
      'map.yaml: live.policy: unknown policy "selfsh"; expected one of passive, selfish, nash, cooperative, central, external',
    );
  });
});
