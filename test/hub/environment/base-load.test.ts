import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  createBaseLoadGenerator,
  minuteKwToStepKwh,
  seasonalFactor,
} from '../../../hub/environment/base-load.js';
import { loadBaseLoadLibrary } from '../../../hub/environment/load-base-load.js';

const library = loadBaseLoadLibrary();

function sum(values: Float64Array): number {
  return values.reduce((total, value) => total + value, 0);
}

describe('synthetic base load', () => {
  it('reads the 100 IEEE daily profiles', () => {
    expect(library.profilesKw).toHaveLength(100);
    expect(library.profilesKw.every((profile) => profile.length === 1440)).toBe(true);
    // Load_profile_1.csv starts 0.036 kW (the first data row).
    expect(library.profilesKw[0]?.[0]).toBe(0.036);
  });

  it('sums a year to the TDCV (2,700 kWh) per home, winter days above summer days', () => {
    const generator = createBaseLoadGenerator(library, { seed: 3 });
    let annualKwh = 0;
    for (let day = 0; day < 365; day++) annualKwh += sum(generator.dayKw('home-1', day)) / 60;
    expect(annualKwh).toBeCloseTo(2700, 6);
    const january = Array.from({ length: 31 }, (_, day) => generator.dayEnergyKwh('home-1', day));
    const july = Array.from({ length: 31 }, (_, day) => generator.dayEnergyKwh('home-1', 181 + day));
    const meanOf = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
    expect(meanOf(january) / meanOf(july)).toBeGreaterThan(1.3);
    const seasonalMean =
      Array.from({ length: 365 }, (_, day) => seasonalFactor(day)).reduce((a, b) => a + b) / 365;
    expect(seasonalMean).toBeCloseTo(1, 6);
  });

  it('is deterministic from the seed, independent of the order days are asked for, and varies between homes', () => {
    const a = createBaseLoadGenerator(library, { seed: 9 });
    const b = createBaseLoadGenerator(library, { seed: 9 });
    const c = createBaseLoadGenerator(library, { seed: 10 });
    const dayFortyFirst = Array.from(a.dayKw('home-2', 40));
    b.dayKw('home-2', 3);
    b.dayKw('home-7', 40);
    expect(Array.from(b.dayKw('home-2', 40))).toEqual(dayFortyFirst);
    expect(Array.from(c.dayKw('home-2', 40))).not.toEqual(dayFortyFirst);
    expect(Array.from(a.dayKw('home-3', 40))).not.toEqual(dayFortyFirst);
  });

  it('spreads household annual energy when asked, and resamples minutes to steps exactly', () => {
    const generator = createBaseLoadGenerator(library, { seed: 1, householdSpread: 0.3 });
    const annuals = Array.from({ length: 20 }, (_, home) => generator.annualKwh(`home-${home}`));
    expect(Math.min(...annuals)).toBeGreaterThanOrEqual(2700 * 0.7);
    expect(Math.max(...annuals)).toBeLessThanOrEqual(2700 * 1.3);
    expect(new Set(annuals).size).toBe(20);
    const minutes = generator.dayKw('home-1', 100);
    const halfHours = generator.dayStepKwh('home-1', 100);
    expect(halfHours).toHaveLength(48);
    expect(sum(halfHours)).toBeCloseTo(generator.dayEnergyKwh('home-1', 100), 9);
    expect(Array.from(minuteKwToStepKwh(new Float64Array([60, 60, 0, 120]), 2))).toEqual([2, 2]);
    expect(() => minuteKwToStepKwh(minutes, 7)).toThrow(RangeError);
  });

  it('rejects a bad profile folder naming file and row', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gridflex-profiles-'));
    expect(() => loadBaseLoadLibrary(dir)).toThrow(/has no Load_profile_<N>\.csv files/);
    const rows = Array.from({ length: 1440 }, (_, minute) => `m${minute},${minute === 9 ? 'x' : '0.1'}`);
    writeFileSync(join(dir, 'Load_profile_1.csv'), `time,mult\n${rows.join('\n')}\n`);
    expect(() => loadBaseLoadLibrary(dir)).toThrow(
      /Load_profile_1\.csv row 11: column "mult" must be a number, found "x"/,
    );
    writeFileSync(join(dir, 'Load_profile_1.csv'), 'time,mult\n00:01,0.1\n');
    expect(() => loadBaseLoadLibrary(dir)).toThrow(/has 1 rows; expected 1440/);
    expect(() => loadBaseLoadLibrary('/nonexistent')).toThrow(/folder not found/);
  });
});
