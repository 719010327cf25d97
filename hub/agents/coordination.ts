/**
 * Coordination by messages only. A coordinator (the network operator's agent) sends each home a vector of
 * extra import prices and, at the end, an import cap; each home answers with its planned net import and
 * nothing else, so no home reveals its preferences, comfort band, EV habits or tariff. Two protocols:
 *
 * - {@link coordinateByPrices}: shared network limits (transformer, linearised voltage). Prices rise where the
 *   aggregate breaks a limit (projected dual subgradient), which spreads the homes' plans; then one
 *   reservation sweep hands each home in turn the headroom the others leave (an import cap), so the executed
 *   plans keep the limits by construction and sit close to the joint optimum.
 * - {@link findNashEquilibrium}: selfish homes best-respond to prices that depend on the aggregate load
 *   (dynamic tariff, network charges) until no home gains by changing; damped on cycling.
 */

/** A home's answer: its net import per step, and the decisions to execute. */
export interface HomeResponse {
  netImportKw: Float64Array;
  /** Per-step decision vectors of the home (e.g. battery, EV, heat pump kW). */
  decisions: Float64Array[];
}

/**
 * A home as a coordinator sees it: it answers extra import prices (£/kWh per step) and, in the reservation
 * sweep, an import cap (kW per step) that it should keep if it can.
 */
export type RespondToPrices = (
  extraImportPriceGbpPerKwh: Float64Array,
  importCapKw?: Float64Array,
) => HomeResponse;

/** A linear limit shared by the homes: Σ_h coefficientByHome[h] · netImportKw[h][t] ≤ upperByStep[t]. */
export interface SharedLimit {
  name: string;
  /**
   * Weight of each home's net import in the limit. A negative weight (a home whose import relieves the
   * limit, as an unloaded phase's voltage rises) never earns it a negative price or a cap.
   */
  coefficientByHome: Float64Array;
  upperByStep: Float64Array;
}

/** Options of {@link coordinateByPrices}. */
export interface PriceCoordinationOptions {
  /** Price rounds at most before the reservation sweep. Default 20. */
  maxPriceRounds?: number;
  /** A limit counts as kept when broken by no more than this (in its own units). Default 0.01. */
  tolerance?: number;
  /** First price step, £/kWh, applied to the largest violation; shrinks as 1/√round. Default 0.1. */
  initialStepGbpPerKwh?: number;
  /**
   * Reservation sweeps. The first evicts homes from over-subscribed steps; the second lets the early homes
   * back into headroom the later ones freed. Default 2.
   */
  reservationSweeps?: number;
  /** Home that goes first in the reservation sweep (rotate it between windows for fairness). Default 0. */
  firstHome?: number;
}

export interface PriceCoordinationResult {
  /** Per home: the plan to execute. */
  responses: HomeResponse[];
  /** Final extra import price per home and step, £/kWh. */
  pricesGbpPerKwh: Float64Array[];
  /** Price rounds run (1 when the homes' own plans already kept every limit), plus the reservation sweep. */
  rounds: number;
  /** Messages exchanged: one signal down and one plan up per home per round. */
  messages: number;
  /** Largest remaining violation of any limit by the executed plans (0 when all are kept). */
  maxViolation: number;
  converged: boolean;
}

/**
 * Runs the protocol for one planning window. Round 1 sends zero prices: if the homes' own plans keep every
 * limit, that is the answer (two messages per home). Otherwise prices rise on the broken steps and limits for
 * up to `maxPriceRounds` rounds (stopping early once the answers keep the limits), then a reservation sweep
 * makes the answers fit.
 */
export function coordinateByPrices(
  homes: readonly RespondToPrices[],
  limits: readonly SharedLimit[],
  steps: number,
  options: PriceCoordinationOptions = {},
): PriceCoordinationResult {
  const maxPriceRounds = options.maxPriceRounds ?? 20;
  const tolerance = options.tolerance ?? 0.01;
  const initialStep = options.initialStepGbpPerKwh ?? 0.1;
  const firstHome = options.firstHome ?? 0;
  const reservationSweeps = options.reservationSweeps ?? 2;
  if (!Number.isInteger(maxPriceRounds) || maxPriceRounds < 1) {
    throw new TypeError(`maxPriceRounds must be a positive integer, got ${maxPriceRounds}`);
  }
  if (!(tolerance >= 0)) throw new TypeError(`tolerance must be ≥ 0, got ${tolerance}`);
  for (const limit of limits) {
    if (limit.coefficientByHome.length !== homes.length || limit.upperByStep.length !== steps) {
      throw new TypeError(`limit ${limit.name}: needs one coefficient per home and one upper bound per step`);
    }
  }

  const duals = limits.map(() => new Float64Array(steps)); // £/kWh per unit of each limit
  const prices = homes.map(() => new Float64Array(steps));
  const violation = limits.map(() => new Float64Array(steps));
  let answers: HomeResponse[] = [];
  let average: HomeResponse[] = [];
  let messages = 0;
  let rounds = 0;

  for (let round = 1; round <= maxPriceRounds; round++) {
    rounds = round;
    homes.forEach((_, h) => {
      const price = prices[h] as Float64Array;
      price.fill(0);
      limits.forEach((limit, c) => {
        const coefficient = limit.coefficientByHome[h] as number;
        if (coefficient === 0) return;
        const dual = duals[c] as Float64Array;
        for (let t = 0; t < steps; t++) price[t] = (price[t] as number) + coefficient * (dual[t] as number);
      });
      // Homes are never paid to import.
      for (let t = 0; t < steps; t++) price[t] = Math.max(0, price[t] as number);
    });
    answers = homes.map((respond, h) => respond(prices[h] as Float64Array));
    messages += 2 * homes.length;
    const largest = measureViolation(answers, limits, steps, violation);
    if (largest <= tolerance) {
      return {
        responses: answers,
        pricesGbpPerKwh: prices,
        rounds,
        messages,
        maxViolation: largest,
        converged: true,
      };
    }
    if (round > 1) {
      // Running average of the answers from round 2 on: the LP answers jump between vertices as prices
      // move, their average settles towards the joint optimum (primal recovery by ergodic averaging).
      const weight = 1 / (round - 1);
      average = round === 2 ? answers.map(copyResponse) : average;
      if (round > 2) answers.forEach((answer, h) => accumulate(average[h] as HomeResponse, answer, weight));
    }
    const stepSize = initialStep / Math.sqrt(round) / largest;
    duals.forEach((dual, c) => {
      const broken = violation[c] as Float64Array;
      for (let t = 0; t < steps; t++)
        dual[t] = Math.max(0, (dual[t] as number) + stepSize * (broken[t] as number));
    });
  }

  // Reservation sweep: each home in turn gets back its own last reservation plus whatever headroom is left.
  const remaining = limits.map((limit) => Float64Array.from(limit.upperByStep));
  const reserve = (response: HomeResponse, h: number, sign: 1 | -1) => {
    limits.forEach((limit, c) => {
      const coefficient = limit.coefficientByHome[h] as number;
      const left = remaining[c] as Float64Array;
      for (let t = 0; t < steps; t++) {
        left[t] = (left[t] as number) - sign * coefficient * (response.netImportKw[t] as number);
      }
    });
  };
  // Reservations start from the averaged answers (the last answers when there was only one price round).
  if (average.length > 0) answers = average;
  answers.forEach((answer, h) => reserve(answer, h, 1));
  const cap = new Float64Array(steps);
  const noPrices = new Float64Array(steps);
  for (let sweep = 0; sweep < reservationSweeps; sweep++) {
    for (let turn = 0; turn < homes.length; turn++) {
      const h = (firstHome + turn) % homes.length;
      reserve(answers[h] as HomeResponse, h, -1);
      cap.fill(Number.POSITIVE_INFINITY);
      limits.forEach((limit, c) => {
        const coefficient = limit.coefficientByHome[h] as number;
        if (coefficient === 0) return;
        const left = remaining[c] as Float64Array;
        for (let t = 0; t < steps; t++)
          cap[t] = Math.min(cap[t] as number, Math.max(0, (left[t] as number) / coefficient));
      });
      answers[h] = (homes[h] as RespondToPrices)(noPrices, cap);
      reserve(answers[h] as HomeResponse, h, 1);
    }
    messages += 2 * homes.length;
    rounds++;
  }
  const maxViolation = measureViolation(answers, limits, steps, violation);
  return {
    responses: answers,
    pricesGbpPerKwh: prices,
    rounds,
    messages,
    maxViolation,
    converged: maxViolation <= tolerance,
  };
}

/** Writes Σ_h a_h·net_h,t − upper_t per limit and step into `out`; returns the largest positive value. */
function measureViolation(
  responses: readonly HomeResponse[],
  limits: readonly SharedLimit[],
  steps: number,
  out: Float64Array[],
): number {
  let largest = 0;
  limits.forEach((limit, c) => {
    const target = out[c] as Float64Array;
    for (let t = 0; t < steps; t++) {
      let total = -(limit.upperByStep[t] as number);
      responses.forEach((response, h) => {
        total += (limit.coefficientByHome[h] as number) * (response.netImportKw[t] as number);
      });
      target[t] = total;
      if (total > largest) largest = total;
    }
  });
  return largest;
}

function copyResponse(response: HomeResponse): HomeResponse {
  return {
    netImportKw: Float64Array.from(response.netImportKw),
    decisions: response.decisions.map((d) => Float64Array.from(d)),
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
  average.decisions.forEach((decision, index) => {
    blend(decision, answer.decisions[index] as Float64Array);
  });
}

/** Prices each home sees as a function of the aggregate net import (e.g. a load-dependent network charge). */
export type PriceOfAggregate = (aggregateKw: Float64Array, pricesGbpPerKwh: Float64Array) => void;

/** Options of {@link findNashEquilibrium}. */
export interface NashOptions {
  /** Sweeps over all homes at most. Default 50. */
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
}

export interface NashResult {
  responses: HomeResponse[];
  /** Full sweeps run. */
  iterations: number;
  /** True when in a whole sweep no home could gain more than the tolerance by changing its plan. */
  converged: boolean;
  /** True when the plain best-response dynamics revisited an earlier state (then it was damped). */
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
  const maxSweeps = options.maxSweeps ?? 50;
  const toleranceKw = options.toleranceKw ?? 0.01;
  const gainToleranceGbp = options.gainToleranceGbp ?? 0.01;
  const dtHours = options.dtHours ?? 0.5;
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
      let gainGbp = 0;
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
    }
  }
  return { responses, iterations: maxSweeps, converged: false, cycled };
}

function stateKey(aggregate: Float64Array): string {
  return Array.from(aggregate, (value) => value.toFixed(3)).join(',');
}
