/** A policy's run with its passive baseline, in-process: what `gridflex run` and studies report. */
import { buildMetrics, type Metrics } from './metrics.js';
import { type RunInputs, type RunOptions, runYear, type YearResult } from './runner.js';

export interface RunWithBaseline {
  result: YearResult;
  /** The passive run of the same scenario and span (the same object as `result` for the passive policy). */
  passive: YearResult;
  metrics: Metrics;
}

/**
 * Runs `policyName` (or each home's scenario policy when undefined) and the passive baseline on the same
 * inputs, and builds the metrics with their changes against passive.
 */
export async function runWithPassiveBaseline(
  inputs: RunInputs,
  policyName: string | undefined,
  options: RunOptions = {},
): Promise<RunWithBaseline> {
  const result = await runYear(inputs, policyName, options);
  if (policyName === 'passive') return { result, passive: result, metrics: buildMetrics(result, result) };
  return withPassiveBaseline(inputs, result, options);
}

/** Runs the passive baseline of a run already done (same inputs and span) and builds the metrics. */
export async function withPassiveBaseline(
  inputs: RunInputs,
  result: YearResult,
  options: RunOptions = {},
): Promise<RunWithBaseline> {
  // The baseline keeps its series too: the report draws its loading-duration curve next to the run's.
  const passive = await runYear(withoutSocialGraph(inputs), 'passive', options);
  return { result, passive, metrics: buildMetrics(result, passive) };
}

/** The baseline is no control at all: no neighbour moves a passive home to another policy or tariff. */
function withoutSocialGraph(inputs: RunInputs): RunInputs {
  if (!inputs.scenario.socialGraph) return inputs;
  const scenario = { ...inputs.scenario };
  delete scenario.socialGraph;
  return { ...inputs, scenario };
}
