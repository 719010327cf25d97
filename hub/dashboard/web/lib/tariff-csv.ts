import { type TariffBand, TariffBandSchema } from '../../../../protocol/gridflex.ts';

/** The columns a tariff bands CSV may have; the first three are required. */
export const TARIFF_CSV_COLUMNS = [
  'from',
  'to',
  'importPriceGbpPerKwh',
  'exportPriceGbpPerKwh',
  'name',
] as const;
const REQUIRED_COLUMNS = 3;
const MAX_BANDS = 48;
const MAX_FILE_BYTES = 64 * 1024;

export type TariffCsvResult = { bands: TariffBand[] } | { error: string };

/** Splits one CSV line into fields; `"…"` quotes a field that holds commas (`""` is a quote). */
function splitCsvLine(line: string): string[] | null {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const char = line[i];
    if (quoted) {
      if (char === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"' && field.trim() === '') quoted = true;
    else if (char === ',') {
      fields.push(field.trim());
      field = '';
    } else field += char;
  }
  if (quoted) return null;
  fields.push(field.trim());
  return fields;
}

/**
 * Reads time-of-use bands from CSV text (`from,to,importPriceGbpPerKwh[,exportPriceGbpPerKwh][,name]`, a header
 * line first, prices in £/kWh). Every problem names the file, the line and what was expected.
 */
export function parseTariffBandsCsv(text: string, fileName = 'the CSV file'): TariffCsvResult {
  if (text.length > MAX_FILE_BYTES) return { error: `${fileName}: larger than ${MAX_FILE_BYTES / 1024} KiB` };
  if (text.includes('\u0000')) return { error: `${fileName}: not a text file` };
  const lines = text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .map((line, index) => ({ line, number: index + 1 }))
    .filter(({ line }) => line.trim() !== '' && !line.trimStart().startsWith('#'));
  const header = lines.shift();
  if (!header)
    return { error: `${fileName}: empty; expected a header line "${TARIFF_CSV_COLUMNS.join(',')}"` };
  const columns = splitCsvLine(header.line) ?? [];
  const unknown = columns.filter((column) => !(TARIFF_CSV_COLUMNS as readonly string[]).includes(column));
  const missing = TARIFF_CSV_COLUMNS.slice(0, REQUIRED_COLUMNS).filter((column) => !columns.includes(column));
  if (unknown.length > 0 || missing.length > 0) {
    return {
      error:
        `${fileName} line ${header.number}: the header must name the columns ${TARIFF_CSV_COLUMNS.join(', ')} ` +
        `(the last two optional)` +
        (missing.length > 0 ? `; missing ${missing.join(', ')}` : '') +
        (unknown.length > 0 ? `; unknown ${unknown.map((column) => `"${column}"`).join(', ')}` : ''),
    };
  }
  if (lines.length === 0) return { error: `${fileName}: no bands after the header line` };
  if (lines.length > MAX_BANDS) return { error: `${fileName}: ${lines.length} bands; at most ${MAX_BANDS}` };
  const bands: TariffBand[] = [];
  for (const { line, number } of lines) {
    const where = `${fileName} line ${number}`;
    const fields = splitCsvLine(line);
    if (fields === null) return { error: `${where}: a quote is not closed` };
    if (fields.length !== columns.length) {
      return {
        error: `${where}: ${fields.length} fields, expected ${columns.length} (${columns.join(', ')})`,
      };
    }
    const row: Record<string, unknown> = {};
    for (const [index, column] of columns.entries()) {
      const value = fields[index] ?? '';
      if (column === 'from' || column === 'to' || column === 'name') {
        if (value !== '') row[column] = value;
      } else if (value !== '') {
        const price = Number(value);
        if (!Number.isFinite(price))
          return { error: `${where}: ${column} "${value}" is not a number (£/kWh, e.g. 0.075)` };
        row[column] = price;
      } else if (column === 'importPriceGbpPerKwh') {
        return { error: `${where}: importPriceGbpPerKwh is empty` };
      }
    }
    const parsed = TariffBandSchema.safeParse(row);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return { error: `${where}: ${issue?.path.join('.') || 'row'}: ${issue?.message ?? 'invalid'}` };
    }
    bands.push(parsed.data);
  }
  return { bands };
}
