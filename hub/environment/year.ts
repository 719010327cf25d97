/**
 * The representative year: weather, wholesale price and grid carbon at 30-minute resolution.
 *
 * API (pure, no I/O; the file loader is `loadYearCsv(file)` in ./load-year.ts):
 *   interface RepresentativeYear { stepMinutes: 30; stepCount; irradianceWPerM2; outdoorTempC;
 *                                  wholesaleGbpPerKwh; carbonGPerKwh (Float64Arrays, one entry per step); source }
 *   interface YearStep { step; minuteOfYear; irradianceWPerM2; outdoorTempC; wholesaleGbpPerKwh; carbonGPerKwh }
 *   yearStep(year, step) -> YearStep            (step k starts at minute 30·k, see ./calendar.ts)
 *   parseYearCsv(text, file) -> RepresentativeYear   throws InputError naming file, row and column
 *   yearToCsv(year, commentLines?) -> string    the exact CSV text (the generator writes this)
 *   YEAR_CSV_COLUMNS                            the header, with units
 *
 * CSV format: optional `#` comment lines, then the header
 *   step,day,time,irradiance_w_per_m2,outdoor_temp_c,wholesale_gbp_per_mwh,carbon_g_per_kwh
 * and 17520 rows (or any whole number of days of 48 rows). `step`, `day` and `time` are for people
 * and optional in a user's file; the four data columns are required, numeric and range-checked.
 * Wholesale is in £/MWh in the file (as markets quote it) and £/kWh in memory.
 */

import { InputError } from '../errors.js';
import { parseCsvTable, requireColumns, whereRow } from '../feeder/csv.js';
import { clockTime, MINUTES_PER_DAY, STEP_MINUTES, STEPS_PER_DAY } from './calendar.js';

/** A year (or whole number of days) of half-hourly environment data. */
export interface RepresentativeYear {
  readonly stepMinutes: typeof STEP_MINUTES;
  /** Number of 30-minute steps (17520 for a full year; always a multiple of 48). */
  readonly stepCount: number;
  /** Global horizontal irradiance, W/m², mean over the step. */
  readonly irradianceWPerM2: Float64Array;
  /** Outdoor air temperature, °C. */
  readonly outdoorTempC: Float64Array;
  /** Day-ahead wholesale price, £/kWh (may be negative). */
  readonly wholesaleGbpPerKwh: Float64Array;
  /** Grid carbon intensity, gCO2/kWh. */
  readonly carbonGPerKwh: Float64Array;
  /** Where the data came from (file name or generator and seed). */
  readonly source: string;
}

/** One step of the year, unpacked. */
export interface YearStep {
  readonly step: number;
  readonly minuteOfYear: number;
  readonly irradianceWPerM2: number;
  readonly outdoorTempC: number;
  readonly wholesaleGbpPerKwh: number;
  readonly carbonGPerKwh: number;
}

/** The CSV header written by the generator (units in the names). */
export const YEAR_CSV_COLUMNS = [
  'step',
  'day',
  'time',
  'irradiance_w_per_m2',
  'outdoor_temp_c',
  'wholesale_gbp_per_mwh',
  'carbon_g_per_kwh',
] as const;

/** Plausible ranges; values outside are rejected as input errors (inclusive bounds). */
export const YEAR_VALUE_RANGES = {
  irradiance_w_per_m2: [0, 1500],
  outdoor_temp_c: [-40, 50],
  wholesale_gbp_per_mwh: [-1000, 10000],
  carbon_g_per_kwh: [0, 1500],
} as const;

type DataColumn = keyof typeof YEAR_VALUE_RANGES;
const DATA_COLUMNS = Object.keys(YEAR_VALUE_RANGES) as DataColumn[];

/** Step `step` of the year (throws RangeError outside 0..stepCount-1). */
export function yearStep(year: RepresentativeYear, step: number): YearStep {
  if (!Number.isInteger(step) || step < 0 || step >= year.stepCount) {
    throw new RangeError(`step ${step} is outside the year (0..${year.stepCount - 1})`);
  }
  return {
    step,
    minuteOfYear: step * STEP_MINUTES,
    irradianceWPerM2: year.irradianceWPerM2[step] ?? 0,
    outdoorTempC: year.outdoorTempC[step] ?? 0,
    wholesaleGbpPerKwh: year.wholesaleGbpPerKwh[step] ?? 0,
    carbonGPerKwh: year.carbonGPerKwh[step] ?? 0,
  };
}

/** Parses and validates year CSV text; `file` names the source in errors. */
export function parseYearCsv(text: string, file: string): RepresentativeYear {
  const table = parseCsvTable(text, file);
  const columns = requireColumns(table, DATA_COLUMNS);
  const stepCount = table.rows.length;
  if (stepCount === 0 || stepCount % STEPS_PER_DAY !== 0) {
    throw new InputError(
      file,
      `has ${stepCount} data rows; expected 17520 (a year of 30-minute steps) or a whole number of days of 48 rows`,
    );
  }
  const arrays: Record<DataColumn, Float64Array> = {
    irradiance_w_per_m2: new Float64Array(stepCount),
    outdoor_temp_c: new Float64Array(stepCount),
    wholesale_gbp_per_mwh: new Float64Array(stepCount),
    carbon_g_per_kwh: new Float64Array(stepCount),
  };
  table.rows.forEach((row, index) => {
    for (const column of DATA_COLUMNS) {
      const actual = columns[column] ?? column;
      const cell = row.cells[actual] ?? '';
      const value = cell === '' ? Number.NaN : Number(cell);
      if (!Number.isFinite(value)) {
        throw new InputError(whereRow(table, row), `column "${actual}" must be a number, found "${cell}"`);
      }
      const [min, max] = YEAR_VALUE_RANGES[column];
      if (value < min || value > max) {
        throw new InputError(whereRow(table, row), `column "${actual}" is ${value}, outside ${min}..${max}`);
      }
      arrays[column][index] = value;
    }
  });
  const wholesaleGbpPerKwh = arrays.wholesale_gbp_per_mwh.map((gbpPerMwh) => gbpPerMwh / 1000);
  return {
    stepMinutes: STEP_MINUTES,
    stepCount,
    irradianceWPerM2: arrays.irradiance_w_per_m2,
    outdoorTempC: arrays.outdoor_temp_c,
    wholesaleGbpPerKwh,
    carbonGPerKwh: arrays.carbon_g_per_kwh,
    source: file,
  };
}

/** Decimal places written per column; the generator rounds to these so a round trip is exact. */
export const YEAR_CSV_DECIMALS = {
  irradiance_w_per_m2: 1,
  outdoor_temp_c: 2,
  wholesale_gbp_per_mwh: 2,
  carbon_g_per_kwh: 1,
} as const;

/** The year as CSV text: comment lines (each prefixed `# `), header, one row per step, final newline. */
export function yearToCsv(year: RepresentativeYear, commentLines: readonly string[] = []): string {
  const lines: string[] = commentLines.map((line) => `# ${line}`);
  lines.push(YEAR_CSV_COLUMNS.join(','));
  for (let step = 0; step < year.stepCount; step++) {
    const minute = step * STEP_MINUTES;
    lines.push(
      [
        step,
        Math.floor(minute / MINUTES_PER_DAY) + 1,
        clockTime(minute % MINUTES_PER_DAY),
        (year.irradianceWPerM2[step] ?? 0).toFixed(YEAR_CSV_DECIMALS.irradiance_w_per_m2),
        (year.outdoorTempC[step] ?? 0).toFixed(YEAR_CSV_DECIMALS.outdoor_temp_c),
        ((year.wholesaleGbpPerKwh[step] ?? 0) * 1000).toFixed(YEAR_CSV_DECIMALS.wholesale_gbp_per_mwh),
        (year.carbonGPerKwh[step] ?? 0).toFixed(YEAR_CSV_DECIMALS.carbon_g_per_kwh),
      ].join(','),
    );
  }
  return `${lines.join('\n')}\n`;
}
