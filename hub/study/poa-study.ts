import { Worker } from 'node:worker_threads';
/**
 * The price-of-anarchy study: the same scenario and year under passive, selfish (at its Nash equilibrium),
 * cooperative and central control, and the figures that compare them. Pure: no I/O.
 */
import type { FleetPolicy, FleetReport } from '../agents/fleet.js';
import { createPolicy, type PolicyContext } from '../agents/registry.js';
import { type RunInputs, type RunOptions, runYear, type YearResult } from '../sim/runner.js';
import {
  type PoaReport,
  type PolicyFigures,
  plannedLimitsInWords,
  poaReport,
  type SocialCostPricing,
  socialCost,
} from './poa-metrics.js';
import { type StreetFigures, type StudyPolicyOptions, streetPolicyContext } from './street-context.js';

/** The four policies of the study, in the order they run. */
export const POA_POLICIES = ['passive', 'selfish', 'cooperative', 'central'] as const;
export type PoaPolicy = (typeof POA_POLICIES)[number];
/** The study's policies and, when a team's agent is connected, `external` as one more column. */
export type StudyPolicy = PoaPolicy | 'external';
/** One value per policy of a study: the four always, `external` when it ran. */
export type PerStudyPolicy<T> = Record<PoaPolicy, T> & Partial<Record<'external', T>>;

/** The study's policies from the longest run to the shortest (the coordinator's rounds, the joint LP). */
const RUN_COST_ORDER: readonly PoaPolicy[] = ['cooperative', 'central', 'selfish', 'passive'];

/** The policies a study runs, in order. */
export function studyPolicies(options: Pick<PoaStudyOptions, 'external'>): StudyPolicy[] {
  return options.external ? [...POA_POLICIES, 'external'] : [...POA_POLICIES];
}

/** Options of {@link runPoaStudy}: the street policies' network and prices, and the run span. */
export interface PoaStudyOptions extends StudyPolicyOptions, StudySpan {
  /**
   * Add policy `external`: every home planned by the team's agent installed in this thread's plan exchange
   * (hub/agents/plan-exchange.ts). It runs in this thread, beside the workers.
   */
  external?: boolean;
  /** Called when a policy starts and after each simulated day. */
  onProgress?: (policy: StudyPolicy, stepsDone: number, stepCount: number) => void;
  /**
   * Called as each policy's run ends, with its social cost at the study's pricing: a year's study runs for
   * hours, and the runs that are over should be seen (and kept in a log) before the last one ends.
   */
  onPolicyDone?: (policy: StudyPolicy, figures: PolicyCost) => void;
}

/** The days every policy's run counts: the start, how many, and the warm-up before them (the year runner's). */
export type StudySpan = Pick<RunOptions, 'startDay' | 'days' | 'warmUpDays'>;

/** A policy's social cost and bills, as the study's report gives them. */
export type PolicyCost = Pick<PolicyFigures, 'socialCostGbp' | 'billsGbp'>;

/** Per-policy extras beside the figures. */
export interface PoaPolicyExtras {
  runMs: number;
  powerFlowMs: number;
  optimisationMs: number;
  bookkeepingMs: number;
  powerFlowSolves: number;
  /** Steps whose PV inverters had not settled with the power flow (each kept its last pass). */
  inverterUnsettledSteps: number;
  /** Fleet policies: coordination figures. */
  coordination?: FleetReport & { messagesPerStep: number };
}

export interface PoaStudyResult {
  report: PoaReport;
  runs: PerStudyPolicy<YearResult>;
  extras: PerStudyPolicy<PoaPolicyExtras>;
  network: StreetFigures;
}

/** One policy's run in the study, with its timing and coordination figures. */
export interface StudyPolicyRun {
  result: YearResult;
  extras: PoaPolicyExtras;
}

/** Runs one of the study's policies over the scenario (or its first `options.days`). */
export async function runStudyPolicy(
  inputs: RunInputs,
  name: StudyPolicy,
  context: PolicyContext,
  options: StudySpan & Pick<PoaStudyOptions, 'onProgress'>,
): Promise<StudyPolicyRun> {
  // The study's selfish homes are at their Nash equilibrium (one pass when prices ignore load).
  const policy = await createPolicy(name === 'selfish' ? 'nash' : name, context);
  options.onProgress?.(name, 0, 1);
  const { startDay, days, warmUpDays } = options;
  const result = await runYear(inputs, name, {
    ...(startDay !== undefined ? { startDay } : {}),
    ...(days !== undefined ? { days } : {}),
    ...(warmUpDays !== undefined ? { warmUpDays } : {}),
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
      powerFlowSolves: result.timing.powerFlowSolves,
      inverterUnsettledSteps: result.timing.inverterUnsettledSteps,
      ...(fleet ? { coordination: { ...fleet, messagesPerStep: fleet.messages / result.stepCount } } : {}),
    },
  };
}

/** The report from the study's runs. */
export function assembleStudy(
  runsByPolicy: Readonly<PerStudyPolicy<StudyPolicyRun>>,
  options: PoaStudyOptions,
  network: StreetFigures,
): PoaStudyResult {
  const runs = {} as PerStudyPolicy<YearResult>;
  const extras = {} as PerStudyPolicy<PoaPolicyExtras>;
  for (const name of studyPolicies(options)) {
    const run = runsByPolicy[name] as StudyPolicyRun;
    runs[name] = run.result;
    extras[name] = run.extras;
  }
  const report = poaReport(runs, studyPricing(network, options));
  for (const name of ['central', 'cooperative'] as const) {
    const fleet = extras[name].coordination;
    const figures = report.policies[name];
    if (!fleet || !figures) continue;
    figures.plannedLimits = plannedLimitsInWords(
      name,
      {
        ...fleet,
        // Central solves its window's joint LP outright: no rounds to run out of.
        unconvergedWindows: name === 'cooperative' ? fleet.windows - fleet.convergedWindows : 0,
      },
      figures.busMinutesOutsideStatutoryLimits,
      network.linearisationErrorVolts,
    );
  }
  return { report, runs, extras, network };
}

function studyPricing(network: StreetFigures, options: PoaStudyOptions): SocialCostPricing {
  return {
    transformerRatingKw: network.transformerLimitKw,
    reinforcementGbpPerKw: options.reinforcementGbpPerKw,
    carbonPriceGbpPerKg: options.carbonPriceGbpPerKg,
  };
}

/** Tells `options.onPolicyDone` of a policy's finished run. */
function reportDone(
  policy: StudyPolicy,
  run: StudyPolicyRun,
  network: StreetFigures,
  options: PoaStudyOptions,
) {
  if (!options.onPolicyDone) return;
  const { socialCostGbp, billsGbp } = socialCost(run.result, studyPricing(network, options));
  options.onPolicyDone(policy, { socialCostGbp, billsGbp });
}

/** Runs the study's policies on the same inputs, one after another in this thread, and builds the report. */
export async function runPoaStudy(inputs: RunInputs, options: PoaStudyOptions): Promise<PoaStudyResult> {
  const street = await streetPolicyContext(inputs, options);
  const runs = {} as PerStudyPolicy<StudyPolicyRun>;
  for (const name of studyPolicies(options)) {
    runs[name] = await runStudyPolicy(inputs, name, street.context, options);
    reportDone(name, runs[name], street.figures(), options);
  }
  return assembleStudy(runs, options, street.figures());
}

/**
 * As {@link runPoaStudy}, with each of the four policies in its own worker thread (at most `workers` at
 * once), so the runs share the machine's cores. The scenario is read in each worker. `external` runs in this
 * thread meanwhile, where its agent is connected.
 */
export async function runPoaStudyInWorkers(
  scenarioFile: string,
  inputs: RunInputs,
  options: PoaStudyOptions,
  workers: number,
): Promise<PoaStudyResult> {
  const { onProgress, onPolicyDone, external, ...workerOptions } = options;
  const runs = {} as PerStudyPolicy<StudyPolicyRun>;
  const externalRun = external ? runExternalHere(inputs, options) : undefined;
  let network: StreetFigures | undefined;
  // The longest runs first, so the last worker to finish is not one that started a long run late.
  const queue = [...POA_POLICIES].sort((a, b) => RUN_COST_ORDER.indexOf(a) - RUN_COST_ORDER.indexOf(b));
  const runNext = async (): Promise<void> => {
    const policy = queue.shift();
    if (!policy) return;
    const worker = new Worker(new URL('./poa-worker.js', import.meta.url));
    try {
      const message = await new Promise<{
        run?: StudyPolicyRun;
        network?: StreetFigures;
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
      reportDone(policy, message.run, network, options);
    } finally {
      await worker.terminate();
    }
    await runNext();
  };
  const inWorkers = Array.from({ length: Math.max(1, Math.min(workers, POA_POLICIES.length)) }, runNext);
  // Awaited together, so a failure on either side is one rejection of the study.
  const [, externalResult] = await Promise.all([Promise.all(inWorkers), externalRun]);
  if (externalResult) runs.external = externalResult;
  return assembleStudy(runs, options, network as StreetFigures);
}

async function runExternalHere(inputs: RunInputs, options: PoaStudyOptions): Promise<StudyPolicyRun> {
  const street = await streetPolicyContext(inputs, options);
  const run = await runStudyPolicy(inputs, 'external', street.context, options);
  reportDone('external', run, street.figures(), options);
  return run;
}
