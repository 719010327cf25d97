/**
 * The street the street policies (nash, cooperative, central) plan against in a run or a study: the
 * transformer limit less line losses and an operating margin, the linearised home voltages, each home's LP
 * and the study's prices, as the policy registry's context. Pure: no I/O.
 */

import { getHighs } from '../agents/highs.js';
import { HomeLp } from '../agents/home-lp.js';
import type { PolicyContext, PolicyStreet } from '../agents/policy-definition.js';
import { ConvergenceError } from '../errors.js';
import {
  buildVoltageSensitivity,
  type FeederNetwork,
  type LoadConnection,
  linearisationErrorVolts,
  PowerFlowSolver,
  STATUTORY_VOLTS,
} from '../feeder/index.js';
import type { Scenario } from '../scenarios/resolve.js';
import type { RunInputs } from '../sim/runner.js';

/** Share of the street limit that cooperative and central keep free for forecast error. */
const OPERATING_MARGIN = 0.01;

/** What the street policies need to know of the network and prices. */
export interface StudyPolicyOptions {
  /** The street's import limit, kW; default: the transformers' rating (kVA taken as kW). */
  transformerLimitKw?: number;
  /** Reinforcement cost of each kW of peak above the limit, £/kW. */
  reinforcementGbpPerKw: number;
  /** Carbon price in the social cost, £/kg. */
  carbonPriceGbpPerKg: number;
  /** Load-dependent network price that selfish agents respond to, £/kWh per kW of street import (0: none). */
  loadPriceSlopeGbpPerKwhPerKw: number;
  /** Bound the linearised voltage at every home by the statutory minimum (central and cooperative). Default true. */
  voltageLimits?: boolean;
}

/** The street's limit and the linearisation's error, as the study reports them. */
export interface StreetFigures {
  transformerLimitKw: number;
  /** Largest |linearised − full power flow| voltage over the check cases (V); null without voltage limits. */
  linearisationErrorVolts: number | null;
  /** Line losses at the limit, kW: cooperative and central keep the homes' imports this far below it. */
  lossesAtLimitKw: number;
}

/** One wye load per home at its bus and phase, in scenario order: how the year runner connects homes. */
export function homeLoadConnections(scenario: Scenario): LoadConnection[] {
  return scenario.homes.map(({ spec }) => ({
    name: spec.id,
    bus: spec.bus,
    phases: [spec.phase],
    model: 'constant-power',
    nominalVoltsLn: 230,
    pKw: 0,
    qKvar: 0,
  }));
}

/** Per home at `kw(h)` kW and 0.95 PF lagging. */
function homeLoads(homeCount: number, kw: (home: number) => number) {
  return {
    pKw: Float64Array.from({ length: homeCount }, (_, h) => kw(h)),
    qKvar: Float64Array.from({ length: homeCount }, (_, h) => kw(h) * 0.329),
  };
}

/**
 * Linearises the feeder's home voltages around a typical evening (1 kW at 0.95 PF per home) and checks the
 * model against the full power flow at lighter, heavier and uneven loadings; returns the worst error.
 */
export function streetVoltageModel(feeder: FeederNetwork, scenario: Scenario) {
  const solver = new PowerFlowSolver(feeder, homeLoadConnections(scenario));
  const homeCount = scenario.homes.length;
  const base = homeLoads(homeCount, () => 1);
  solver.loadPKw.set(base.pKw);
  solver.loadQKvar.set(base.qKvar);
  const model = buildVoltageSensitivity(solver);
  const errorVolts = linearisationErrorVolts(solver, model, [
    homeLoads(homeCount, () => 0.3),
    homeLoads(homeCount, () => 3),
    homeLoads(homeCount, (h) => (h % 3 === 0 ? 7 : 0.5)),
    homeLoads(homeCount, () => -2),
  ]);
  return { model, errorVolts };
}

/**
 * Line losses when the street draws `limitKw` at the substation, shared evenly by the homes. The limit
 * is on the transformer, which carries the losses too, so the homes' own imports must leave room for them.
 * Where the feeder cannot carry that much, the losses at the largest even loading it can carry stand in.
 */
export function streetLossesAtKw(feeder: FeederNetwork, scenario: Scenario, limitKw: number): number {
  const solver = new PowerFlowSolver(feeder, homeLoadConnections(scenario), { maxIterations: 50 });
  const homeCount = scenario.homes.length;
  for (let totalKw = limitKw; totalKw > 0.01 * limitKw; totalKw /= 2) {
    const loads = homeLoads(homeCount, () => totalKw / homeCount);
    solver.loadPKw.set(loads.pKw);
    solver.loadQKvar.set(loads.qKvar);
    try {
      const flow = solver.solve('street losses');
      // Losses grow with the square of the load: scale up from a loading the feeder could carry.
      return flow.lossesKw * (limitKw / totalKw) ** 2;
    } catch (error) {
      if (!(error instanceof ConvergenceError)) throw error;
    }
  }
  return 0;
}

/** A run's policy context with its street, and the street's figures for a study's report. */
export interface StreetPolicyContext {
  context: PolicyContext;
  /** Builds the street if no policy has yet. */
  figures(): StreetFigures;
}

/**
 * The registry's context for one scenario's run: `createPolicy(name, context)` makes any policy, the street
 * policies with this street's limits. The voltage model takes two power flows per home, so the street is
 * built only when a street policy (or `figures()`) first asks for it.
 */
export async function streetPolicyContext(
  inputs: RunInputs,
  options: StudyPolicyOptions,
): Promise<StreetPolicyContext> {
  const highs = await getHighs();
  const { scenario, feeder } = inputs;
  const transformerLimitKw =
    options.transformerLimitKw ??
    feeder.transformers.reduce((sum, transformer) => sum + transformer.ratedKva, 0);
  let built: { street: PolicyStreet; figures: StreetFigures } | undefined;
  const build = () => {
    if (built) return built;
    const voltage = options.voltageLimits === false ? undefined : streetVoltageModel(feeder, scenario);
    const lossesKw = streetLossesAtKw(feeder, scenario, transformerLimitKw);
    const street: PolicyStreet = {
      network: {
        // The homes' net imports plus the line losses must stay within the limit at the transformer,
        // with an operating margin for what plans do not foresee (Volt-Watt, rounding of the home models).
        transformerLimitKw: transformerLimitKw * (1 - OPERATING_MARGIN) - lossesKw,
        ...(voltage ? { voltage: { model: voltage.model, minVolts: STATUTORY_VOLTS.min } } : {}),
      },
      problems: (home, horizonSteps) => new HomeLp(highs, home, horizonSteps),
      loadPriceSlopeGbpPerKwhPerKw: options.loadPriceSlopeGbpPerKwhPerKw,
      reinforcementGbpPerKw: options.reinforcementGbpPerKw,
      carbonPriceGbpPerKg: options.carbonPriceGbpPerKg,
    };
    const figures = {
      transformerLimitKw,
      linearisationErrorVolts: voltage ? voltage.errorVolts : null,
      lossesAtLimitKw: lossesKw,
    };
    built = { street, figures };
    return built;
  };
  return { context: { street: () => build().street }, figures: () => build().figures };
}
