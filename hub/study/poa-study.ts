import { Worker } from 'node:worker_threads';
/**
 * The price-of-anarchy study: the same scenario and year under passive, selfish (at its Nash equilibrium),
 * cooperative and central control, and the figures that compare them. Pure: no I/O.
 */
import type { FleetPolicy, FleetReport } from '../agents/fleet.js';
import { createPolicy, type PolicyContext } from '../agents/registry.js';
import { type RunInputs, runYear, type YearResult } from '../sim/runner.js';
import { type PoaReport, poaReport, type SocialCostPricing } from './poa-metrics.js';
import { type StreetFigures, type StudyPolicyOptions, streetPolicyContext } from './street-context.js';

/** The four policies of the study, in the order they run. */
export const POA_POLICIES = ['passive', 'selfish', 'cooperative', 'central'] as const;
export type PoaPolicy = (typeof POA_POLICIES)[number];

/** Options of {@link runPoaStudy}: the street policies' network and prices, and the run span. */
export interface PoaStudyOptions extends StudyPolicyOptions {
  /** Simulate only the first `days` of the scenario. */
  days?: number;
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
  name: PoaPolicy,
  context: PolicyContext,
  options: Pick<PoaStudyOptions, 'days' | 'onProgress'>,
): Promise<StudyPolicyRun> {
  // The study's selfish homes are at their Nash equilibrium (one pass when prices ignore load).
  const policy = await createPolicy(name === 'selfish' ? 'nash' : name, context);
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
  network: StreetFigures,
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
  const street = await streetPolicyContext(inputs, options);
  const runs = {} as Record<PoaPolicy, StudyPolicyRun>;
  for (const name of POA_POLICIES) runs[name] = await runStudyPolicy(inputs, name, street.context, options);
  return assembleStudy(runs, options, street.figures());
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
  let network: StreetFigures | undefined;
  const queue = [...POA_POLICIES];
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
    } finally {
      await worker.terminate();
    }
    await runNext();
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(workers, POA_POLICIES.length)) }, runNext));
  return assembleStudy(runs, options, network as StreetFigures);
}
