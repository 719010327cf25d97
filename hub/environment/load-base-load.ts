/**
 * Reads a base-load library from the IEEE EU LV feeder's daily profiles (the I/O edge of ./base-load.ts).
 *
 * API:
 *   loadBaseLoadLibrary(dir = DEFAULT_BASE_LOAD_DIR) -> BaseLoadLibrary
 *     reads every Load_profile_<N>.csv (header time,mult; 1440 rows of kW), in N order; throws InputError
 *   DEFAULT_BASE_LOAD_DIR   feeders/ieee-eu-lv/csv/Load_Profiles in this repository
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputError } from '../errors.js';
import { numberCell, readCsvTable, requireColumns, whereRow } from '../feeder/csv.js';
import type { BaseLoadLibrary } from './base-load.js';
import { MINUTES_PER_DAY } from './calendar.js';

export const DEFAULT_BASE_LOAD_DIR = fileURLToPath(
  new URL(
    import.meta.url.includes('/dist/')
      ? '../../../feeders/ieee-eu-lv/csv/Load_Profiles'
      : '../../feeders/ieee-eu-lv/csv/Load_Profiles',
    import.meta.url,
  ),
);

const PROFILE_FILE = /^Load_profile_(\d+)\.csv$/i;

/** Loads every daily profile in the folder. */
export function loadBaseLoadLibrary(dir: string = DEFAULT_BASE_LOAD_DIR): BaseLoadLibrary {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    throw new InputError(dir, 'folder not found or not readable');
  }
  const files = names
    .map((name) => ({ name, number: Number(PROFILE_FILE.exec(name)?.[1]) }))
    .filter((file) => Number.isInteger(file.number))
    .sort((a, b) => a.number - b.number);
  if (files.length === 0) throw new InputError(dir, 'has no Load_profile_<N>.csv files');
  const profilesKw = files.map((file) => {
    const table = readCsvTable(join(dir, file.name));
    const { mult } = requireColumns(table, ['mult']);
    if (table.rows.length !== MINUTES_PER_DAY) {
      throw new InputError(table.file, `has ${table.rows.length} rows; expected 1440 (one per minute)`);
    }
    return Float64Array.from(table.rows, (row) => {
      const kw = numberCell(table, row, mult ?? 'mult');
      if (kw < 0)
        throw new InputError(whereRow(table, row), `column "mult" is ${kw}; a base load cannot be negative`);
      return kw;
    });
  });
  return { profilesKw, source: dir };
}
