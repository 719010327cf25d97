import { basename } from 'node:path';
import { InputError } from '../errors.js';
import { readInputFile } from '../read-file.js';

/** One data row of a CSV table, with where it came from for error messages. */
export interface CsvRow {
  /** 1-based line number in the file. */
  readonly line: number;
  readonly cells: Readonly<Record<string, string>>;
}

/** A parsed CSV table: header names (trimmed) and rows. */
export interface CsvTable {
  readonly file: string;
  readonly header: readonly string[];
  readonly rows: readonly CsvRow[];
}

/**
 * Reads a CSV file in the IEEE test-feeder style: `#` comment lines and blank lines are skipped,
 * the first remaining line is the header, cells are trimmed. No quoting (none of the formats use it).
 */
export function readCsvTable(file: string): CsvTable {
  const text = readInputFile(file);
  return parseCsvTable(text, file);
}

/** Parses CSV text; `file` is only used to name the source in errors. */
export function parseCsvTable(text: string, file: string): CsvTable {
  // Plain loops, no regex per line: a day's load profiles are 80 000 rows, the bulk of `gridflex powerflow`.
  // A `\r` before the `\n` goes with the trimming.
  const lines = text.split('\n');
  let header: string[] | undefined;
  const rows: CsvRow[] = [];
  for (let index = 0; index < lines.length; index++) {
    const raw = lines[index] ?? '';
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed[0] === '#' || (trimmed[0] === ',' && /^,*$/.test(trimmed))) continue;
    const cells = raw.split(',');
    for (let column = 0; column < cells.length; column++) cells[column] = (cells[column] ?? '').trim();
    if (!header) {
      header = cells;
      continue;
    }
    const record: Record<string, string> = {};
    for (let column = 0; column < header.length; column++) {
      record[header[column] as string] = cells[column] ?? '';
    }
    rows.push({ line: index + 1, cells: record });
  }
  if (!header) throw new InputError(file, 'no header line (the file is empty or only comments)');
  return { file, header, rows };
}

/** Throws unless every named column is in the table's header (case-insensitive match returns the real name). */
export function requireColumns(table: CsvTable, names: readonly string[]): Record<string, string> {
  const byLower = new Map(table.header.map((name) => [name.toLowerCase(), name]));
  const resolved: Record<string, string> = {};
  for (const name of names) {
    const actual = byLower.get(name.toLowerCase());
    if (actual === undefined) {
      // The header is not quoted back: the file may be one the user may not read (an uploaded scenario's path).
      throw new InputError(
        table.file,
        `missing column "${name}" (expected the columns ${names.join(', ')}; the header has ${table.header.length})`,
      );
    }
    resolved[name] = actual;
  }
  return resolved;
}

/** `file row N` for error messages (the file's base name keeps messages short). */
export function whereRow(table: CsvTable, row: CsvRow): string {
  return `${basename(table.file)} row ${row.line}`;
}

/** A decimal number as the feeder files write them: `-1.5`, `.25`, `3e-4` (not `0x10`, `Infinity` or ``). */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** `text` as a number if it is written as a decimal, else NaN. */
export function parseDecimal(text: string): number {
  return DECIMAL.test(text) ? Number(text) : Number.NaN;
}

/** The cell as a finite number, or an InputError naming file, row and column. */
export function numberCell(table: CsvTable, row: CsvRow, column: string): number {
  const text = row.cells[column] ?? '';
  const value = parseDecimal(text);
  if (!Number.isFinite(value)) {
    throw new InputError(whereRow(table, row), `column "${column}" must be a number, found "${text}"`);
  }
  return value;
}

/** The cell as a non-empty string, or an InputError. */
export function textCell(table: CsvTable, row: CsvRow, column: string): string {
  const text = row.cells[column] ?? '';
  if (text === '') throw new InputError(whereRow(table, row), `column "${column}" is empty`);
  return text;
}
