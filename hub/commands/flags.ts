import { mkdirSync, writeFileSync } from 'node:fs';
import { InputError } from '../errors.js';

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
