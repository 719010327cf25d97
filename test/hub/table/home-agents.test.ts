import type { Highs } from 'highs';
import { afterEach, describe, expect, it } from 'vitest';
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
let agents: HomeAgents | undefined;

afterEach(() => agents?.dispose());

async function setup(start: string) {
  const table = new TableState(map);
  for (const asset of table.assets) table.setOnline(asset.asset, true);
  agents?.dispose();
  agents = new HomeAgents(map, table, network, await getHighs());
  const market = new LiveMarket();
  const clock = new SimClock({ start: new Date(start), stepMinutes: 6, mode: 'accelerated' });
  return { table, agents, market, clock };
}

describe('HomeAgents (the residents’ agents on the live table)', () => {
  it('gives the event loop back between its streets and between each shadow run’s plans and power flow, so the broker in the same process delivers meanwhile', async () => {
    const { table, market, clock } = await setup('2026-01-15T18:00:00Z');
    agents?.dispose();
    const shadows = ['passive', 'central'];
    agents = new HomeAgents(map, table, network, await getHighs(), { policy: 'selfish', shadows });
    let stepping = true;
    let turns = 0;
    const turn = () => {
      if (!stepping) return;
      turns += 1;
      setImmediate(turn);
    };
    setImmediate(turn);
    await agents.step(clock.advance(), market);
    stepping = false;
    expect(agents.comparison().shadows.length).toBe(shadows.length);
    // One turn before each shadow run, one between its plans and its power flow.
    expect(turns).toBeGreaterThanOrEqual(2 * shadows.length);
  });

  it('plan each home’s EV into the cheap night band and explain it with numbers', async () => {
    const { table, agents, market, clock } = await setup('2026-01-15T18:00:00Z');
    offerNightTariff(market, clock.simTime);
    const step = await agents.step(clock.advance(), market);
    const home3 = step.decisions.find((decision) => decision.home === 'home-3');
    expect(home3?.explanation).toMatch(/^EV \d+\.\d kWh in 0\d:\d\d–0\d:\d\d at 8\.3 p\/kWh/);
    expect(home3?.explanation).toContain('to reach 80 % by 07:30');
    // Not now: it is 18:06 and the evening price is far dearer than the night band.
    expect(home3?.assets).toEqual([{ asset: 'ev-1', kind: 'ev', pKw: 0, plannedPKw: 0, boosted: false }]);
    expect(table.asset('ev-1')?.pKw).toBe(0);
    expect(home3?.evSocPct).toBe(40);
    expect(home3?.cannotKeep).toEqual([]);
    // Every home is planned at the first step, home-1 too (nothing to plan: its plan is all zeros).
    expect(step.plansMade).toBe(step.decisions.length);
    expect(step.planningMs).toBeGreaterThan(0);
    const home1 = step.decisions.find((decision) => decision.home === 'home-1');
    expect(home1?.explanation).toBe('nothing to plan: no EV, heat pump or battery on plot-1');
    const home2 = step.decisions.find((decision) => decision.home === 'home-2');
    expect(home2?.explanation).toMatch(/heat pump [\d.]+ kWh .* indoors 1\d\.\d–2\d\.\d °C/);
    expect(home2?.indoorC).toBeGreaterThan(19);
    // The heat pump's and the battery's set-points go to their boards.
    expect([...step.setpointsKw.keys()].sort()).toEqual(['battery-1', 'heat-pump-1']);
  });

  it('runs a boosted EV at full power from the next step and counts its extra cost against the plan', async () => {
    const { table, agents, market, clock } = await setup('2026-01-15T18:00:00Z');
    offerNightTariff(market, clock.simTime);
    await agents.step(clock.advance(), market);
    const answer = agents.boost('home-3', 'ev-1', 60, clock.simTime, market);
    expect(answer.accepted).toBe(true);
    expect(answer.reason).toMatch(
      /^ev-1 runs at 7 kW until 19:06; expected extra cost £(\d+\.\d\d) vs the plan$/,
    );
    const step = await agents.step(clock.advance(), market);
    const home3 = step.decisions.find((decision) => decision.home === 'home-3');
    expect(home3?.assets[0]).toEqual({ asset: 'ev-1', kind: 'ev', pKw: 7, plannedPKw: 0, boosted: true });
    expect(table.asset('ev-1')?.pKw).toBe(7);
    // 7 kW for 6 minutes above a plan of 0 kW, at the peak price in force (0.25 + red band 0.095).
    expect(home3?.boost?.extraKwh).toBeCloseTo(0.7, 9);
    expect(home3?.boost?.extraCostGbp).toBeCloseTo(0.7 * 0.345, 2);
    // One hour at 7 kW at 0.345 £/kWh.
    expect(home3?.boost?.estimatedExtraCostGbp).toBeCloseTo(7 * 0.345, 2);
    expect(home3?.boost?.minutesLeft).toBe(54);

    for (let index = 0; index < 9; index++) await agents.step(clock.advance(), market);
    const ended = await agents.step(clock.advance(), market);
    expect(ended.news).toEqual([
      expect.objectContaining({ kind: 'boost-ended', home: 'home-3', asset: 'ev-1' }),
    ]);
    // Ten 6-minute steps at 7 kW: nine start in the red band (0.345 £/kWh), the last at 19:00 in amber (0.268).
    expect(ended.news[0]?.message).toMatch(/7\.00 kWh above the plan cost £2\.36 more$/);
    expect(table.asset('ev-1')?.pKw).toBe(0);
  });

  it('refuses boosts it cannot honour, with the reason', async () => {
    const { agents, market, clock } = await setup('2026-01-15T12:00:00Z');
    await agents.step(clock.advance(), market);
    expect(agents.boost('home-3', 'ev-2', 30, clock.simTime, market).reason).toBe(
      'ev-2 is not on plot-3 (home-3): it is on plot-7',
    );
    expect(agents.boost('home-3', 'ev-1', 30, clock.simTime, market).reason).toBe(
      'ev-1 is out driving until 17:30',
    );
    expect(agents.boost('home-5', 'battery-1', 30, clock.simTime, market).reason).toBe(
      'battery-1 is a battery: only a heat pump or an EV can be boosted',
    );
    expect(agents.boost('home-9', 'ev-1', 30, clock.simTime, market).accepted).toBe(false);
    expect(agents.boost('home-2', 'heat-pump-1', 0, clock.simTime, market).reason).toBe(
      'no boost of heat-pump-1 is running',
    );
  });

  it('takes the resident’s preferences into the next plan, and refuses an upside-down comfort band', async () => {
    const { agents, market, clock } = await setup('2026-01-15T18:00:00Z');
    await agents.step(clock.advance(), market);
    expect(agents.setPreferences('home-2', { comfortMinCelsius: 24, comfortMaxCelsius: 22 })).toEqual({
      accepted: false,
      reason: 'comfort band 24–22 °C is upside down: the minimum must not be above the maximum',
    });
    expect(agents.setPreferences('home-3', { evReadyByMinute: 360, evTargetSocPct: 90 }).accepted).toBe(true);
    const step = await agents.step(clock.advance(), market);
    expect(step.plansMade).toBe(1);
    const home3 = step.decisions.find((decision) => decision.home === 'home-3');
    expect(home3?.explanation).toContain('to reach 90 % by 06:00');
    expect(agents.preferencesByHome()).toEqual({ 'home-3': { evReadyByMinute: 360, evTargetSocPct: 90 } });
  });

  it('keeps the table running when planning fails: a simple fallback, explained, and reported', async () => {
    const table = new TableState(map);
    for (const asset of table.assets) table.setOnline(asset.asset, true);
    const broken = {
      createModel: () => {
        throw new Error('solver unavailable');
      },
    } as unknown as Highs;
    agents?.dispose();
    agents = new HomeAgents(map, table, network, broken);
    const clock = new SimClock({
      start: new Date('2026-01-15T18:00:00Z'),
      stepMinutes: 6,
      mode: 'accelerated',
    });
    const step = await agents.step(clock.advance(), new LiveMarket());
    expect(step.failures).toHaveLength(4);
    expect(step.failures[0]).toMatch(/^home-\d: planning failed \(solver unavailable\)/);
    const home3 = step.decisions.find((decision) => decision.home === 'home-3');
    expect(home3?.explanation).toMatch(
      /^planning failed \(solver unavailable\): EV at full power while home/,
    );
    // Full power as planned, after the regulator's randomised start delay (up to 10 minutes by default).
    expect(home3?.assets[0]?.plannedPKw).toBe(7);
    expect(table.asset('ev-1')?.pKw).toBeGreaterThan(0);
    const home2 = step.decisions.find((decision) => decision.home === 'home-2');
    // 20 °C indoors now: the fallback heats only once the house cools to the comfort minimum.
    expect(home2?.explanation).toContain('heat pump holding 19 °C');
    expect(home2?.assets[0]?.pKw).toBe(0);
  });

  it('starts a planned charging block after the regulator’s randomised delay; a boost does not wait', async () => {
    const { agents, market, clock } = await setup('2026-01-15T05:00:00Z');
    market.setRules({ randomisedStartDelayMinutes: 60 }, 'regulator', new Date(), clock.simTime);
    // 40 % of 40 kWh, wanted at 100 % by 07:30: the plan must charge flat out from now on.
    agents.setPreferences('home-3', { evTargetSocPct: 100 });
    const steps = [];
    for (let k = 0; k < 12; k++) {
      const { decisions } = await agents.step(clock.advance(), market);
      steps.push(decisions.find((decision) => decision.home === 'home-3'));
    }
    const ev = steps.map((decision) => decision?.assets[0]);
    expect(ev.every((asset) => asset?.plannedPKw === 7)).toBe(true);
    // Nothing, then at most one part-step, then full power: a delay of whole minutes within 0–60.
    const delayedMinutes = ev.reduce((sum, asset) => sum + ((7 - (asset?.pKw ?? 0)) / 7) * 6, 0);
    expect(delayedMinutes).toBeGreaterThan(0);
    expect(delayedMinutes).toBeLessThanOrEqual(60);
    expect(Math.abs(delayedMinutes - Math.round(delayedMinutes))).toBeLessThan(0.01);
    expect(ev.at(-1)?.pKw).toBe(7);

    const boosted = await setup('2026-01-15T18:00:00Z');
    boosted.market.setRules(
      { randomisedStartDelayMinutes: 60 },
      'regulator',
      new Date(),
      boosted.clock.simTime,
    );
    await boosted.agents.step(boosted.clock.advance(), boosted.market);
    boosted.agents.boost('home-3', 'ev-1', 30, boosted.clock.simTime, boosted.market);
    const next = await boosted.agents.step(boosted.clock.advance(), boosted.market);
    expect(next.decisions.find((decision) => decision.home === 'home-3')?.assets[0]?.pKw).toBe(7);
  });
});
