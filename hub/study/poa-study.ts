import { Worker } from 'node:worker_threads';
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
import { ConvergenceError } from '../errors.js';
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

/** Share of the street limit that cooperative and central keep free for forecast error. */
const OPERATING_MARGIN = 0.01;

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
    /** Line losses at the limit, kW: cooperative and central keep the homes' imports this far below it. */
    lossesAtLimitKw: number;
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

/** What the study's policies need to know of the network and prices (the PoA options without the run span). */
export type StudyPolicyOptions = Omit<PoaStudyOptions, 'days' | 'onProgress'>;

/** Policies that need the street (its limits and voltage model) and so are made here, not in the registry. */
export const STREET_POLICY_NAMES = ['nash', 'cooperative', 'central'] as const;

/**
 * A maker of policies for one scenario: `nash` (selfish homes at the Nash equilibrium of the possibly
 * load-dependent prices), `cooperative` and `central` with the street's limits, and the registry's policies
 * (`passive`, `selfish`) as they are. One policy instance per run: they keep per-home solver state.
 */
export async function studyPolicyMaker(inputs: RunInputs, options: StudyPolicyOptions) {
  const highs = await getHighs();
  const { scenario, feeder } = inputs;
  const transformerLimitKw =
    options.transformerLimitKw ??
    feeder.transformers.reduce((sum, transformer) => sum + transformer.ratedKva, 0);
  // The voltage model takes two power flows per home: built only when a street policy asks for it.
  let street:
    | { view: NetworkView; linearisationErrorVolts: number | null; lossesAtLimitKw: number }
    | undefined;
  const network = () => {
    if (!street) {
      const voltage = options.voltageLimits === false ? undefined : streetVoltageModel(feeder, scenario);
      const lossesKw = streetLossesAtKw(feeder, scenario, transformerLimitKw);
      street = {
        view: {
          // The homes' net imports plus the line losses must stay within the limit at the transformer,
          // with an operating margin for what plans do not foresee (Volt-Watt, rounding of the home models).
          transformerLimitKw: transformerLimitKw * (1 - OPERATING_MARGIN) - lossesKw,
          ...(voltage ? { voltage: { model: voltage.model, minVolts: STATUTORY_VOLTS.min } } : {}),
        },
        linearisationErrorVolts: voltage ? voltage.errorVolts : null,
        lossesAtLimitKw: lossesKw,
      };
    }
    return street;
  };
  const problems = (home: HomeSpec, horizonSteps: number): HomeProblem =>
    new HomeLp(highs, home, horizonSteps);
  const makePolicy = async (name: string): Promise<Policy> => {
    switch (name) {
      case 'nash':
        return new NashPolicy(problems, network().view, {
          loadPriceSlopeGbpPerKwhPerKw: options.loadPriceSlopeGbpPerKwhPerKw,
        });
      case 'cooperative':
        return new CooperativePolicy(highs, problems, network().view);
      case 'central':
        return new CentralPolicy(highs, problems, network().view, {
          reinforcementGbpPerKw: options.reinforcementGbpPerKw,
          carbonPriceGbpPerKg: options.carbonPriceGbpPerKg,
        });
      default:
        return createPolicy(name);
    }
  };
  /** The street's limit and the linearisation's error, as the study reports them. */
  const networkFigures = (): PoaStudyResult['network'] => ({
    transformerLimitKw,
    linearisationErrorVolts: network().linearisationErrorVolts,
    lossesAtLimitKw: network().lossesAtLimitKw,
  });
  return { makePolicy, networkFigures };
}

/** One policy's run in the study, with its timing and coordination figures. */
export interface StudyPolicyRun {
  result: YearResult;
  extras: PoaPolicyExtras;
}

/** Runs one of the study's policies over the scenario (or its first `options.days`). */
export async function runStudyPolicy(
  inputs: RunInputs,
  name: PoaPolicy,
  makePolicy: (name: string) => Promise<Policy>,
  options: Pick<PoaStudyOptions, 'days' | 'onProgress'>,
): Promise<StudyPolicyRun> {
  // The study's selfish homes are at their Nash equilibrium (one pass when prices ignore load).
  const policy = await makePolicy(name === 'selfish' ? 'nash' : name);
  options.onProgress?.(name, 0, 1);
  const result = await runYear(inputs, name, {
    ...(options.days !== undefined ? { days: options.days } : {}),
    recordSeries: false,
    createPolicy: () => policy,
    onProgress: (done, total) => options.onProgress?.(name, done, total),
  });
  const fleet = (policy as Partial<FleetPolicy>).report;
  return {
    result,
    extras: {
      runMs: result.timing.totalMs,
      powerFlowMs: result.timing.powerFlowMs,
      optimisationMs: result.timing.optimisationMs,
      bookkeepingMs: result.timing.bookkeepingMs,
      ...(fleet ? { coordination: { ...fleet, messagesPerStep: fleet.messages / result.stepCount } } : {}),
    },
  };
}

/** The report from the four runs. */
export function assembleStudy(
  runsByPolicy: Readonly<Record<PoaPolicy, StudyPolicyRun>>,
  options: PoaStudyOptions,
  network: PoaStudyResult['network'],
): PoaStudyResult {
  const runs = {} as Record<PoaPolicy, YearResult>;
  const extras = {} as Record<PoaPolicy, PoaPolicyExtras>;
  for (const name of POA_POLICIES) {
    runs[name] = runsByPolicy[name].result;
    extras[name] = runsByPolicy[name].extras;
  }
  const pricing: SocialCostPricing = {
    transformerRatingKw: network.transformerLimitKw,
    reinforcementGbpPerKw: options.reinforcementGbpPerKw,
    carbonPriceGbpPerKg: options.carbonPriceGbpPerKg,
  };
  return { report: poaReport(runs, pricing), runs, extras, network };
}

/** Runs the four policies on the same inputs, one after another in this thread, and builds the report. */
export async function runPoaStudy(inputs: RunInputs, options: PoaStudyOptions): Promise<PoaStudyResult> {
  const { makePolicy, networkFigures } = await studyPolicyMaker(inputs, options);
  const runs = {} as Record<PoaPolicy, StudyPolicyRun>;
  for (const name of POA_POLICIES) runs[name] = await runStudyPolicy(inputs, name, makePolicy, options);
  return assembleStudy(runs, options, networkFigures());
}

/**
 * As {@link runPoaStudy}, with each policy in its own worker thread (at most `workers` at once), so the
 * four runs share the machine's cores. The scenario is read in each worker.
 */
export async function runPoaStudyInWorkers(
  scenarioFile: string,
  options: PoaStudyOptions,
  workers: number,
): Promise<PoaStudyResult> {
  const { onProgress, ...workerOptions } = options;
  const runs = {} as Record<PoaPolicy, StudyPolicyRun>;
  let network: PoaStudyResult['network'] | undefined;
  const queue = [...POA_POLICIES];
  const runNext = async (): Promise<void> => {
    const policy = queue.shift();
    if (!policy) return;
    const worker = new Worker(new URL('./poa-worker.js', import.meta.url));
    try {
      const message = await new Promise<{
        run?: StudyPolicyRun;
        network?: PoaStudyResult['network'];
        error?: string;
      }>((resolve, reject) => {
        worker.on('message', (reply) => {
          if (reply.progress) onProgress?.(policy, reply.progress.done, reply.progress.total);
          else resolve(reply);
        });
        worker.on('error', reject);
        worker.postMessage({ scenarioFile, policy, options: workerOptions });
      });
      if (message.error !== undefined || !message.run || !message.network) {
        throw new Error(`${policy} run failed: ${message.error ?? 'no result'}`);
      }
      runs[policy] = message.run;
      network = message.network;
    } finally {
      await worker.terminate();
    }
    await runNext();
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(workers, POA_POLICIES.length)) }, runNext));
  return assembleStudy(runs, options, network as PoaStudyResult['network']);
}
