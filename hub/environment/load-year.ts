/**
 * File loading of the representative year (the I/O edge; parsing lives in ./year.ts).
 *
 * API:
 *   loadYearCsv(file) -> RepresentativeYear      throws InputError (file, row, column) on bad input
 *   DEFAULT_YEAR_CSV                              path of the shipped scenarios/data/uk-representative-year.csv
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { InputError } from '../errors.js';
import { parseYearCsv, type RepresentativeYear } from './year.js';

/** The shipped UK-like year (resolved from this module, so it works from src and from dist). */
export const DEFAULT_YEAR_CSV = fileURLToPath(
  new URL(
    import.meta.url.includes('/dist/')
      ? '../../../scenarios/data/uk-representative-year.csv'
      : '../../scenarios/data/uk-representative-year.csv',
    import.meta.url,
  ),
);

/** Reads and validates a year CSV. */
export function loadYearCsv(file: string = DEFAULT_YEAR_CSV): RepresentativeYear {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new InputError(file, 'file not found or not readable');
  }
  return parseYearCsv(text, file);
}
