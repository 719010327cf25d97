import { mkdirSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { runSpan, type YearStreetOptions } from '../engine/year-street.js';
import { InputError } from '../errors.js';
import type { RunInputs } from '../sim/runner.js';

/** A flag that must be an integer, optionally within `min..max`. */
export function integerFlag(
  text: string,
  flag: string,
  min = Number.MIN_SAFE_INTEGER,
  max = Number.MAX_SAFE_INTEGER,
): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isSafeInteger(value) || value < min || value > max) {
    const range =
      min === Number.MIN_SAFE_INTEGER && max === Number.MAX_SAFE_INTEGER ? '' : ` in ${min}..${max}`;
    throw new InputError(flag, `must be an integer${range}, found "${text}"`);
  }
  return value;
}

/** A flag that must be a number within `min..max`. */
export function numberFlag(text: string, flag: string, min: number, max: number): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < min || value > max) {
    throw new InputError(flag, `must be a number in ${min}..${max}, found "${text}"`);
  }
  return value;
}

/** Creates a folder (and its parents) for output, turning a failure into an InputError naming it. */
export function makeOutputDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw new InputError(
      dir,
      `cannot create output folder: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

/** Writes a file, turning a write failure into an InputError naming the path. */
export function writeOutput(file: string, text: string): void {
  try {
    writeFileSync(file, text);
  } catch (error) {
    throw new InputError(file, `cannot write: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** `--start-day`, `--days` and `--warm-up-days`: the days of the year a run or a study counts. */
export function addSpanOptions(command: Command): Command {
  return command
    .option('--start-day <day>', "first day counted, 0 = 1 January (default: the scenario's time.startDay)")
    .option(
      '--days <n>',
      "simulate only N days from the start (at most the scenario's time.days, and never past the year's end)",
    )
    .option(
      '--warm-up-days <n>',
      'days simulated before the start and left out of every figure, so the span opens from the state its policy leads to (default 0)',
    );
}

/** The span flags as given on the command line. */
export interface SpanFlags {
  startDay?: string;
  days?: string;
  warmUpDays?: string;
}

/** The span flags as run options, checked against the scenario and its year before any work. */
export function spanOptions(
  flags: SpanFlags,
  inputs: RunInputs,
): Pick<YearStreetOptions, 'startDay' | 'days' | 'warmUpDays'> {
  const options = {
    ...(flags.startDay !== undefined ? { startDay: integerFlag(flags.startDay, '--start-day', 0, 364) } : {}),
    ...(flags.days !== undefined ? { days: integerFlag(flags.days, '--days', 1, 365) } : {}),
    ...(flags.warmUpDays !== undefined
      ? { warmUpDays: integerFlag(flags.warmUpDays, '--warm-up-days', 0, 364) }
      : {}),
  };
  runSpan(inputs, options);
  return options;
}
