import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { currentBudgetOf, parseBoardPinout } from '../../../protocol/board-pinout.js';

const BOARDS = 'hardware/boards';
const pinouts = readdirSync(BOARDS).filter((name) => name.endsWith('.pinout.yaml'));

/** RFC 4180 rows (quoted fields may hold commas and doubled quotes). */
function csvRows(text: string): string[][] {
  return text
    .trimEnd()
    .split('\n')
    .map((line) => [...line.matchAll(/("(?:[^"]|"")*"|[^,]*)(,|$)/g)].slice(0, -1).map((m) => m[1] ?? ''))
    .map((row) =>
      row.map((field) => (field.startsWith('"') ? field.slice(1, -1).replaceAll('""', '"') : field)),
    );
}

describe('bills of materials', () => {
  it.each(pinouts)('%s has a BOM with a row for every part it wires', (name) => {
    const board = name.replace('.pinout.yaml', '');
    const rows = csvRows(readFileSync(join(BOARDS, `${board}.bom.csv`), 'utf8'));
    expect(rows[0]).toEqual(['part', 'quantity', 'unit_price_gbp', 'notes']);
    for (const [part, quantity, price] of rows.slice(1)) {
      expect(part, `${board}.bom.csv`).toMatch(/\S/);
      expect(
        Number.isInteger(Number(quantity)) && Number(quantity) > 0,
        `${part}: quantity ${quantity}`,
      ).toBe(true);
      expect(price, `${part}: price`).toMatch(/^\d+\.\d\d$/);
    }
    const pinout = parse(readFileSync(join(BOARDS, name), 'utf8')) as { parts: { part: string }[] };
    for (const { part } of pinout.parts) {
      const model = part.split(' ')[0] ?? part;
      expect(
        rows.some(([bomPart]) => bomPart?.startsWith(model)),
        `${model} in ${board}.bom.csv`,
      ).toBe(true);
    }
  });
});

describe('safety notes', () => {
  it.each(pinouts)('hardware/SAFETY.md states the current budget of %s as the check computes it', (name) => {
    const parsed = parseBoardPinout(parse(readFileSync(join(BOARDS, name), 'utf8')));
    if (parsed.pinout === undefined) throw new Error(`${name} is not a valid pinout`);
    const budget = currentBudgetOf(parsed.pinout);
    const safety = readFileSync('hardware/SAFETY.md', 'utf8');
    expect(safety).toContain(`**${Math.round(budget.totalMa * 100) / 100} mA**`);
    expect(safety).toContain(`**${Math.round(budget.pinsMa * 100) / 100} mA**`);
  });
});
