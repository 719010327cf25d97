/**
 * Time-of-use bands from a CSV file (what a supplier uploads in the dashboard's tariff editor):
 *
 *   from,to,importPriceGbpPerKwh,exportPriceGbpPerKwh,name
 *   00:30,05:30,0.09,,night
 *   16:00,19:00,0.32,0.20,peak
 *
 * The header names the columns (any order; `exportPriceGbpPerKwh` and `name` may be left out or empty).
 * Blank lines and lines starting with `#` are skipped. Each band is checked with the protocol's own schema,
 * so what parses here is what the hub accepts on the wire (the regulator's rules are the hub's to check).
 */
import { type TariffBand, TariffBandSchema } from './gridflex.js';

const REQUIRED = ['from', 'to', 'importPriceGbpPerKwh'] as const;
const KNOWN = new Set<string>([...REQUIRED, 'exportPriceGbpPerKwh', 'name']);
/** As many bands as the wire allows in one tariff. */
const MAX_BANDS = 48;

/** The bands, or the first problem with its line number. */
export type TariffCsvResult = { bands: TariffBand[] } | { error: string };

export function parseTariffBandsCsv(text: string): TariffCsvResult {
  const lines = text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .map((line, index) => ({ line: line.trim(), number: index + 1 }))
    .filter(({ line }) => line !== '' && !line.startsWith('#'));
  const header = lines.shift();
  if (!header)
    return { error: 'the file is empty: expected a header line "from,to,importPriceGbpPerKwh,..."' };
  const columns = header.line.split(',').map((cell) => cell.trim());
  for (const column of columns) {
    if (!KNOWN.has(column)) {
      return {
        error: `line ${header.number}: unknown column "${column}" (expected from, to, importPriceGbpPerKwh, exportPriceGbpPerKwh, name)`,
      };
    }
  }
  for (const column of REQUIRED) {
    if (!columns.includes(column))
      return { error: `line ${header.number}: the header has no "${column}" column` };
  }
  if (lines.length === 0) return { error: 'no bands: the file has a header but no band lines' };
  if (lines.length > MAX_BANDS) return { error: `${lines.length} bands: at most ${MAX_BANDS} are allowed` };
  const bands: TariffBand[] = [];
  for (const { line, number } of lines) {
    const cells = line.split(',').map((cell) => cell.trim());
    if (cells.length !== columns.length) {
      return { error: `line ${number}: ${cells.length} values for ${columns.length} columns` };
    }
    const raw: Record<string, unknown> = {};
    columns.forEach((column, index) => {
      const cell = cells[index] ?? '';
      if (cell === '') return;
      raw[column] = column.endsWith('GbpPerKwh') ? numberOrText(cell) : cell;
    });
    const parsed = TariffBandSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = issue?.path.join('.') || 'band';
      return { error: `line ${number}: ${field}: ${issue?.message ?? 'invalid'}` };
    }
    bands.push(parsed.data);
  }
  return { bands };
}

/** A price cell as a number, or left as text so the schema names what is wrong with it. */
function numberOrText(cell: string): number | string {
  const value = Number(cell);
  return cell !== '' && Number.isFinite(value) ? value : cell;
}
