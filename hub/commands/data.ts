import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { DEFAULT_YEAR_SEED, generateYear, yearCsvComments } from '../environment/generate-year.js';
import { yearToCsv } from '../environment/year.js';
import { InputError } from '../errors.js';

interface YearFlags {
  out: string;
  seed: string;
  latitude: string;
  longitude: string;
}

/** `gridflex data ...`: deterministic generators of the environment data the scenarios ship. */
export function registerDataCommand(program: Command): void {
  const data = program
    .command('data')
    .description('generate the data files scenarios use (deterministic from a seed)');
  data
    .command('year')
    .description(
      'write a UK-like representative year (irradiance, temperature, wholesale price, carbon) at 30-minute steps',
    )
    .requiredOption('--out <file>', 'output CSV (17520 rows)')
    .option('--seed <n>', 'random seed (integer)', String(DEFAULT_YEAR_SEED))
    .option('--latitude <deg>', 'site latitude, degrees north', '52')
    .option('--longitude <deg>', 'site longitude, degrees east', '-1.5')
    .action((flags: YearFlags) => {
      const seed = integerFlag(flags.seed, '--seed');
      const latitudeDeg = numberFlag(flags.latitude, '--latitude', -66, 66);
      const longitudeDeg = numberFlag(flags.longitude, '--longitude', -180, 180);
      const options = { seed, latitudeDeg, longitudeDeg };
      writeOutput(flags.out, yearToCsv(generateYear(options), yearCsvComments(options)));
      process.stdout.write(`wrote ${flags.out} (17520 steps, seed ${seed})\n`);
    });
}

/** Writes a file, turning a write failure into an InputError naming the path. */
export function writeOutput(file: string, text: string): void {
  try {
    writeFileSync(file, text);
  } catch (error) {
    throw new InputError(file, `cannot write: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** A flag that must be an integer. */
export function integerFlag(text: string, flag: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isSafeInteger(value)) {
    throw new InputError(flag, `must be an integer, found "${text}"`);
  }
  return value;
}

function numberFlag(text: string, flag: string, min: number, max: number): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < min || value > max) {
    throw new InputError(flag, `must be a number in ${min}..${max}, found "${text}"`);
  }
  return value;
}
