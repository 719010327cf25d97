import { describe, expect, it } from 'vitest';
import { rates } from '../../../hub/market/tariff.js';
import { tariff } from './fixtures.js';

describe('rates: a tariff’s price series', () => {
  it('adds pass-through network charges to import, prices export, and steps through the day (hand-computed)', () => {
    const ev = tariff({
      id: 'ev',
      import: {
        shape: 'time-of-use',
        bands: [{ from: '23:30', to: '05:30', unitRatePencePerKwh: 8 }],
        otherTimesPencePerKwh: 30,
      },
      export: { shape: 'flat', unitRatePencePerKwh: 15 },
      networkCharges: {
        name: 'duos',
        redPencePerKwh: 10,
        amberPencePerKwh: 2,
        greenPencePerKwh: 0,
        periods: [{ band: 'red', from: '16:00', to: '19:00', days: 'all' }],
      },
    });
    // From 23:00 on day 0 (a Monday), hourly: 00:00 is step 1, 05:00 step 6, 06:00 step 7, 16:00 step 17.
    const series = rates(ev, 23 * 60, 18, 60);
    expect(series.importGbpPerKwh[0]).toBeCloseTo(0.3, 12);
    expect(series.importGbpPerKwh[1]).toBeCloseTo(0.08, 12);
    expect(series.importGbpPerKwh[6]).toBeCloseTo(0.08, 12);
    expect(series.importGbpPerKwh[7]).toBeCloseTo(0.3, 12);
    expect(series.importGbpPerKwh[17]).toBeCloseTo(0.3 + 0.1, 12);
    expect([...series.exportGbpPerKwh].every((gbp) => Math.abs(gbp - 0.15) < 1e-12)).toBe(true);
  });

  it('feeds the wholesale price of each step to dynamic rates, and pays nothing without export terms', () => {
    const agile = tariff({
      id: 'agile',
      import: { shape: 'dynamic', wholesaleMultiplier: 2, adderPencePerKwh: 1, capPencePerKwh: 100 },
    });
    const series = rates(agile, 0, 3, 30, (step) => [0.05, 0.1, 0.6][step] ?? 0);
    // 2 × 5 + 1 = 11 p; 2 × 10 + 1 = 21 p; 2 × 60 + 1 = 121 p, capped at 100 p.
    expect([...series.importGbpPerKwh].map((gbp) => Number(gbp.toFixed(6)))).toEqual([0.11, 0.21, 1]);
    expect([...series.exportGbpPerKwh]).toEqual([0, 0, 0]);
    expect(rates(agile, 0, 1, 30).importGbpPerKwh[0]).toBeCloseTo(0.01, 12);
  });
});
