import { getHighs } from '../../../hub/agents/registry.js';
import { SimClock } from '../../../hub/clock.js';
import { loadFeeder } from '../../../hub/feeder/index.js';
import { HomeAgents } from '../../../hub/table/home-agents.js';
import { LiveMarket } from '../../../hub/table/live-market.js';
import { loadTableMap } from '../../../hub/table/map-config.js';
import { TableState } from '../../../hub/table/table-state.js';
import { offerNightTariff } from './night-tariff.js';

const map = loadTableMap('scenarios/table-map.yaml');
const network = loadFeeder(map.feederDir);
const highs = await getHighs();
const START = new Date('2026-01-15T23:00:00Z');
const running: HomeAgents[] = [];

/**
 * The shipped table with every asset online under cooperative beside three shadow runs (selfish, central,
 * passive) and a 9 kW limit (or `limitKw`), the night tariff on offer, a 6-minute clock from 23:00.
 * `planThread`: the plan thread's module (none: the policies plan in this thread). {@link endSessions}
 * disposes of the agents.
 */
export function cooperativeSession(planThread?: URL, limitKw = 9) {
  const table = new TableState(map);
  for (const asset of table.assets) table.setOnline(asset.asset, true);
  const agents = new HomeAgents(map, table, network, highs, {
    policy: 'cooperative',
    shadows: ['selfish', 'central', 'passive'],
    limitKw,
    ...(planThread ? { planThread } : {}),
  });
  running.push(agents);
  const market = new LiveMarket();
  offerNightTariff(market, START);
  const clock = new SimClock({ start: START, stepMinutes: 6, mode: 'accelerated' });
  return { agents, table, step: () => agents.step(clock.advance(), market) };
}

/** Disposes of every session's agents (their LPs and plan threads). */
export async function endSessions(): Promise<void> {
  await Promise.all(running.splice(0).map((agents) => agents.dispose()));
}
