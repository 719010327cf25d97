import { readFileSync } from 'node:fs';
import { InputError } from './errors.js';

/**
 * A file the user gave us, as text, or an InputError naming it (`what` says what kind of file it is).
 * Apart from read-input.ts so that CSV readers (the feeder, `gridflex powerflow`) do not load the YAML parser.
 */
export function readInputFile(file: string, what = 'file'): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    throw new InputError(file, `${what} not found or not readable`);
  }
}
