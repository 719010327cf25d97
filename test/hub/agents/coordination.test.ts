import { describe, expect, it } from 'vitest';
import {
  type CoordinatorChannel,
  coordinateByPrices,
  findNashEquilibrium,
  type HomeResponse,
  type Proposal,
  type SharedLimit,
} from '../../../hub/agents/coordination.js';
import { JointLp, type LpBlock, type PricedLimit, solveJointLp } from '../../../hub/agents/joint-lp.js';
import { getHighs } from '../../../hub/agents/registry.js';

/** An EV that needs `energyKwh` within steps [from, to), at most `maxKw`, 1-hour steps. */
interface Ev {
  energyKwh: number;
  from: number;
  to: number;
  maxKw: number;
}

/**
 * Exact best response of one EV to per-step prices: fill the cheapest available steps (the LP solved
 * greedily). Its own cost is at `ownPrices` (the tariff, without the coordinator's signal).
 */
function evResponse(
  ev: Ev,
  steps: number,
  pricesGbpPerKwh: ArrayLike<number>,
  ownPrices: ArrayLike<number> = pricesGbpPerKwh,
): HomeResponse {
  const charge = new Float64Array(steps);
  const order = Array.from({ length: ev.to - ev.from }, (_, i) => ev.from + i).sort(
    (a, b) => (pricesGbpPerKwh[a] as number) - (pricesGbpPerKwh[b] as number) || a - b,
  );
  let left = ev.energyKwh;
  for (const t of order) {
    const kw = Math.min(ev.maxKw, left);
    charge[t] = kw;
    left -= kw;
    if (left <= 0) break;
  }
  const ownCostGbp = charge.reduce((sum, kw, t) => sum + kw * (ownPrices[t] as number), 0);
  return { netImportKw: charge, decisions: [Float64Array.from(charge)], ownCostGbp };
}

/** EVs answering a coordinator's extra prices on top of `tariff`, each by its exact best response. */
function evHomes(evs: readonly Ev[], steps: number, tariff: Float64Array) {
  return evs.map(
    (ev) => (extra: Float64Array) =>
      evResponse(
        ev,
        steps,
        Array.from(tariff, (price, t) => price + (extra[t] as number)),
        tariff,
      ),
  );
}

const STEPS = 12;
// A tariff with a cheap night: steps 4..8 are cheap.
const TARIFF = Float64Array.from({ length: STEPS }, (_, t) => (t >= 4 && t < 8 ? 0.08 : 0.3));
const EVS: Ev[] = Array.from({ length: 8 }, (_, i) => ({
  energyKwh: 12 + (i % 3) * 4,
  from: i % 2,
  to: STEPS - (i % 3),
  maxKw: 7,
}));
const LIMIT_KW = 30;

const costOf = (plans: readonly Float64Array[]) =>
  plans.reduce((sum, plan) => sum + plan.reduce((s, kw, t) => s + kw * (TARIFF[t] as number), 0), 0);

/** The joint LP over all EVs with the shared limit, solved in one go: the social optimum. */
async function centralCost(): Promise<number> {
  const highs = await getHighs();
  const variable = (h: number, t: number) => `x_${h}_${t}`;
  const objective: string[] = [];
  const rows: string[] = [];
  const bounds: string[] = [];
  EVS.forEach((ev, h) => {
    const energy: string[] = [];
    for (let t = 0; t < STEPS; t++) {
      objective.push(`${TARIFF[t]} ${variable(h, t)}`);
      bounds.push(`0 <= ${variable(h, t)} <= ${t >= ev.from && t < ev.to ? ev.maxKw : 0}`);
      energy.push(variable(h, t));
    }
    rows.push(`e${h}: ${energy.join(' + ')} = ${ev.energyKwh}`);
  });
  for (let t = 0; t < STEPS; t++)
    rows.push(`l${t}: ${EVS.map((_, h) => variable(h, t)).join(' + ')} <= ${LIMIT_KW}`);
  const problem = `Minimize\n obj: ${objective.join(' + ')}\nSubject To\n${rows.join('\n')}\nBounds\n${bounds.join('\n')}\nEnd\n`;
  const solution = highs.solve(problem);
  expect(solution.Status).toBe('Optimal');
  return solution.ObjectiveValue;
}

describe('coordination by prices (cooperative)', () => {
  const limit: SharedLimit = {
    name: 'transformer',
    coefficientByHome: new Float64Array(EVS.length).fill(1),
    upperByStep: new Float64Array(STEPS).fill(LIMIT_KW),
  };
  const homes = evHomes(EVS, STEPS, TARIFF);

  it('keeps the shared limit that selfish charging breaks, at the central optimum, by messages only', async () => {
    const highs = await getHighs();
    const selfish = EVS.map((ev) => evResponse(ev, STEPS, TARIFF));
    const selfishPeak = Math.max(
      ...Array.from({ length: STEPS }, (_, t) =>
        selfish.reduce((s, p) => s + (p.netImportKw[t] as number), 0),
      ),
    );
    expect(selfishPeak).toBeGreaterThan(LIMIT_KW);

    const result = coordinateByPrices(highs, homes, [limit], STEPS, { dtHours: 1 });
    expect(result.converged).toBe(true);
    expect(result.rounds).toBeGreaterThan(1);
    expect(result.maxViolation).toBeLessThanOrEqual(1e-6);
    expect(result.messages).toBe(2 * EVS.length * result.rounds);
    for (let t = 0; t < STEPS; t++) {
      const total = result.responses.reduce((sum, response) => sum + (response.netImportKw[t] as number), 0);
      expect(total).toBeLessThanOrEqual(LIMIT_KW + 1e-6);
    }
    // Every home still gets its energy: its plan is a mix of its own feasible proposals.
    result.responses.forEach((response, h) => {
      expect(response.netImportKw.reduce((s, kw) => s + kw, 0)).toBeCloseTo((EVS[h] as Ev).energyKwh, 9);
      expect(Array.from(response.decisions[0] as Float64Array)).toEqual(Array.from(response.netImportKw));
    });
    const central = await centralCost();
    const cooperative = costOf(result.responses.map((response) => response.netImportKw));
    expect(cooperative).toBeGreaterThanOrEqual(central - 1e-6);
    expect((cooperative - central) / central).toBeLessThan(0.01);
    // It stopped on its duality gap, which bounds how far it is from the optimum.
    expect(result.gapGbp).toBeLessThanOrEqual(0.01);
    expect(cooperative - central).toBeLessThanOrEqual(result.gapGbp + 1e-6);
  });

  it("reports its best bound's prices: at them the homes' best answers bound the optimum within the gap", async () => {
    const central = await centralCost();
    // Stopped after 4 rounds the last prices sent bound it £6.87 below, further than the gap (£0.88).
    for (const maxRounds of [4, 30]) {
      const result = coordinateByPrices(await getHighs(), homes, [limit], STEPS, { dtHours: 1, maxRounds });
      const pricesByHome = result.boundPricesGbpPerKwh as Float64Array[];
      // One limit weighing every home alike, 1-hour steps: each home's price is the row's price.
      const rowPrices = pricesByHome[0] as Float64Array;
      for (const prices of pricesByHome) expect(Array.from(prices)).toEqual(Array.from(rowPrices));
      const answersGbp = homes.reduce((sum, respond) => {
        const answer = respond(rowPrices);
        const pricedGbp = answer.netImportKw.reduce((s, kw, t) => s + kw * (rowPrices[t] as number), 0);
        return sum + answer.ownCostGbp + pricedGbp;
      }, 0);
      const boundGbp = answersGbp - rowPrices.reduce((sum, price) => sum + price * LIMIT_KW, 0);
      expect(boundGbp).toBeLessThanOrEqual(central + 1e-6);
      expect(central - boundGbp).toBeLessThanOrEqual(result.gapGbp + 1e-6);
      // Given its rounds it converges, and the bound is the optimum's, at a price on the steps the limit binds.
      expect(result.converged).toBe(maxRounds === 30);
      if (maxRounds === 30) expect(Math.max(...rowPrices)).toBeGreaterThan(0);
    }
  });

  it('warm-started with the prices a cold run ended on, it reaches the same optimum', async () => {
    const highs = await getHighs();
    const cold = coordinateByPrices(highs, homes, [limit], STEPS, { dtHours: 1 });
    const warm = coordinateByPrices(highs, homes, [limit], STEPS, {
      dtHours: 1,
      warmPricesGbpPerKwh: cold.pricesGbpPerKwh,
    });
    expect(warm.converged).toBe(true);
    expect(warm.maxViolation).toBeLessThanOrEqual(1e-6);
    const central = await centralCost();
    const cost = costOf(warm.responses.map((response) => response.netImportKw));
    expect((cost - central) / central).toBeLessThan(0.01);
  });

  it('does not conclude on the warm round: prices that teach it nothing still lead to the optimum', async () => {
    // Zero prices bring back the homes' first plans: the master's cost does not move in round 2.
    const useless = EVS.map(() => new Float64Array(STEPS));
    const result = coordinateByPrices(await getHighs(), homes, [limit], STEPS, {
      dtHours: 1,
      warmPricesGbpPerKwh: useless,
    });
    expect(result.converged).toBe(true);
    expect(result.rounds).toBeGreaterThan(2);
    expect(result.maxViolation).toBeLessThanOrEqual(1e-6);
    const cost = costOf(result.responses.map((response) => response.netImportKw));
    expect((cost - (await centralCost())) / cost).toBeLessThan(0.01);
  });

  it('stops after one round (two messages per home) when the homes already keep the limits', async () => {
    const loose: SharedLimit = { ...limit, upperByStep: new Float64Array(STEPS).fill(1000) };
    const result = coordinateByPrices(await getHighs(), homes, [loose], STEPS);
    expect(result).toMatchObject({ rounds: 1, messages: 2 * EVS.length, converged: true, maxViolation: 0 });
  });

  it('over a channel that delays proposals a round, it runs its rounds out and still keeps the limit', async () => {
    const late: (Proposal | undefined)[][] = EVS.map(() => []);
    const channel: CoordinatorChannel = {
      sendPrices: (_home, round, prices) => ({ prices: Float64Array.from(prices), round }),
      sendProposal: (home, round, proposal) => {
        (late[home] as (Proposal | undefined)[])[round] = proposal;
        return (late[home] as (Proposal | undefined)[])[round - 1];
      },
    };
    const result = coordinateByPrices(await getHighs(), homes, [limit], STEPS, { dtHours: 1, channel });
    // No answer to the round's own prices is ever in hand, so it never concludes early.
    expect(result).toMatchObject({ rounds: 30, converged: false });
    expect(result.maxViolation).toBeLessThanOrEqual(1e-6);
    const cooperative = costOf(result.responses.map((response) => response.netImportKw));
    expect((cooperative - (await centralCost())) / cooperative).toBeLessThan(0.01);
  });

  it('a home whose proposals never arrive runs its own answer to the last prices it had', async () => {
    let lastOfHome0: HomeResponse | undefined;
    const channel: CoordinatorChannel = {
      sendPrices: (_home, round, prices) => ({ prices: Float64Array.from(prices), round }),
      sendProposal: (home, _round, proposal) => {
        if (home !== 0) return proposal;
        lastOfHome0 = proposal?.response ?? lastOfHome0;
        return undefined;
      },
    };
    const result = coordinateByPrices(await getHighs(), homes, [limit], STEPS, {
      dtHours: 1,
      channel,
      maxRounds: 5,
    });
    expect(result).toMatchObject({ rounds: 5, converged: false, messages: 2 * EVS.length * 5 });
    expect(result.responses[0]).toBe(lastOfHome0);
  });

  it('mixes each distinct plan once: a plan a home proposes again is no new column of the master', async () => {
    const arrived = EVS.map(() => new Set<string>());
    let arrivals = 0;
    // Proposals a round late: the coordinator runs all its rounds, and the greedy homes repeat plans.
    const late: (Proposal | undefined)[][] = EVS.map(() => []);
    const channel: CoordinatorChannel = {
      sendPrices: (_home, round, prices) => ({ prices: Float64Array.from(prices), round }),
      sendProposal: (home, round, proposal) => {
        (late[home] as (Proposal | undefined)[])[round] = proposal;
        const delivered = (late[home] as (Proposal | undefined)[])[round - 1];
        if (delivered) {
          arrivals++;
          const { ownCostGbp, netImportKw } = delivered.response;
          arrived[home]?.add(`${ownCostGbp}:${netImportKw.join(',')}`);
        }
        return delivered;
      },
    };
    const result = coordinateByPrices(await getHighs(), homes, [limit], STEPS, { dtHours: 1, channel });
    const distinct = arrived.reduce((count, plans) => count + plans.size, 0);
    expect(distinct).toBeLessThan(arrivals);
    expect(result.plans).toBe(distinct);
  });

  it('reports what it cannot keep when no mix of plans fits', async () => {
    const impossible: SharedLimit = { ...limit, upperByStep: new Float64Array(STEPS).fill(5) };
    const result = coordinateByPrices(await getHighs(), homes, [impossible], STEPS, { dtHours: 1 });
    // 124 kWh over 12 one-hour steps needs at least 10.3 kW somewhere.
    expect(result.maxViolation).toBeGreaterThan(5);
  });

  it("bounds the optimum by the homes' own costs at no prices: where the limit costs nothing to keep, it stops once its mix keeps it", async () => {
    // A flat tariff: any hours cost the same, so the street limit costs the homes nothing, but each EV's first
    // answer (its earliest hours) breaks it. No priced round's answers bound the optimum that high, while the
    // homes' own plans at no prices do: once the master's mix keeps the limit at their cost, nothing is left.
    const flat = new Float64Array(STEPS).fill(0.2);
    const result = coordinateByPrices(await getHighs(), evHomes(EVS, STEPS, flat), [limit], STEPS, {
      dtHours: 1,
    });
    const energyCostGbp = EVS.reduce((sum, ev) => sum + ev.energyKwh * 0.2, 0);
    expect(result.converged).toBe(true);
    expect(result.maxViolation).toBeLessThanOrEqual(1e-6);
    const costGbp = result.responses.reduce((sum, response) => sum + response.ownCostGbp, 0);
    expect(costGbp).toBeCloseTo(energyCostGbp, 9);
    expect(result.gapGbp).toBeLessThanOrEqual(1e-9);
    // Round 1 at no prices, round 2 at the master's, and done: bounded only by priced rounds it took a third.
    expect(result.rounds).toBe(2);
  });

  it('keeps a limit that imports relieve (a voltage above the band): it pays imports and charges exports there', async () => {
    // Midday PV: each home exports 5 kW in steps 4..8 unless its EV charges then. Charging at midday costs
    // the export income forgone (£0.15/kWh), dearer than the night's £0.08, so every EV charges at night and
    // the street exports 40 kW where the voltage allows 20.
    const middayKw = 5;
    const midday = (t: number) => t >= 4 && t < 9;
    const own = Float64Array.from({ length: STEPS }, (_, t) => (t < 4 ? 0.08 : midday(t) ? 0.15 : 0.3));
    const exporting = EVS.map((ev) => (extra: Float64Array) => {
      const answer = evResponse(
        ev,
        STEPS,
        Array.from(own, (price, t) => price + (extra[t] as number)),
        own,
      );
      const netImportKw = answer.netImportKw.map((kw, t) => kw - (midday(t) ? middayKw : 0));
      return { ...answer, netImportKw };
    });
    const exportLimit: SharedLimit = {
      name: 'voltage at the street end (maximum)',
      coefficientByHome: new Float64Array(EVS.length).fill(-1),
      upperByStep: new Float64Array(STEPS).fill(20),
    };
    const result = coordinateByPrices(await getHighs(), exporting, [limit, exportLimit], STEPS, {
      dtHours: 1,
    });
    expect(result.converged).toBe(true);
    expect(result.maxViolation).toBeLessThanOrEqual(1e-6);
    for (let t = 0; t < STEPS; t++) {
      const exportKw = -result.responses.reduce(
        (sum, response) => sum + (response.netImportKw[t] as number),
        0,
      );
      expect(exportKw).toBeLessThanOrEqual(20 + 1e-6);
    }
    // Imports are paid where the street needs load: a negative price at midday, none at night.
    const middayPrice = Math.min(...(result.pricesGbpPerKwh[0] as Float64Array).slice(4, 9));
    expect(middayPrice).toBeLessThan(-0.06);
    expect(Math.max(...(result.pricesGbpPerKwh[0] as Float64Array).slice(0, 4))).toBeLessThanOrEqual(1e-9);
  });

  it("started from the rows that bound at the end of a run (the last window's), it reaches the same optimum", async () => {
    const highs = await getHighs();
    const cold = coordinateByPrices(highs, homes, [limit], STEPS, { dtHours: 1 });
    expect(cold.bindingRows.length).toBeGreaterThan(0);
    // The rows the cold run ended with, given from the start: the same optimum, in no more rounds.
    const started = coordinateByPrices(highs, homes, [limit], STEPS, {
      dtHours: 1,
      startRows: cold.bindingRows,
    });
    expect(started.converged).toBe(true);
    expect(started.maxViolation).toBeLessThanOrEqual(1e-6);
    expect(started.rounds).toBeLessThanOrEqual(cold.rounds);
    const cost = costOf(started.responses.map((response) => response.netImportKw));
    expect((cost - (await centralCost())) / cost).toBeLessThan(0.01);
  });

  it('keeps no row when the master has no room for one, runs its rounds out and says so', async () => {
    const highs = await getHighs();
    const free = coordinateByPrices(highs, homes, [limit], STEPS, { dtHours: 1 });
    expect(free.rowBudgetReached).toBe(false);
    expect(free.bindingRows.length).toBeGreaterThan(1);
    // The convexity rows' entries of one plan a home, and no more.
    const budget = EVS.length;
    const capped = coordinateByPrices(highs, homes, [limit], STEPS, {
      dtHours: 1,
      masterNonzeroBudget: budget,
    });
    expect(capped.rowBudgetReached).toBe(true);
    expect(capped.bindingRows).toHaveLength(0);
    expect(capped.maxViolation).toBeGreaterThan(1e-6);
    expect(capped.converged).toBe(false);
    expect(capped.rounds).toBe(30);
    expect(capped.masterNonzeros).toBeLessThanOrEqual(budget);
    expect(capped.responses).toHaveLength(EVS.length);
  });

  it('counts its budget from the master it has: a row refused early joins once fewer rounds are left to grow in', async () => {
    const highs = await getHighs();
    const free = coordinateByPrices(highs, homes, [limit], STEPS, { dtHours: 1 });
    // Round 1's count, every home proposing a new plan in each of the 29 rounds left, has no room for a row
    // (2 · 8 · 30 + 1 entries); homes that answer no prices with the plan they proposed leave room later.
    const budget = 400;
    const capped = coordinateByPrices(highs, homes, [limit], STEPS, {
      dtHours: 1,
      masterNonzeroBudget: budget,
    });
    expect(capped.rowBudgetReached).toBe(true);
    expect(capped.rounds).toBeGreaterThan(free.rounds);
    expect(capped.converged).toBe(true);
    expect(capped.maxViolation).toBeLessThanOrEqual(1e-6);
    expect(capped.masterNonzeros).toBeLessThanOrEqual(budget);
    expect(capped.masterNonzeros).toBeGreaterThan(0);
    const cost = costOf(capped.responses.map((response) => response.netImportKw));
    expect((cost - (await centralCost())) / cost).toBeLessThan(0.01);
  });

  it("started from an earlier exchange's proposals, under a tighter limit, it needs fewer rounds for the same optimum", async () => {
    const highs = await getHighs();
    const first = coordinateByPrices(highs, homes, [limit], STEPS, { dtHours: 1 });
    const tighter: SharedLimit = { ...limit, upperByStep: new Float64Array(STEPS).fill(LIMIT_KW - 2) };
    const cold = coordinateByPrices(highs, homes, [tighter], STEPS, { dtHours: 1 });
    const started = coordinateByPrices(highs, homes, [tighter], STEPS, {
      dtHours: 1,
      startProposals: first.proposals,
    });
    expect(first.proposals.flat().length).toBe(first.plans);
    expect(started.converged).toBe(true);
    expect(started.rounds).toBeLessThan(cold.rounds);
    expect(started.maxViolation).toBeLessThanOrEqual(1e-6);
    const costOfRun = (run: typeof cold) =>
      run.responses.reduce((sum, response) => sum + response.ownCostGbp, 0);
    expect(Math.abs(costOfRun(started) - costOfRun(cold))).toBeLessThanOrEqual(
      started.gapGbp + cold.gapGbp + 1e-6,
    );
  });

  it('names the plans its last mix weighs: stopped at the round cap, an exchange from those and its binding rows still reaches the optimum', async () => {
    const highs = await getHighs();
    // Stopped short of its optimum, as a reactive pass's last exchange at the round cap.
    const capped = coordinateByPrices(highs, homes, [limit], STEPS, { dtHours: 1, maxRounds: 3 });
    expect(capped.converged).toBe(false);
    const mixed = capped.mixedProposals.flat();
    expect(mixed.length).toBeGreaterThan(0);
    expect(mixed.length).toBeLessThan(capped.plans);
    capped.mixedProposals.forEach((list, h) => {
      expect(list.length).toBeGreaterThan(0);
      for (const plan of list) expect(capped.proposals[h]).toContain(plan);
    });
    const restarted = coordinateByPrices(highs, homes, [limit], STEPS, {
      dtHours: 1,
      startProposals: capped.mixedProposals,
      startRows: capped.bindingRows,
    });
    expect(restarted.converged).toBe(true);
    expect(restarted.maxViolation).toBeLessThanOrEqual(1e-6);
    const cost = costOf(restarted.responses.map((response) => response.netImportKw));
    expect((cost - (await centralCost())) / cost).toBeLessThan(0.01);
  });

  it("takes over an earlier exchange's master under a tighter limit of the same weights: its rows and proposals carry over, at the fresh exchange's optimum", async () => {
    const highs = await getHighs();
    const first = coordinateByPrices(highs, homes, [limit], STEPS, { dtHours: 1, keepMaster: true });
    const master = first.master;
    expect(master).toBeDefined();
    const rowsBefore = master?.activeRows.length as number;
    const tighter: SharedLimit = { ...limit, upperByStep: new Float64Array(STEPS).fill(LIMIT_KW - 2) };
    const cold = coordinateByPrices(highs, homes, [tighter], STEPS, { dtHours: 1 });
    const again = coordinateByPrices(highs, homes, [tighter], STEPS, {
      dtHours: 1,
      startProposals: first.proposals,
      ...(master ? { master } : {}),
      keepMaster: true,
    });
    try {
      expect(again.master).toBe(master);
      expect(again.master?.activeRows.length).toBeGreaterThanOrEqual(rowsBefore);
      expectSameOptimum(again, cold);
      // A limit of other weights is another row: a new master starts from the proposals.
      const heavier: SharedLimit = {
        ...tighter,
        coefficientByHome: new Float64Array(homes.length).fill(1.1),
      };
      const fresh = coordinateByPrices(highs, homes, [heavier], STEPS, {
        dtHours: 1,
        startProposals: again.proposals,
        ...(again.master ? { master: again.master } : {}),
        keepMaster: true,
      });
      expect(fresh.master).not.toBe(master);
      fresh.master?.dispose();
    } finally {
      if (again.master === master) master?.dispose();
    }
  });

  it("carrying every home's plans (a reactive pass), it asks no home at zero prices again: its first round is at the master's prices, at a fresh exchange's optimum", async () => {
    const highs = await getHighs();
    const first = coordinateByPrices(highs, homes, [limit], STEPS, { dtHours: 1, keepMaster: true });
    const tighter: SharedLimit = { ...limit, upperByStep: new Float64Array(STEPS).fill(LIMIT_KW - 2) };
    const cold = coordinateByPrices(highs, homes, [tighter], STEPS, { dtHours: 1 });
    const asked: Float64Array[] = [];
    const counted = homes.map((respond) => (prices: Float64Array) => {
      asked.push(Float64Array.from(prices));
      return respond(prices);
    });
    const again = coordinateByPrices(highs, counted, [tighter], STEPS, {
      dtHours: 1,
      startProposals: first.proposals,
      ...(first.master ? { master: first.master } : {}),
    });
    // A cold exchange's round 1 asks every home at zero prices; this one's rounds are all at the master's.
    expect(cold.messages).toBe(2 * homes.length * cold.rounds);
    expect(asked.length).toBe(homes.length * again.rounds);
    expect(asked.some((prices) => prices.every((price) => price === 0))).toBe(false);
    expect(again.messages).toBe(2 * homes.length * again.rounds);
    expectSameOptimum(again, cold);
  });

  it('rejects nonsense options and mismatched limits with a TypeError', async () => {
    const highs = await getHighs();
    expect(() => coordinateByPrices(highs, homes, [limit], STEPS, { maxRounds: 0 })).toThrowError(TypeError);
    expect(() =>
      coordinateByPrices(highs, homes, [limit], STEPS, { masterNonzeroBudget: Number.NaN }),
    ).toThrowError(/masterNonzeroBudget/);
    expect(() => coordinateByPrices(highs, homes, [limit], STEPS, { relativeTolerance: -1 })).toThrowError(
      /relativeTolerance/,
    );
    const short: SharedLimit = { ...limit, upperByStep: new Float64Array(3) };
    expect(() => coordinateByPrices(highs, homes, [short], STEPS)).toThrowError(/one upper bound per step/);
  });
});

describe("cooperative's stop on a relative duality gap", () => {
  // 20 EVs of different sizes and hours under a street limit and a limit on every other home (a cable):
  // the master's mix is at the optimum a round before the Lagrangian bound shows it.
  const steps = 24;
  const tariff = Float64Array.from(
    { length: steps },
    (_, t) => 0.1 + 0.2 * Math.abs(Math.sin(t / 4)) + 0.01 * (t % 5),
  );
  const evs: Ev[] = Array.from({ length: 20 }, (_, i) => ({
    energyKwh: 10 + (i % 5) * 3,
    from: i % 4,
    to: steps - (i % 6),
    maxKw: 3 + (i % 4),
  }));
  const homes = evHomes(evs, steps, tariff);
  const limits: SharedLimit[] = [
    {
      name: 'street',
      coefficientByHome: new Float64Array(evs.length).fill(1),
      upperByStep: new Float64Array(steps).fill(20),
    },
    {
      name: 'cable',
      coefficientByHome: Float64Array.from(evs, (_, h) => h % 2),
      upperByStep: new Float64Array(steps).fill(9),
    },
  ];

  it('stops once the gap is within the stated fraction of the cost, and reports the gap it stopped at', async () => {
    const highs = await getHighs();
    const tight = coordinateByPrices(highs, homes, limits, steps, { dtHours: 1, relativeTolerance: 0 });
    expect(tight.converged).toBe(true);
    expect(tight.gapGbp).toBeLessThanOrEqual(0.01);
    const relativeTolerance = 0.05;
    const loose = coordinateByPrices(highs, homes, limits, steps, { dtHours: 1, relativeTolerance });
    expect(loose.converged).toBe(true);
    expect(loose.rounds).toBeLessThan(tight.rounds);
    expect(loose.maxViolation).toBeLessThanOrEqual(1e-6);
    const costGbp = loose.responses.reduce((sum, response) => sum + response.ownCostGbp, 0);
    expect(loose.gapGbp).toBeGreaterThan(0.01);
    expect(loose.gapGbp).toBeLessThanOrEqual(relativeTolerance * costGbp);
    // The gap bounds how far its plans are from the tight run's optimum.
    const tightCostGbp = tight.responses.reduce((sum, response) => sum + response.ownCostGbp, 0);
    expect(costGbp - tightCostGbp).toBeLessThanOrEqual(loose.gapGbp + 0.01);
  });
});

describe('Nash equilibrium by iterated best response', () => {
  // Two homes, 5 kWh each to place in one of two 1-hour slots at up to 10 kW; price = base + 0.01 £/kWh per kW.
  // The homes pay only the load-dependent price: their own cost is 0 in every plan.
  const twoSlotHome = () => (prices: Float64Array) =>
    evResponse({ energyKwh: 5, from: 0, to: 2, maxKw: 10 }, 2, prices, [0, 0]);
  const priceOf = (base: [number, number]) => (aggregate: Float64Array, prices: Float64Array) => {
    prices[0] = base[0] + 0.01 * (aggregate[0] as number);
    prices[1] = base[1] + 0.01 * (aggregate[1] as number);
  };

  it('stops at once where both homes prefer the same slot even when it is full (a known pure equilibrium)', () => {
    const result = findNashEquilibrium([twoSlotHome(), twoSlotHome()], priceOf([0.1, 0.3]), 2, {
      dtHours: 1,
    });
    expect(result.converged).toBe(true);
    expect(result.cycled).toBe(false);
    expect(result.iterations).toBe(1);
    for (const response of result.responses) expect(Array.from(response.netImportKw)).toEqual([5, 0]);
  });

  it('detects the best-response cycle of near-equal slots and damps it to the equal-price split', () => {
    const result = findNashEquilibrium([twoSlotHome(), twoSlotHome()], priceOf([0.1, 0.11]), 2, {
      dtHours: 1,
      maxSweeps: 200,
      gainToleranceGbp: 0.002,
    });
    expect(result.cycled).toBe(true);
    expect(result.converged).toBe(true);
    const slot0 = result.responses.reduce((sum, response) => sum + (response.netImportKw[0] as number), 0);
    // Equal prices: 0.10 + 0.01·L0 = 0.11 + 0.01·(10 − L0) → L0 = 5.5 kW.
    expect(slot0).toBeGreaterThan(5.5 - 0.5);
    expect(slot0).toBeLessThan(5.5 + 0.5);
  });

  it('reports non-convergence when the sweep cap is too small', () => {
    const result = findNashEquilibrium([twoSlotHome(), twoSlotHome()], priceOf([0.1, 0.11]), 2, {
      dtHours: 1,
      maxSweeps: 2,
    });
    expect(result.converged).toBe(false);
    expect(result.iterations).toBe(2);
  });
});

describe('joint LP (the social planner)', () => {
  /** The EV problem as LP blocks: columns x_t (import) and e_t (export, fixed at 0), one energy row. */
  const evBlock = (ev: Ev): LpBlock => {
    const cost = new Float64Array(2 * STEPS);
    const colUpper = new Float64Array(2 * STEPS);
    const indices: number[] = [];
    for (let t = 0; t < STEPS; t++) {
      cost[t] = TARIFF[t] as number;
      colUpper[t] = t >= ev.from && t < ev.to ? ev.maxKw : 0;
      indices.push(t);
    }
    return {
      cost,
      colLower: new Float64Array(2 * STEPS),
      colUpper,
      rowLower: Float64Array.of(ev.energyKwh),
      rowUpper: Float64Array.of(ev.energyKwh),
      starts: [0, STEPS],
      indices,
      values: new Array(STEPS).fill(1),
      importColumn: Array.from({ length: STEPS }, (_, t) => t),
      exportColumn: Array.from({ length: STEPS }, (_, t) => STEPS + t),
    };
  };

  it('matches the hand-written joint LP, and prices a peak above the limit at the reinforcement cost', async () => {
    const highs = await getHighs();
    const blocks = EVS.map(evBlock);
    const upperByStep = new Float64Array(STEPS).fill(LIMIT_KW);
    const strict = solveJointLp(highs, blocks, STEPS, { upperByStep, excessCostGbpPerKw: 100 });
    expect(strict.objectiveGbp).toBeCloseTo(await centralCost(), 9);
    expect(strict.peakExcessKw).toBeCloseTo(0, 9);
    // Reinforcing is cheaper than the 0.22 £/kWh premium on 4 kWh when it costs 0.1 £/kW: the planner buys 1 kW.
    const cheap = solveJointLp(highs, blocks, STEPS, { upperByStep, excessCostGbpPerKw: 0.1 });
    expect(cheap.peakExcessKw).toBeCloseTo(1, 9);
    expect(cheap.objectiveGbp).toBeCloseTo(124 * 0.08 + 0.1, 9);
  });

  it('keeps priced limits, and reports what it could not keep', async () => {
    const highs = await getHighs();
    const blocks = EVS.map(evBlock);
    const tight: PricedLimit = {
      name: 'voltage row',
      coefficientByHome: new Float64Array(EVS.length).fill(1),
      upperByStep: new Float64Array(STEPS).fill(5),
      violationCostGbp: 1000,
    };
    const result = solveJointLp(highs, blocks, STEPS, undefined, [tight]);
    // 124 kWh cannot fit under 5 kW × 12 steps = 60 kWh: 64 kWh of violation spread over the steps.
    expect(result.maxLimitViolation).toBeGreaterThan(5);
    result.columnValues.forEach((x, h) => {
      expect(x.slice(0, STEPS).reduce((s, kw) => s + kw, 0)).toBeCloseTo((EVS[h] as Ev).energyKwh, 9);
    });
  });

  it('keeps its model: after rows join and their bounds tighten, a warm solve is the optimum a fresh model finds', async () => {
    const highs = await getHighs();
    const blocks = EVS.map(evBlock);
    const peak = { upperByStep: new Float64Array(STEPS).fill(LIMIT_KW), excessCostGbpPerKw: 100 };
    // The first four EVs share a cable of 12 kW, then of 8 kW from step 5 (at another reactive power, say).
    const cable = (upperAfter4: number): PricedLimit => ({
      name: 'cable',
      coefficientByHome: Float64Array.from(EVS, (_, h) => (h < 4 ? 1 : 0)),
      upperByStep: Float64Array.from({ length: STEPS }, (_, t) => (t < 5 ? 12 : upperAfter4)),
      violationCostGbp: 1000,
    });
    const lp = new JointLp(highs, blocks, STEPS, peak);
    try {
      const unlimited = lp.solve();
      const coldIterations = lp.lastSimplexIterations;
      for (const limit of [cable(12), cable(8)]) {
        if (lp.has(limit.name)) lp.changeLimitBounds([limit]);
        else lp.addLimits([limit]);
        const warm = lp.solve();
        const fresh = solveJointLp(highs, blocks, STEPS, peak, [limit]);
        expect(warm.objectiveGbp).toBeCloseTo(fresh.objectiveGbp, 9);
        expect(warm.objectiveGbp).toBeGreaterThan(unlimited.objectiveGbp + 0.01);
        expect(warm.maxLimitViolation).toBeCloseTo(fresh.maxLimitViolation, 9);
        expect(warm.rows).toBe(fresh.rows);
        // The cable's shadow price reaches its homes only.
        warm.netImportPriceGbpPerKw.forEach((prices, h) => {
          prices.forEach((price, t) => {
            expect(price).toBeCloseTo(fresh.netImportPriceGbpPerKw[h]?.[t] as number, 9);
          });
        });
        // From the last basis: a few pivots, not the whole street's solve again.
        expect(lp.lastSimplexIterations).toBeLessThan(coldIterations);
      }
      expect([lp.solves, lp.warmSolves]).toEqual([3, 2]);
    } finally {
      lp.dispose();
    }
  });

  it("tightens its peak in place (the street limit at a plan's own losses): a warm solve is a fresh model's optimum", async () => {
    const highs = await getHighs();
    const blocks = EVS.map(evBlock);
    const peak = { upperByStep: new Float64Array(STEPS).fill(LIMIT_KW), excessCostGbpPerKw: 100 };
    // 0.5 kW less at two of the cheap steps (4..7, full at the limit), where the plans' losses came out
    // above the allowance.
    const tighter = Float64Array.from(peak.upperByStep, (kw, t) => (t === 4 || t === 5 ? kw - 0.5 : kw));
    const lp = new JointLp(highs, blocks, STEPS, peak);
    try {
      const loose = lp.solve();
      lp.changePeakBounds(tighter);
      const warm = lp.solve();
      const fresh = solveJointLp(highs, blocks, STEPS, { ...peak, upperByStep: tighter });
      expect(warm.objectiveGbp).toBeCloseTo(fresh.objectiveGbp, 9);
      expect(warm.objectiveGbp).toBeGreaterThan(loose.objectiveGbp + 1e-6);
      expect(warm.peakExcessKw).toBeCloseTo(0, 9);
      for (let t = 0; t < STEPS; t++) {
        const streetKw = warm.columnValues.reduce((sum, x) => sum + (x[t] as number), 0);
        expect(streetKw).toBeLessThanOrEqual((tighter[t] as number) + 1e-9);
      }
    } finally {
      lp.dispose();
    }
  });
});

/** `again` converged, keeps its rows, and costs the homes what a fresh exchange `cold` does, within their gaps. */
function expectSameOptimum(
  again: ReturnType<typeof coordinateByPrices>,
  cold: ReturnType<typeof coordinateByPrices>,
): void {
  expect(again.converged).toBe(true);
  expect(again.maxViolation).toBeLessThanOrEqual(1e-6);
  const costOfRun = (run: typeof cold) =>
    run.responses.reduce((sum, response) => sum + response.ownCostGbp, 0);
  expect(Math.abs(costOfRun(again) - costOfRun(cold))).toBeLessThanOrEqual(again.gapGbp + cold.gapGbp + 1e-6);
}
