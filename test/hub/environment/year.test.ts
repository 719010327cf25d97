import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateYear, yearCsvComments } from '../../../hub/environment/generate-year.js';
import { DEFAULT_YEAR_CSV, loadYearCsv } from '../../../hub/environment/load-year.js';
import { parseYearCsv, yearStep, yearToCsv } from '../../../hub/environment/year.js';
import { InputError } from '../../../hub/errors.js';

const SHIPPED = 'scenarios/data/uk-representative-year.csv';

function mean(values: Float64Array): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

function errorOf(action: () => unknown): InputError {
  try {
    action();
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error('expected an InputError');
}

const GOOD_HEADER = 'irradiance_w_per_m2,outdoor_temp_c,wholesale_gbp_per_mwh,carbon_g_per_kwh';
function dayCsv(rowFor: (slot: number) => string = () => '0,5,80,150'): string {
  return `${GOOD_HEADER}\n${Array.from({ length: 48 }, (_, slot) => rowFor(slot)).join('\n')}\n`;
}

describe('representative year', () => {
  it('ships a CSV byte-identical to what the CLI generator writes for seed 1', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'gridflex-year-')), 'year.csv');
    execFileSync('node', ['dist/hub/cli.js', 'data', 'year', '--out', out, '--seed', '1']);
    expect(readFileSync(out, 'utf8')).toBe(readFileSync(SHIPPED, 'utf8'));
    expect(DEFAULT_YEAR_CSV.endsWith(SHIPPED)).toBe(true);
  });

  it('is deterministic from its seed and differs between seeds', () => {
    const a = yearToCsv(generateYear({ seed: 5 }), yearCsvComments({ seed: 5 }));
    const b = yearToCsv(generateYear({ seed: 5 }), yearCsvComments({ seed: 5 }));
    const c = yearToCsv(generateYear({ seed: 6 }), yearCsvComments({ seed: 6 }));
    expect(a).toBe(b);
    expect(c).not.toBe(a);
  });

  it('reads back exactly the values the generator made', () => {
    const generated = generateYear({ seed: 1 });
    const loaded = loadYearCsv(SHIPPED);
    expect(loaded.stepCount).toBe(17520);
    expect(Array.from(loaded.wholesaleGbpPerKwh)).toEqual(Array.from(generated.wholesaleGbpPerKwh));
    expect(Array.from(loaded.irradianceWPerM2)).toEqual(Array.from(generated.irradianceWPerM2));
    expect(Array.from(loaded.outdoorTempC)).toEqual(Array.from(generated.outdoorTempC));
    expect(Array.from(loaded.carbonGPerKwh)).toEqual(Array.from(generated.carbonGPerKwh));
    expect(yearStep(loaded, 48 + 2)).toMatchObject({ step: 50, minuteOfYear: 1500 });
  });

  it('is UK-like: mean temperature, cold winter nights, solar total, price and carbon shape', () => {
    const year = generateYear({ seed: 1 });
    expect(mean(year.outdoorTempC)).toBeGreaterThan(9);
    expect(mean(year.outdoorTempC)).toBeLessThan(11);
    expect(year.outdoorTempC.filter((celsius) => celsius < 0).length).toBeGreaterThan(20);
    const ghiKwhPerM2 = (year.irradianceWPerM2.reduce((sum, w) => sum + w, 0) * 0.5) / 1000;
    expect(ghiKwhPerM2).toBeGreaterThan(900);
    expect(ghiKwhPerM2).toBeLessThan(1250);
    // No sun at midnight; some sun at noon in June.
    expect(year.irradianceWPerM2[170 * 48]).toBe(0);
    expect(year.irradianceWPerM2[170 * 48 + 24]).toBeGreaterThan(0);
    const priceGbpPerMwh = Array.from(year.wholesaleGbpPerKwh, (gbp) => gbp * 1000);
    const meanPrice = priceGbpPerMwh.reduce((sum, p) => sum + p, 0) / priceGbpPerMwh.length;
    expect(meanPrice).toBeGreaterThan(60);
    expect(meanPrice).toBeLessThan(120);
    const negativeSteps = priceGbpPerMwh.filter((p) => p < 0).length;
    expect(negativeSteps).toBeGreaterThan(0);
    expect(negativeSteps).toBeLessThan(0.06 * 17520);
    // Winter evening peak (17:00-19:00, January) above the January overnight price.
    const januaryAverage = (slots: number[]) => {
      let sum = 0;
      for (let day = 0; day < 31; day++)
        for (const slot of slots) sum += priceGbpPerMwh[day * 48 + slot] ?? 0;
      return sum / (31 * slots.length);
    };
    expect(januaryAverage([34, 35, 36, 37])).toBeGreaterThan(januaryAverage([4, 5, 6, 7]) + 15);
    expect(Math.min(...year.carbonGPerKwh)).toBeGreaterThanOrEqual(40);
    expect(Math.max(...year.carbonGPerKwh)).toBeLessThanOrEqual(400);
  });

  it('accepts a whole number of days with only the data columns', () => {
    const year = parseYearCsv(dayCsv(), 'user.csv');
    expect(year.stepCount).toBe(48);
    expect(year.wholesaleGbpPerKwh[0]).toBeCloseTo(0.08, 12);
  });

  it('rejects bad CSVs naming file, row and column', () => {
    expect(errorOf(() => parseYearCsv('a,b\n1,2\n', 'bad.csv')).message).toMatch(
      /bad\.csv: missing column "irradiance_w_per_m2"/,
    );
    expect(errorOf(() => parseYearCsv(`${GOOD_HEADER}\n0,5,80,150\n`, 'short.csv')).message).toMatch(
      /short\.csv: has 1 data rows; expected 17520/,
    );
    const notNumber = errorOf(() =>
      parseYearCsv(
        dayCsv((slot) => (slot === 3 ? '0,warm,80,150' : '0,5,80,150')),
        'n.csv',
      ),
    );
    expect(notNumber.message).toBe('n.csv row 5: column "outdoor_temp_c" must be a number, found "warm"');
    const outOfRange = errorOf(() =>
      parseYearCsv(
        dayCsv((slot) => (slot === 0 ? '0,5,80,-3' : '0,5,80,150')),
        'r.csv',
      ),
    );
    expect(outOfRange.message).toBe('r.csv row 2: column "carbon_g_per_kwh" is -3, outside 0..1500');
    expect(errorOf(() => loadYearCsv('/nonexistent/year.csv')).message).toMatch(/not found or not readable/);
  });

  it('the CLI reports a bad seed as bad input (exit 2)', () => {
    const result = spawnSync(
      'node',
      ['dist/hub/cli.js', 'data', 'year', '--out', '/tmp/never.csv', '--seed', 'x'],
      {
        encoding: 'utf8',
      },
    );
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('error: --seed: must be an integer, found "x"');
  });
});
