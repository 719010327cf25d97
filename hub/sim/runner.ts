/**
 * The year runner: a short loop over the Street (hub/engine): every step the agents plan, the homes step,
 * the market settles, the feeder solves and the recorders book it, over the scenario's span. Pure (no I/O):
 * inputs come from ./inputs.ts, outputs go to ./output.ts. Same inputs and seed, same numbers.
 */

import type { PolicyOptions } from '../agents/index.js';
import type { YearResult } from '../engine/outcomes.js';
import type { OnHomeStep } from '../engine/participants/homes.js';
import { buildYearStreet, type RunInputs, type YearStreetOptions } from '../engine/year-street.js';
import { STEPS_PER_DAY } from '../environment/calendar.js';

export type {
  DecisionEntry,
  HomeOutcome,
  NetworkOutcome,
  RunSeries,
  RunTiming,
  SupplierOutcome,
  YearResult,
} from '../engine/outcomes.js';
export type { RunInputs } from '../engine/year-street.js';

/** Options of {@link runYear}. */
export interface RunOptions extends YearStreetOptions {
  /** Options passed to the policies (horizon, re-plan interval). */
  policyOptions?: PolicyOptions;
  /** Called after each simulated day with steps done and the total. */
  onProgress?: (stepsDone: number, stepCount: number) => void;
  /** Called after every home step with the home's index, its flows and its new state (tests, live views). */
  onHomeStep?: OnHomeStep;
}

/**
 * Runs the scenario (or its first `options.days`) under one policy for every home (`policyName`), or under
 * each home's own policy from the scenario when `policyName` is undefined.
 */
export async function runYear(
  inputs: RunInputs,
  policyName: string | undefined,
  options: RunOptions = {},
): Promise<YearResult> {
  const startedMs = performance.now();
  const { street, stepCount, finish } = await buildYearStreet(inputs, policyName, options);
  for (let k = 0; k < stepCount; k++) {
    street.step(k);
    if ((k + 1) % STEPS_PER_DAY === 0) options.onProgress?.(k + 1, stepCount);
  }
  return finish(performance.now() - startedMs);
}
