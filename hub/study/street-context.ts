/**
 * The street the street policies (nash, cooperative, central) plan against in a run or a study: the
 * transformer limit less line losses and an operating margin, the linearised home voltages, each home's LP
 * and the study's prices, as the policy registry's context. Pure: no I/O.
 */

import type { StreetLosses } from '../agents/fleet.js';
import { getHighs } from '../agents/highs.js';
import { HomeLp } from '../agents/home-lp.js';
import { defaultHomeLpThreads } from '../agents/home-lp-threads.js';
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
import { cableLimits } from './cable-limits.js';
import { type HostingCapacity, hostingCapacity } from './hosting-capacity.js';

/** Share of the street limit that cooperative and central keep free for forecast error. */
const OPERATING_MARGIN = 0.01;

/** What the street policies need to know of the network and prices. */
export interface StudyPolicyOptions {
  /** The street's import limit at the transformer, kW; default: the feeder's hosting capacity. */
  transformerLimitKw?: number;
  /** Reinforcement cost of each kW of peak above the limit, £/kW. */
  reinforcementGbpPerKw: number;
  /** Carbon price in the social cost, £/kg. */
  carbonPriceGbpPerKg: number;
  /** Load-dependent network price that selfish agents respond to, £/kWh per kW of street import (0: none). */
  loadPriceSlopeGbpPerKwhPerKw: number;
  /** Bound the linearised voltage at every home by the statutory minimum (central and cooperative). Default true. */
  voltageLimits?: boolean;
  /** Cooperative's helper threads for the homes' LPs (hub/agents/home-lp-threads.ts). Default one per spare core. */
  homeLpThreads?: number;
}

/** The street's limit and the linearisation's error, as the study reports them. */
export interface StreetFigures {
  /** The limit at the transformer the social cost measures the peak against, kW. */
  transformerLimitKw: number;
  /** Where that limit comes from, in words. */
  limitBasis: string;
  hostingCapacity: HostingCapacity;
  /** Largest |linearised − full power flow| voltage over the check cases (V); null without voltage limits. */
  linearisationErrorVolts: number | null;
  /** Line losses at the limit, kW: cooperative and central keep the homes' imports this far below it. */
  lossesAtLimitKw: number;
  /** Cable phases whose rating the homes downstream could exceed: cooperative and central keep each. */
  cableLimits: number;
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

/**
 * The street's losses by the full power flow at any homes' loads (one solve a call), for the street policies to
 * hold the transformer limit at their plans' own losses; where the flow fails, the limit's allowance stands.
 */
function streetLosses(
  feeder: FeederNetwork,
  scenario: Scenario,
  allowanceKw: number,
  marginKw: number,
): StreetLosses {
  const solver = new PowerFlowSolver(feeder, homeLoadConnections(scenario), { maxIterations: 50 });
  return {
    allowanceKw,
    marginKw,
    homeIds: scenario.homes.map(({ spec }) => spec.id),
    lossesKw(pKw, qKvar) {
      solver.loadPKw.set(pKw);
      solver.loadQKvar.set(qKvar);
      try {
        const flow = solver.solve('a plan at the street limit');
        return flow.substationPTotalKw - pKw.reduce((sum, kw) => sum + kw, 0);
      } catch (error) {
        if (!(error instanceof ConvergenceError)) throw error;
        return allowanceKw;
      }
    },
  };
}

/**
 * The limit the street policies keep the homes' summed net import under, and the limit at the
 * transformer the social cost measures the peak against. Given a transformer limit, the homes leave room
 * for the line losses at that load; by default the limit is the hosting capacity, whose power flow
 * already carries the losses. Both keep an operating margin for what plans do not foresee (Volt-Watt,
 * rounding of the home models).
 */
function streetLimit(feeder: FeederNetwork, scenario: Scenario, transformerLimitKw: number | undefined) {
  const hosting = hostingCapacity(feeder, scenario);
  if (transformerLimitKw === undefined) {
    return {
      transformerLimitKw: hosting.substationKw,
      homesLimitKw: hosting.streetKw * (1 - OPERATING_MARGIN),
      lossesKw: hosting.substationKw - hosting.streetKw,
      basis: `the feeder's hosting capacity: ${hosting.perHomeKw.toFixed(2)} kW on each of ${hosting.homeCount} homes, bound by ${hosting.binding}`,
      hosting,
    };
  }
  const lossesKw = streetLossesAtKw(feeder, scenario, transformerLimitKw);
  return {
    transformerLimitKw,
    homesLimitKw: transformerLimitKw * (1 - OPERATING_MARGIN) - lossesKw,
    lossesKw,
    basis: 'set by --limit-kw',
    hosting,
  };
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
  let built: { street: PolicyStreet; figures: StreetFigures } | undefined;
  const build = () => {
    if (built) return built;
    const voltage = options.voltageLimits === false ? undefined : streetVoltageModel(feeder, scenario);
    const limit = streetLimit(feeder, scenario, options.transformerLimitKw);
    const cables = cableLimits(
      feeder,
      scenario.homes.map(({ spec }) => spec),
    );
    const street: PolicyStreet = {
      network: {
        transformerLimitKw: limit.homesLimitKw,
        ...(voltage
          ? {
              voltage: {
                model: voltage.model,
                minVolts: STATUTORY_VOLTS.min,
                maxVolts: STATUTORY_VOLTS.max,
                // The model's loads are every home of the scenario; a fleet may be only some of them.
                homeIds: scenario.homes.map(({ spec }) => spec.id),
              },
            }
          : {}),
        cables,
        losses: streetLosses(
          feeder,
          scenario,
          limit.lossesKw,
          limit.transformerLimitKw - limit.lossesKw - limit.homesLimitKw,
        ),
      },
      problems: (home, horizonSteps) => new HomeLp(highs, home, horizonSteps),
      loadPriceSlopeGbpPerKwhPerKw: options.loadPriceSlopeGbpPerKwhPerKw,
      reinforcementGbpPerKw: options.reinforcementGbpPerKw,
      carbonPriceGbpPerKg: options.carbonPriceGbpPerKg,
    };
    const figures: StreetFigures = {
      transformerLimitKw: limit.transformerLimitKw,
      limitBasis: limit.basis,
      hostingCapacity: limit.hosting,
      linearisationErrorVolts: voltage ? voltage.errorVolts : null,
      lossesAtLimitKw: limit.lossesKw,
      cableLimits: cables.length,
    };
    built = { street, figures };
    return built;
  };
  const fleet = { homeLpThreads: options.homeLpThreads ?? defaultHomeLpThreads() };
  return { context: { street: () => build().street, fleet }, figures: () => build().figures };
}
