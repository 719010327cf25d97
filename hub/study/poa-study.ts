/**
 * The price-of-anarchy study: the same scenario and year under passive, selfish (at its Nash equilibrium),
 * cooperative and central control, and the figures that compare them. Pure: no I/O.
 */
import {
  CentralPolicy,
  CooperativePolicy,
  type FleetPolicy,
  type FleetReport,
  type HomeProblem,
  NashPolicy,
  type NetworkView,
} from '../agents/fleet.js';
import { HomeLp } from '../agents/home-lp.js';
import type { Policy } from '../agents/policy.js';
import { createPolicy, getHighs } from '../agents/registry.js';
import {
  buildVoltageSensitivity,
  type FeederNetwork,
  type LoadConnection,
  linearisationErrorVolts,
  PowerFlowSolver,
  STATUTORY_VOLTS,
} from '../feeder/index.js';
import type { HomeSpec } from '../homes/index.js';
import type { Scenario } from '../scenarios/resolve.js';
import { type RunInputs, runYear, type YearResult } from '../sim/runner.js';
import { type PoaReport, poaReport, type SocialCostPricing } from './poa-metrics.js';

/** The four policies of the study, in the order they run. */
export const POA_POLICIES = ['passive', 'selfish', 'cooperative', 'central'] as const;
export type PoaPolicy = (typeof POA_POLICIES)[number];

/** Options of {@link runPoaStudy}. */
export interface PoaStudyOptions {
  /** Simulate only the first `days` of the scenario. */
  days?: number;
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
  /** Called when a policy starts and after each simulated day. */
  onProgress?: (policy: PoaPolicy, stepsDone: number, stepCount: number) => void;
}

/** Per-policy extras beside the figures. */
export interface PoaPolicyExtras {
  runMs: number;
  powerFlowMs: number;
  optimisationMs: number;
  bookkeepingMs: number;
  /** Fleet policies: coordination figures. */
  coordination?: FleetReport & { messagesPerStep: number };
}

export interface PoaStudyResult {
  report: PoaReport;
  runs: Record<PoaPolicy, YearResult>;
  extras: Record<PoaPolicy, PoaPolicyExtras>;
  network: {
    transformerLimitKw: number;
    /** Largest |linearised − full power flow| voltage over the check cases (V); null without voltage limits. */
    linearisationErrorVolts: number | null;
  };
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

/**
 * Linearises the feeder's home voltages around a typical evening (1 kW at 0.95 PF per home) and checks the
 * model against the full power flow at lighter, heavier and uneven loadings; returns the worst error.
 */
export function streetVoltageModel(feeder: FeederNetwork, scenario: Scenario) {
  const solver = new PowerFlowSolver(feeder, homeLoadConnections(scenario));
  const homeCount = scenario.homes.length;
  const atKw = (kw: (h: number) => number) => ({
    pKw: Float64Array.from({ length: homeCount }, (_, h) => kw(h)),
    qKvar: Float64Array.from({ length: homeCount }, (_, h) => kw(h) * 0.329),
  });
  const base = atKw(() => 1);
  solver.loadPKw.set(base.pKw);
  solver.loadQKvar.set(base.qKvar);
  const model = buildVoltageSensitivity(solver);
  const errorVolts = linearisationErrorVolts(solver, model, [
    atKw(() => 0.3),
    atKw(() => 3),
    atKw((h) => (h % 3 === 0 ? 7 : 0.5)),
    atKw(() => -2),
  ]);
  return { model, errorVolts };
}

/** What the study's policies need to know of the network and prices (the PoA options without the run span). */
export type StudyPolicyOptions = Omit<PoaStudyOptions, 'days' | 'onProgress'>;

/**
 * A maker of the study's policies for one scenario: `passive` and the registry's policies as they are,
 * `selfish` at the Nash equilibrium of the (possibly load-dependent) prices, `cooperative` and `central`
 * with the street's limits. One policy instance per run: they keep per-home solver state.
 */
export async function studyPolicyMaker(inputs: RunInputs, options: StudyPolicyOptions) {
  const highs = await getHighs();
  const { scenario, feeder } = inputs;
  const transformerLimitKw =
    options.transformerLimitKw ??
    feeder.transformers.reduce((sum, transformer) => sum + transformer.ratedKva, 0);
  const voltage = options.voltageLimits === false ? undefined : streetVoltageModel(feeder, scenario);
  const view: NetworkView = {
    transformerLimitKw,
    ...(voltage ? { voltage: { model: voltage.model, minVolts: STATUTORY_VOLTS.min } } : {}),
  };
  const problems = (home: HomeSpec, horizonSteps: number): HomeProblem =>
    new HomeLp(highs, home, horizonSteps);
  const makePolicy = async (name: string): Promise<Policy> => {
    switch (name) {
      case 'selfish':
        return new NashPolicy(problems, view, {
          loadPriceSlopeGbpPerKwhPerKw: options.loadPriceSlopeGbpPerKwhPerKw,
        });
      case 'cooperative':
        return new CooperativePolicy(highs, problems, view);
      case 'central':
        return new CentralPolicy(highs, problems, view, {
          reinforcementGbpPerKw: options.reinforcementGbpPerKw,
          carbonPriceGbpPerKg: options.carbonPriceGbpPerKg,
        });
      default:
        return createPolicy(name);
    }
  };
  return { makePolicy, transformerLimitKw, linearisationErrorVolts: voltage ? voltage.errorVolts : null };
}

/** Runs the four policies on the same inputs and builds the report. */
export async function runPoaStudy(inputs: RunInputs, options: PoaStudyOptions): Promise<PoaStudyResult> {
  const { makePolicy, transformerLimitKw, linearisationErrorVolts } = await studyPolicyMaker(inputs, options);
  const runs = {} as Record<PoaPolicy, YearResult>;
  const extras = {} as Record<PoaPolicy, PoaPolicyExtras>;
  for (const name of POA_POLICIES) {
    const policy = await makePolicy(name);
    options.onProgress?.(name, 0, 1);
    const result = await runYear(inputs, name, {
      ...(options.days !== undefined ? { days: options.days } : {}),
      recordSeries: false,
      createPolicy: () => policy,
      onProgress: (done, total) => options.onProgress?.(name, done, total),
    });
    runs[name] = result;
    const fleet = (policy as Partial<FleetPolicy>).report;
    extras[name] = {
      runMs: result.timing.totalMs,
      powerFlowMs: result.timing.powerFlowMs,
      optimisationMs: result.timing.optimisationMs,
      bookkeepingMs: result.timing.bookkeepingMs,
      ...(fleet ? { coordination: { ...fleet, messagesPerStep: fleet.messages / result.stepCount } } : {}),
    };
  }
  const pricing: SocialCostPricing = {
    transformerRatingKw: transformerLimitKw,
    reinforcementGbpPerKw: options.reinforcementGbpPerKw,
    carbonPriceGbpPerKg: options.carbonPriceGbpPerKg,
  };
  return {
    report: poaReport(runs, pricing),
    runs,
    extras,
    network: { transformerLimitKw, linearisationErrorVolts },
  };
}
