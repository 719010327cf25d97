import type { Highs } from 'highs';
import { type ActiveRow, MasterLp, type MasterSolution } from './master-lp.js';
import { RowAdmission } from './row-admission.js';
import { ROW_VIOLATION_GBP_PER_UNIT } from './voltage-rows.js';

/**
 * Coordination by messages only. A coordinator (the network operator's agent) sends each home a vector of
 * extra prices on net import; each home answers with a plan's net import and what that plan is worth to it (one
 * number), and nothing else, so no home reveals its preferences, comfort band, EV habits or tariff.
 *
 * - {@link coordinateByPrices}: shared network limits (transformer, linearised voltage) by Dantzig–Wolfe
 *   decomposition. The coordinator mixes the plans each home has proposed so far in a small master LP that
 *   keeps the limits at least total cost; the master's shadow prices of the limits go back to the homes, which
 *   propose their best plan at those prices; repeat until no home can propose a cheaper one. Each home then
 *   runs the mix of its own proposals (feasible for it: its constraints are convex), and the mix is the
 *   optimum of the joint problem "every home's own objective, subject to the network".
 * - {@link findNashEquilibrium}: selfish homes best-respond to prices that depend on the aggregate load
 *   (dynamic tariff, network charges) until no home gains by changing; damped on cycling.
 */

/** A home's answer: its net import per step, and the decisions to execute. */
export interface HomeResponse {
  netImportKw: Float64Array;
  /** Per-step decision vectors of the home (e.g. battery, EV, heat pump kW). */
  decisions: Float64Array[];
  /** What the plan costs the home by its own objective, without the coordinator's extra prices, £. */
  ownCostGbp: number;
}

/**
 * A home as a coordinator sees it: it answers extra prices on its net import (£/kWh per step, paid on imports
 * and earned on exports, negative where the street needs load) with a plan.
 */
export type RespondToPrices = (extraNetImportPriceGbpPerKwh: Float64Array) => HomeResponse;

/**
 * The homes' answers to a round's prices, in home order: each home's answer to the prices that reached it,
 * undefined where none did. The homes answer independently, so they may be solved at once (e.g. on several
 * threads, ./home-lp-threads.ts); by default each home's responder runs in turn.
 */
export type AnswerRound = (
  pricesByHome: readonly (Float64Array | undefined)[],
) => (HomeResponse | undefined)[];

/** A linear limit shared by the homes: Σ_h coefficientByHome[h] · netImportKw[h][t] ≤ upperByStep[t]. */
export interface SharedLimit {
  name: string;
  /**
   * Weight of each home's net import in the limit. A negative weight (a home whose import relieves the
   * limit: a voltage above the band, a cable's export, an unloaded phase's voltage that rises) earns it a
   * negative price while the limit binds: its imports are paid and its exports charged.
   */
  coefficientByHome: Float64Array;
  upperByStep: Float64Array;
}

/**
 * How prices and proposals cross between the coordinator and the homes. Each call sends one message and
 * returns what has newly arrived at the other end this round (undefined when nothing new has): the Street's
 * links (engine/links.ts) delay and lose them; without a channel every message arrives in its round.
 */
export interface CoordinatorChannel {
  /** The coordinator sends home `home` its prices; returns the newest prices that reached the home. */
  sendPrices(home: number, round: number, prices: Float64Array): PriceMessage | undefined;
  /** The home sends its proposal (none when it had no new prices); returns the newest that reached the coordinator. */
  sendProposal(home: number, round: number, proposal: Proposal | undefined): Proposal | undefined;
}

/** Prices as they reach a home: the vector and the round the coordinator sent it in. */
export interface PriceMessage {
  prices: Float64Array;
  round: number;
}

/** A home's answer and the round of the prices it answers. */
export interface Proposal {
  response: HomeResponse;
  pricesRound: number;
}

/** Every message arrives in the round it is sent. */
const DIRECT: CoordinatorChannel = {
  sendPrices: (_home, round, prices) => ({ prices, round }),
  sendProposal: (_home, _round, proposal) => proposal,
};

/** Options of {@link coordinateByPrices}. */
export interface PriceCoordinationOptions {
  /** Rounds of prices and proposals at most. Default 30. */
  maxRounds?: number;
  /**
   * Stop when the master's cost is within this of the Lagrangian lower bound (the duality gap), £, or within
   * `relativeTolerance` of its cost, whichever is larger. Default 0.01.
   */
  toleranceGbp?: number;
  /** The duality gap a window may stop at, as a fraction of the master's cost. Default {@link RELATIVE_GAP_TOLERANCE}. */
  relativeTolerance?: number;
  /** Cost of each unit (kW or V) a limit is still broken by when no mix of proposals keeps it, £. Default ROW_VIOLATION_GBP_PER_UNIT. */
  violationCostGbp?: number;
  /** Step length, to turn the master's £/kW shadow prices into £/kWh. Default 0.5. */
  dtHours?: number;
  /** What the messages cross (default: every one arrives in its round). */
  channel?: CoordinatorChannel;
  /**
   * Prices to send each home in the first round after the master's first solve (round 2, or round 1 of an
   * exchange that carries plans) instead of the master's shadow prices (e.g. the last window's final prices):
   * the master's first prices only know the homes' unpriced plans, so they price every broken step at the
   * violation cost and the rounds after spend themselves settling; a price from the day before starts nearer
   * the answer (28 IEEE 70 % days: the windows' first exchanges took 343 rounds so, 376 without). That
   * round's answers give no lower bound, so an exchange whose master already prices well (a reactive pass's,
   * kept) is better without. Undefined for a home (or the whole option) sends the master's prices.
   */
  warmPricesGbpPerKwh?: readonly (Float64Array | undefined)[];
  /** How the homes answer a round (default: each home's responder in turn). */
  answerRound?: AnswerRound;
  /**
   * Limit rows (limit, step) the master keeps from its first solve, e.g. those the last window's plans
   * broke: without them each round finds a few more, and the prices swing while they do. Others join when
   * a round's proposals or the master's mix break them.
   */
  startRows?: readonly ActiveRow[];
  /**
   * Plans each home proposed in an earlier exchange of the same window (e.g. under rows since made tighter):
   * still plans the home can run at the cost it said, so the master mixes them from its first solve instead of
   * asking for them again. With plans of every home (or a kept `master`) the exchange skips round 1's zero
   * prices, whose answers are among them, and starts at the master's prices.
   */
  startProposals?: readonly (readonly HomeResponse[])[];
  /**
   * The master of an earlier exchange of the window (its result's `master`), which this one takes over: its
   * proposals and rows carry over at `limits`' bounds and its first solve starts from the last basis, where
   * a master built again from `startProposals` starts cold (on 28 IEEE 70 % winter days, 62 reactive passes
   * spent 28.6 s of the masters' 69.6 s so). Used when its rows are all among `limits` with their weights;
   * otherwise disposed, and a new master starts from `startProposals`.
   */
  master?: MasterLp;
  /** Return the master in the result for another exchange instead of disposing of it (the caller disposes of it). */
  keepMaster?: boolean;
  /**
   * Nonzeros the master may reach by the last round: a row joins only while the master's nonzeros, with the
   * row's and with every home proposing a new plan in each round left, stay within it. Default
   * {@link MASTER_NONZERO_BUDGET}.
   */
  masterNonzeroBudget?: number;
}

export interface PriceCoordinationResult {
  /** Per home: the plan to execute (the mix of its proposals). */
  responses: HomeResponse[];
  /** Final extra net import price per home and step, £/kWh. */
  pricesGbpPerKwh: Float64Array[];
  /**
   * Per home, the extra prices of the best lower bound, £/kWh per step: the row prices at which the homes'
   * best answers bound the optimum highest, so within the gap of the optimal dual's worth (round 1's no prices
   * count; the last prices sent may bound it far lower). Undefined when no round gave a bound.
   */
  boundPricesGbpPerKwh?: Float64Array[];
  rounds: number;
  /** Messages sent: one price vector down and one proposal up per home per round (fewer on a lossy channel). */
  messages: number;
  /** Distinct plans the homes proposed, the master's columns (a plan a home proposes again is no new column). */
  plans: number;
  /** Largest violation of any limit left by the executed plans (0 when all are kept). */
  maxViolation: number;
  converged: boolean;
  /**
   * The master's cost less the last Lagrangian lower bound, £: how far the plans may be from the optimum of
   * the rows the master keeps (0 when round 1 kept every limit; Infinity when no round gave a bound).
   */
  gapGbp: number;
  /** The limit rows (limit, step) that bind in the master's last solve (a nonzero shadow price): a start for the next window's. */
  bindingRows: readonly ActiveRow[];
  /** Whether a broken row was left out of the master because it would have passed its nonzero budget. */
  rowBudgetReached: boolean;
  /** Per home, the distinct plans it proposed (the master's columns): a start for another exchange of the window. */
  proposals: readonly (readonly HomeResponse[])[];
  /** Per home, the proposals the master's last mix weighs (every proposal when the exchange needed no master). */
  mixedProposals: readonly (readonly HomeResponse[])[];
  /** The master's nonzeros at the end (0 when round 1 kept every limit): at most its budget. */
  masterNonzeros: number;
  /** The master, when `keepMaster` asked for it and the exchange needed one. */
  master?: MasterLp;
}

/**
 * Runs the protocol for one planning window. Round 1 sends zero prices (unless the exchange carries plans of
 * every home, see `startProposals`): if the homes' own plans keep every limit, that is the answer (two
 * messages per home). Otherwise the coordinator mixes proposals in its master
 * LP, prices the limits that bind, and asks again, until the master's cost is within its tolerance of the
 * Lagrangian lower bound that every home's answer to the master's prices gives (the duality gap) and its mix
 * breaks no row outside it. On a channel that delays or loses messages every answer may never be in hand:
 * after `maxRounds` the coordinator mixes the proposals it has, and a home it never heard from runs its own
 * answer to the last prices it had.
 */
export function coordinateByPrices(
  highs: Highs,
  homes: readonly RespondToPrices[],
  limits: readonly SharedLimit[],
  steps: number,
  options: PriceCoordinationOptions = {},
): PriceCoordinationResult {
  const maxRounds = options.maxRounds ?? 30;
  const toleranceGbp = options.toleranceGbp ?? 0.01;
  const relativeTolerance = options.relativeTolerance ?? RELATIVE_GAP_TOLERANCE;
  const violationCostGbp = options.violationCostGbp ?? ROW_VIOLATION_GBP_PER_UNIT;
  const dtHours = options.dtHours ?? 0.5;
  const channel = options.channel ?? DIRECT;
  const nonzeroBudget = options.masterNonzeroBudget ?? MASTER_NONZERO_BUDGET;
  const answerRound: AnswerRound =
    options.answerRound ?? ((pricesByHome) => pricesByHome.map((heard, h) => heard && homes[h]?.(heard)));
  if (!Number.isInteger(maxRounds) || maxRounds < 1)
    throw new TypeError(`maxRounds must be a positive integer, got ${maxRounds}`);
  if (!(nonzeroBudget >= 0)) throw new TypeError(`masterNonzeroBudget must be ≥ 0, got ${nonzeroBudget}`);
  if (!(toleranceGbp >= 0)) throw new TypeError(`toleranceGbp must be ≥ 0, got ${toleranceGbp}`);
  if (!(relativeTolerance >= 0))
    throw new TypeError(`relativeTolerance must be ≥ 0, got ${relativeTolerance}`);
  for (const limit of limits) {
    if (limit.coefficientByHome.length !== homes.length || limit.upperByStep.length !== steps) {
      throw new TypeError(`limit ${limit.name}: needs one coefficient per home and one upper bound per step`);
    }
  }

  const prices = homes.map(() => new Float64Array(steps));
  const kept = options.master?.retarget(limits) ? options.master : undefined;
  if (options.master && !kept) options.master.dispose();
  const proposals: HomeResponse[][] =
    kept?.proposals ?? homes.map((_, h) => [...(options.startProposals?.[h] ?? [])]);
  /** What each home last answered, whether or not it reached the coordinator. */
  const ownAnswers: (HomeResponse | undefined)[] = homes.map(() => undefined);
  const planCount = () => proposals.reduce((count, list) => count + list.length, 0);
  const violation = limits.map(() => new Float64Array(steps));
  let messages = 0;
  let rounds = 0;

  /**
   * One round of messages: prices down, answers up. Returns the proposals that arrived, and whether every
   * home's answer to this round's prices did (only then may the coordinator conclude).
   */
  const exchange = (round: number): { arrived: (HomeResponse | undefined)[]; heardAll: boolean } => {
    // Each home's link draws from its own streams, so all prices may go down before any answer comes up.
    const heard = homes.map((_, h) => channel.sendPrices(h, round, prices[h] as Float64Array));
    const answers = answerRound(heard.map((message) => message?.prices));
    const delivered = heard.map((message, h) => {
      const response = answers[h];
      const answer = message && response ? { response, pricesRound: message.round } : undefined;
      messages += answer ? 2 : 1;
      if (answer) ownAnswers[h] = answer.response;
      return channel.sendProposal(h, round, answer);
    });
    const arrived = delivered.map((proposal) => proposal?.response);
    arrived.forEach((answer, h) => {
      const list = proposals[h] as HomeResponse[];
      // A plan the home already proposed is no new column: the master could mix it already.
      if (answer && !list.some((proposal) => samePlan(proposal, answer))) list.push(answer);
    });
    return { arrived, heardAll: delivered.every((proposal) => proposal?.pricesRound === round) };
  };

  // An exchange that carries plans of every home (a reactive pass of the window: its master or its proposals)
  // starts at the master's prices: the homes' answers to none are among those plans already, so asking again
  // costs every home an LP and the master learns nothing (each of a window's reactive passes a round more).
  const carried = homes.length > 0 && proposals.every((list) => list.length > 0);
  const first = carried ? undefined : exchange(++rounds);
  const firstViolation = first && measureViolation(known(first.arrived, steps), limits, steps, violation);
  if (first?.heardAll && firstViolation !== undefined && firstViolation <= 1e-9) {
    return {
      responses: first.arrived as HomeResponse[],
      pricesGbpPerKwh: prices,
      boundPricesGbpPerKwh: prices,
      rounds,
      messages,
      plans: planCount(),
      maxViolation: firstViolation,
      converged: true,
      gapGbp: 0,
      bindingRows: [],
      rowBudgetReached: false,
      proposals,
      mixedProposals: proposals,
      masterNonzeros: kept?.nonzeros ?? 0,
      ...(kept ? keepOrDispose(kept, options.keepMaster) : {}),
    };
  }

  const masterLp = kept ?? new MasterLp(highs, proposals, limits, violationCostGbp);
  try {
    return conclude(masterLp);
  } finally {
    if (!options.keepMaster) masterLp.dispose();
  }

  function conclude(masterLp: MasterLp): PriceCoordinationResult {
    const admission = new RowAdmission(masterLp, limits, steps, nonzeroBudget);
    /** Adds the rows the proposals just measured break (and `start`), and the new proposals, to the master. */
    const activate = (start: readonly ActiveRow[] = []): number => {
      const added = admission.admit(start, violation, maxRounds - rounds);
      masterLp.addNewProposals();
      return added;
    };
    activate(options.startRows);
    const activeRows = masterLp.activeRows;

    let master: MasterSolution = masterLp.solve();
    let converged = false;
    let lowerBoundGbp = Number.NEGATIVE_INFINITY;
    let gapGbp = Number.POSITIVE_INFINITY;
    // Round 1's answers, each home's best plan at no extra price, bound the optimum by their own costs: where
    // the network costs the homes little (most winter days), a bound no priced round beats for many rounds.
    /** The row prices of the best bound so far (none: the bound at no prices). */
    let boundRowPricesGbp: Float64Array | undefined;
    if (first?.heardAll) {
      lowerBoundGbp = ownCostsGbp(first.arrived as HomeResponse[]);
      boundRowPricesGbp = new Float64Array(0);
    }
    const firstPricedRound = rounds + 1;
    while (rounds < maxRounds) {
      rounds++;
      // A window with no warm price for any home (the first) sends the master's, and may conclude at once.
      const warmPrices = options.warmPricesGbpPerKwh;
      const warm =
        rounds === firstPricedRound && warmPrices?.some((price) => price !== undefined)
          ? warmPrices
          : undefined;
      // Each row's price, from its dual (≤ 0 for a binding ≤ row), held to 0..the slack's cost: the bound below
      // holds only there, and a dual strays past either end by round-off.
      const rowPricesGbp = master.rowDuals.map((dual) => Math.min(violationCostGbp, Math.max(0, -dual)));
      homes.forEach((_, h) => {
        const price = prices[h] as Float64Array;
        const warmPrice = warm?.[h];
        if (warmPrice) price.set(warmPrice);
        else homePrices(rowPricesGbp, activeRows, limits, h, dtHours, price);
      });
      const { arrived, heardAll } = exchange(rounds);
      // Only every home's best answer to the row prices sent bounds the optimum from below (warm prices are no
      // row prices); a bound holds for every row (each row more only raises the optimum), so the best stands.
      if (!warm && heardAll) {
        const boundGbp = lagrangianBound(rowPricesGbp, activeRows, limits, arrived, prices, dtHours);
        if (boundGbp > lowerBoundGbp) {
          lowerBoundGbp = boundGbp;
          boundRowPricesGbp = rowPricesGbp;
        }
      }
      // Rows the new proposals break join the master.
      measureViolation(known(arrived, steps), limits, steps, violation);
      activate();
      master = masterLp.solve();
      // The master's mix of older and newer proposals may break a row that no round's proposals broke.
      measureViolation(known(mix(proposals, master.weights), steps), limits, steps, violation);
      const addedByMix = activate();
      if (addedByMix > 0) master = masterLp.solve();
      gapGbp = Math.max(0, master.objectiveGbp - lowerBoundGbp);
      // The master's cost is what plans that keep every row cost only when its mix broke none outside it, and
      // a row refused for want of room may join in a later round.
      const allowedGapGbp = Math.max(toleranceGbp, relativeTolerance * Math.abs(master.objectiveGbp));
      if (addedByMix === 0 && !admission.refusedRow && gapGbp <= allowedGapGbp) {
        converged = true;
        break;
      }
    }
    /** Each home's prices at row prices `rowPricesGbp` of the rows active when they were sent (0 for later rows). */
    function pricesOfRows(rowPricesGbp: Float64Array): Float64Array[] {
      const allRows = new Float64Array(activeRows.length);
      allRows.set(rowPricesGbp);
      return homes.map((_, h) => {
        const out = new Float64Array(steps);
        homePrices(allRows, activeRows, limits, h, dtHours, out);
        return out;
      });
    }
    const mixed = mix(proposals, master.weights);
    // A home never heard from runs its own answer to no extra prices.
    const unpriced = answerRound(
      mixed.map((plan, h) => ((plan ?? ownAnswers[h]) ? undefined : new Float64Array(steps))),
    );
    const responses = mixed.map((plan, h) => plan ?? ownAnswers[h] ?? (unpriced[h] as HomeResponse));
    const maxViolation = measureViolation(responses, limits, steps, violation);
    return {
      responses,
      pricesGbpPerKwh: prices,
      ...(boundRowPricesGbp ? { boundPricesGbpPerKwh: pricesOfRows(boundRowPricesGbp) } : {}),
      rounds,
      messages,
      plans: planCount(),
      maxViolation,
      converged,
      gapGbp,
      bindingRows: activeRows.filter((_, r) => (master.rowDuals[r] as number) !== 0),
      rowBudgetReached: admission.budgetReached,
      proposals,
      mixedProposals: proposals.map((list, h) => list.filter((_, j) => (master.weights[h]?.[j] ?? 0) > 0)),
      masterNonzeros: masterLp.nonzeros,
      ...(options.keepMaster ? { master: masterLp } : {}),
    };
  }
}

/**
 * The duality gap a window may stop at, as a fraction of its master's cost: 0.1 %, a tenth of the 1 % within
 * which the study checks central is the lowest (optimumCheck). Each window's plans then cost at most 0.1 % more
 * than the optimum of its rows (the study reports the largest gap, maxGapGbp). The last tenth of a percent was
 * most of the time: over 28 IEEE 70 % winter days, stopping at £0.01 took 543 rounds and at 0.1 % 357 (the
 * master's time 47 % less), and 27 windows of 28 converged in 30 rounds instead of 24.
 */
export const RELATIVE_GAP_TOLERANCE = 0.001;

/**
 * Nonzeros the master may reach, counted from its real size and the most it can still grow (see `fits`).
 * HiGHS's WebAssembly heap stops at 2 GiB (node_modules/highs: getHeapMax), and the master's dense rows filled
 * it: masters grown as the coordinator grows them (rows and proposals added each round, solved hot) aborted
 * at 5.17, 5.55 and 5.58 million nonzeros (55 homes and 480 rows a round; 55 and 150; 20 and 960), while 4
 * million ran in about 1 GB. The count is a bound the master stays under, not a guess at its size.
 */
export const MASTER_NONZERO_BUDGET = 4_000_000;

/**
 * Each home's extra price on net import, £/kWh per step, at row prices `rowPricesGbp` (£ per unit of each
 * active row): Σ over the rows at a step of the row's price times the home's weight in it, per hour. Into `out`.
 */
function homePrices(
  rowPricesGbp: Float64Array,
  rows: readonly ActiveRow[],
  limits: readonly SharedLimit[],
  home: number,
  dtHours: number,
  out: Float64Array,
): void {
  out.fill(0);
  rows.forEach((row, r) => {
    const coefficient = (limits[row.limit] as SharedLimit).coefficientByHome[home] as number;
    out[row.step] = (out[row.step] as number) + (coefficient * (rowPricesGbp[r] as number)) / dtHours;
  });
}

/**
 * The Lagrangian lower bound on the cost of the master's rows (their optimum over every plan of every home, not
 * only the proposed ones) at row prices `rowPricesGbp` (each ≥ 0 and at most the violation cost): every home's
 * best answer's cost at the prices it was sent, less what the rows' bounds are worth at them.
 */
function lagrangianBound(
  rowPricesGbp: Float64Array,
  rows: readonly ActiveRow[],
  limits: readonly SharedLimit[],
  answers: readonly (HomeResponse | undefined)[],
  prices: readonly Float64Array[],
  dtHours: number,
): number {
  let bound = 0;
  rows.forEach((row, r) => {
    bound -=
      (rowPricesGbp[r] as number) * ((limits[row.limit] as SharedLimit).upperByStep[row.step] as number);
  });
  for (let h = 0; h < answers.length; h++) {
    const answer = answers[h];
    if (!answer) return Number.NEGATIVE_INFINITY;
    const price = prices[h] as Float64Array;
    let pricedCostGbp = answer.ownCostGbp;
    answer.netImportKw.forEach((kw, t) => {
      pricedCostGbp += (price[t] as number) * kw * dtHours;
    });
    bound += pricedCostGbp;
  }
  return bound;
}

/** What the homes' plans cost them by their own objectives, £. */
function ownCostsGbp(plans: readonly HomeResponse[]): number {
  return plans.reduce((sum, plan) => sum + plan.ownCostGbp, 0);
}

/** The master for the result when the caller keeps it; else disposed of. */
function keepOrDispose(master: MasterLp, keep: boolean | undefined): { master?: MasterLp } {
  if (keep) return { master };
  master.dispose();
  return {};
}

/** LP round-off in a plan's figures (kW, £): two plans this near are one. */
const SAME_PLAN_TOLERANCE = 1e-9;

/** Whether two plans are one column for the master: the same net import every step and the same own cost. */
function samePlan(a: HomeResponse, b: HomeResponse): boolean {
  if (Math.abs(a.ownCostGbp - b.ownCostGbp) > SAME_PLAN_TOLERANCE) return false;
  return a.netImportKw.every((kw, t) => Math.abs(kw - (b.netImportKw[t] as number)) <= SAME_PLAN_TOLERANCE);
}

/** The proposals that arrived (or the mix), a home not heard from counted at zero net import. */
function known(arrived: readonly (HomeResponse | undefined)[], steps: number): HomeResponse[] {
  return arrived.map(
    (answer) => answer ?? { netImportKw: new Float64Array(steps), decisions: [], ownCostGbp: 0 },
  );
}

/** Each home's plan as the weighted mix of its proposals (undefined for a home that proposed nothing). */
function mix(
  proposals: readonly HomeResponse[][],
  weights: readonly Float64Array[],
): (HomeResponse | undefined)[] {
  return proposals.map((list, h) => {
    const w = weights[h] as Float64Array;
    const total = w.reduce((sum, value) => sum + value, 0) || 1;
    const first = list[0];
    if (!first) return undefined;
    const mixed: HomeResponse = {
      netImportKw: new Float64Array(first.netImportKw.length),
      decisions: first.decisions.map((decision) => new Float64Array(decision.length)),
      ownCostGbp: 0,
    };
    list.forEach((proposal, j) => {
      const weight = (w[j] as number) / total;
      if (weight === 0) return;
      mixed.ownCostGbp += weight * proposal.ownCostGbp;
      addScaled(mixed.netImportKw, proposal.netImportKw, weight);
      mixed.decisions.forEach((decision, d) => {
        addScaled(decision, proposal.decisions[d] as Float64Array, weight);
      });
    });
    return mixed;
  });
}

function addScaled(target: Float64Array, source: Float64Array, weight: number): void {
  for (let t = 0; t < target.length; t++) target[t] = (target[t] as number) + weight * (source[t] as number);
}

/**
 * Writes Σ_h a_h·net_h,t − upper_t per limit and step into `out`; returns the largest positive value. Run on
 * every round's proposals and mix over every row (a street's limits × steps × homes), so in plain loops, the
 * homes outer and a home of weight 0 skipped: the sums are the same, added in the same order.
 */
function measureViolation(
  responses: readonly HomeResponse[],
  limits: readonly SharedLimit[],
  steps: number,
  out: Float64Array[],
): number {
  const nets = responses.map((response) => response.netImportKw);
  let largest = 0;
  limits.forEach((limit, c) => {
    const residuals = limitResiduals(limit, nets, steps, out[c] as Float64Array);
    for (let t = 0; t < steps; t++) largest = Math.max(largest, residuals[t] as number);
  });
  return largest;
}

/** Σ_h a_h · net_h[t] − upper[t] for each step t of `limit` (> 0: broken there), into `out`. */
export function limitResiduals(
  limit: SharedLimit,
  nets: readonly Float64Array[],
  steps: number,
  out: Float64Array = new Float64Array(steps),
): Float64Array {
  for (let t = 0; t < steps; t++) out[t] = -(limit.upperByStep[t] as number);
  nets.forEach((net, h) => {
    const a = limit.coefficientByHome[h] as number;
    if (a === 0) return;
    for (let t = 0; t < steps; t++) out[t] = (out[t] as number) + a * (net[t] as number);
  });
  return out;
}

function copyResponse(response: HomeResponse): HomeResponse {
  return {
    netImportKw: Float64Array.from(response.netImportKw),
    decisions: response.decisions.map((d) => Float64Array.from(d)),
    ownCostGbp: response.ownCostGbp,
  };
}

/** average += weight · (answer − average), in place. */
function accumulate(average: HomeResponse, answer: HomeResponse, weight: number): void {
  const blend = (target: Float64Array, source: Float64Array) => {
    for (let t = 0; t < target.length; t++) {
      target[t] = (target[t] as number) + weight * ((source[t] as number) - (target[t] as number));
    }
  };
  blend(average.netImportKw, answer.netImportKw);
  average.ownCostGbp += weight * (answer.ownCostGbp - average.ownCostGbp);
  average.decisions.forEach((decision, index) => {
    blend(decision, answer.decisions[index] as Float64Array);
  });
}

/** Prices each home sees as a function of the aggregate net import (e.g. a load-dependent network charge). */
export type PriceOfAggregate = (aggregateKw: Float64Array, pricesGbpPerKwh: Float64Array) => void;

/** Options of {@link findNashEquilibrium}. */
export interface NashOptions {
  /**
   * Sweeps over all homes at most. Default 100: damped moves shrink as 1/(k+1), so a window that cycles can
   * need dozens (51 on the table street's second day at 15 kW and a 0.01 £/kWh/kW slope).
   */
  maxSweeps?: number;
  /** A home "changes its plan" when its net import moves by more than this in any step, kW. Default 0.01. */
  toleranceKw?: number;
  /**
   * A home whose best response would save it less than this at the current prices, £, stays put
   * (an ε-equilibrium; with LP answers exact indifference is the rule, not the exception). Default 0.01.
   */
  gainToleranceGbp?: number;
  /** Step length, for the money value of a plan change. Default 0.5. */
  dtHours?: number;
  /** Sweeps of plain best response before moves are damped even without an exact repeat. Default 5. */
  undampedSweeps?: number;
}

export interface NashResult {
  responses: HomeResponse[];
  /** Full sweeps run. */
  iterations: number;
  /** True when in a whole sweep no home could gain more than the tolerance (its own cost plus the load-dependent prices) by changing its plan. */
  converged: boolean;
  /** True when the plain best-response dynamics revisited an earlier state or ran out of undamped sweeps (then moves were damped). */
  cycled: boolean;
}

/**
 * Iterated best response (Gauss–Seidel): each home in turn answers the prices that the others' current
 * plans (and its own) produce, taking them as given. Stops when a sweep changes no plan. If the dynamics
 * revisit a state (a cycle, common with flat LP answers), later moves are damped: a home moves only part of
 * the way to its best response (1/(k+1) at damped sweep k, as in fictitious play), which converges in
 * congestion games with load-dependent prices (they are potential games).
 */
export function findNashEquilibrium(
  homes: readonly ((pricesGbpPerKwh: Float64Array) => HomeResponse)[],
  priceOfAggregate: PriceOfAggregate,
  steps: number,
  options: NashOptions = {},
): NashResult {
  const maxSweeps = options.maxSweeps ?? 100;
  const toleranceKw = options.toleranceKw ?? 0.01;
  const gainToleranceGbp = options.gainToleranceGbp ?? 0.01;
  const dtHours = options.dtHours ?? 0.5;
  const undampedSweeps = options.undampedSweeps ?? 5;
  const aggregate = new Float64Array(steps);
  const prices = new Float64Array(steps);
  priceOfAggregate(aggregate, prices);
  const responses = homes.map((respond) => copyResponse(respond(prices)));
  const addToAggregate = (response: HomeResponse, sign: 1 | -1) => {
    for (let t = 0; t < steps; t++)
      aggregate[t] = (aggregate[t] as number) + sign * (response.netImportKw[t] as number);
  };
  for (const response of responses) addToAggregate(response, 1);

  const seen = new Set<string>([stateKey(aggregate)]);
  let cycled = false;
  let dampedSweeps = 0;
  for (let sweep = 1; sweep <= maxSweeps; sweep++) {
    let anyoneGains = false;
    const weight = cycled ? 1 / (++dampedSweeps + 1) : 1;
    homes.forEach((respond, h) => {
      priceOfAggregate(aggregate, prices);
      const current = responses[h] as HomeResponse;
      const answer = respond(prices);
      let change = 0;
      // What the home saves by its own objective plus the aggregate-dependent prices on its net import.
      let gainGbp = current.ownCostGbp - answer.ownCostGbp;
      for (let t = 0; t < steps; t++) {
        const delta = (current.netImportKw[t] as number) - (answer.netImportKw[t] as number);
        change = Math.max(change, Math.abs(delta));
        gainGbp += (prices[t] as number) * delta * dtHours;
      }
      if (change <= toleranceKw || gainGbp <= gainToleranceGbp) return;
      anyoneGains = true;
      addToAggregate(current, -1);
      accumulate(current, answer, weight);
      addToAggregate(current, 1);
    });
    if (!anyoneGains) return { responses, iterations: sweep, converged: true, cycled };
    if (!cycled) {
      const key = stateKey(aggregate);
      if (seen.has(key)) cycled = true;
      seen.add(key);
      // LP answers jitter, so a cycle need not repeat exactly: undamped sweeps get a budget too.
      if (sweep >= undampedSweeps) cycled = true;
    }
  }
  return { responses, iterations: maxSweeps, converged: false, cycled };
}

function stateKey(aggregate: Float64Array): string {
  return Array.from(aggregate, (value) => value.toFixed(3)).join(',');
}
