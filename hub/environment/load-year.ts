/**
 * File loading of the representative year (the I/O edge; parsing lives in ./year.ts).
 *
 * API:
 *   loadYearCsv(file) -> RepresentativeYear      throws InputError (file, row, column) on bad input
 *   DEFAULT_YEAR_CSV                              path of the shipped scenarios/data/uk-representative-year.csv
 */
import { fileURLToPath } from 'node:url';
import { readInputFile } from '../read-input.js';
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
  const text = readInputFile(file);
  return parseYearCsv(text, file);
}
