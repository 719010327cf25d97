/**
 * Pinned sensors drive the agents' forecasts, not only the power flow: a pinned home's forecast starts from
 * the sensor's reading and fades into the model ahead, and its agent plans with it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { getHighs } from '../../../hub/agents/registry.js';
import { SimClock } from '../../../hub/clock.js';
import { loadFeeder } from '../../../hub/feeder/index.js';
import { HomeAgents } from '../../../hub/table/home-agents.js';
import { homeForecast } from '../../../hub/table/home-forecast.js';
import { LiveMarket } from '../../../hub/table/live-market.js';
import { loadTableMap } from '../../../hub/table/map-config.js';
import { type PinnedFigures, TableState } from '../../../hub/table/table-state.js';

const map = loadTableMap('scenarios/table-map.yaml');
const network = loadFeeder(map.feederDir);
const NOON = '2026-01-15T12:00:00Z';
const plot = map.plots.find((candidate) => candidate.home !== undefined && candidate.baseLoad !== undefined);
if (!plot?.home || !plot.baseLoad) throw new Error('the table map has no home with a base load');
const home = plot.home;

let agents: HomeAgents | undefined;
afterEach(() => agents?.dispose());

function forecast(pinned?: { pvKw?: number; baseLoadKw?: number }) {
  return homeForecast({
    network,
    baseLoad: plot?.baseLoad as string,
    start: new Date(NOON),
    stepMinutes: 30,
    steps: 12,
    prices: new LiveMarket(),
    home,
    pvNowKw: 0.5,
    pvBestKw: 1,
    evReadyByMinute: null,
    ...(pinned ? { pinned } : {}),
  });
}

/** The plan cost of `home` after one step at noon, with `pinned` as the home's pinned figures. */
async function planCost(pinned: PinnedFigures | undefined): Promise<number> {
  const table = new TableState(map);
  for (const asset of table.assets) table.setOnline(asset.asset, true);
  if (pinned) table.pinned = new Map([[home, pinned]]);
  agents?.dispose();
  agents = new HomeAgents(map, table, network, await getHighs(), { policy: 'selfish', shadows: [] });
  const clock = new SimClock({ start: new Date(NOON), stepMinutes: 6, mode: 'accelerated' });
  const step = await agents.step(clock.advance(), new LiveMarket());
  const decision = step.decisions.find((candidate) => candidate.home === home);
  if (!decision) throw new Error(`no decision for ${home}`);
  return decision.planCostGbp;
}

describe('pinned sensors in the agents’ forecasts', () => {
  it('a forecast starts from the sensor’s reading and fades into the model’s figures ahead', () => {
    const model = forecast();
    const pinned = forecast({ pvKw: 3, baseLoadKw: 4 });
    expect(pinned.pvAvailableKw[0]).toBe(3);
    expect(pinned.baseLoadKw[0]).toBe(4);
    const gaps = (series: 'pvAvailableKw' | 'baseLoadKw') =>
      Array.from(pinned[series], (value, t) => Math.abs(value - (model[series][t] ?? 0)));
    for (const series of ['pvAvailableKw', 'baseLoadKw'] as const) {
      const gap = gaps(series);
      for (let t = 1; t < gap.length; t++) expect(gap[t]).toBeLessThan(gap[t - 1] as number);
      // Six hours ahead the model has taken over.
      expect(gap.at(-1)).toBeLessThan(0.01 * (gap[0] as number));
    }
    // Prices, weather and carbon are the model's.
    expect(pinned.importPriceGbpPerKwh).toEqual(model.importPriceGbpPerKwh);
    expect(pinned.outdoorC).toEqual(model.outdoorC);
  });

  it('a home whose PV or demand is pinned plans with the sensor’s value', async () => {
    const unpinned = await planCost(undefined);
    // 3 kW of measured PV at noon lowers what the home expects to pay; 6 kW of measured demand raises it.
    expect(await planCost({ pvPKw: -3 })).toBeLessThan(unpinned);
    expect(await planCost({ baseLoadPKw: 6 })).toBeGreaterThan(unpinned);
    // A reading equal to the model's (no panel has reported at noon) changes nothing.
    expect(await planCost({ pvPKw: 0 })).toBeCloseTo(unpinned, 6);
  });
});
