import { describe, expect, it } from 'vitest';
import { InputError } from '../../../hub/errors.js';
import {
  billForSeries,
  exportPriceGbpPerKwh,
  importPriceGbpPerKwh,
  networkBandAt,
  parseTariff,
  standingChargeGbpPerDay,
} from '../../../hub/market/tariff.js';
import { series, tariff } from './fixtures.js';

const HALF_HOUR = 30;
const DAY = 1440;

describe('tariff pricing and bills (hand-computed)', () => {
  it('flat: energy × rate + standing × days − export × export rate', () => {
    const flat = tariff({
      id: 'flat',
      import: { shape: 'flat', unitRatePencePerKwh: 20 },
      standingChargePencePerDay: 50,
      export: { shape: 'flat', unitRatePencePerKwh: 5 },
    });
    const steps = series(48, { 10: { exportKwh: 1 } }).map((step) => ({ ...step, importKwh: 0.5 }));
    const bill = billForSeries(flat, steps, HALF_HOUR);
    expect(bill.energyGbp).toBeCloseTo(24 * 0.2, 12);
    expect(bill.standingGbp).toBeCloseTo(0.5, 12);
    expect(bill.exportCreditGbp).toBeCloseTo(0.05, 12);
    expect(bill.networkChargeGbp).toBe(0);
    expect(bill.totalGbp).toBeCloseTo(4.8 + 0.5 - 0.05, 12);
    expect(bill).toMatchObject({ importKwh: 24, exportKwh: 1, days: 1 });
    expect(standingChargeGbpPerDay(flat)).toBeCloseTo(0.5, 12);
  });

  it('standing charge is pro rata for part days and 1-minute steps', () => {
    const flat = tariff({
      id: 'flat',
      import: { shape: 'flat', unitRatePencePerKwh: 10 },
      standingChargePencePerDay: 60,
    });
    const bill = billForSeries(flat, series(360, { 0: { importKwh: 2 } }), 1);
    expect(bill.days).toBeCloseTo(0.25, 12);
    expect(bill.totalGbp).toBeCloseTo(0.2 + 0.15, 12);
  });

  it('time-of-use: the band in force at each step start', () => {
    const economy7 = tariff({
      id: 'e7',
      import: {
        shape: 'time-of-use',
        bands: [{ name: 'night', from: '00:30', to: '07:30', unitRatePencePerKwh: 10 }],
        otherTimesPencePerKwh: 30,
      },
      standingChargePencePerDay: 40,
    });
    // 00:00 other, 00:30 night, 07:00 night, 07:30 other.
    const steps = series(48, {
      0: { importKwh: 1 },
      1: { importKwh: 1 },
      14: { importKwh: 1 },
      15: { importKwh: 1 },
    });
    const bill = billForSeries(economy7, steps, HALF_HOUR);
    expect(bill.energyGbp).toBeCloseTo(0.3 + 0.1 + 0.1 + 0.3, 12);
    expect(bill.totalGbp).toBeCloseTo(0.8 + 0.4, 12);
  });

  it('time-of-use bands that wrap midnight belong to the day they start on', () => {
    const weekdayNights = tariff({
      id: 'nights',
      import: {
        shape: 'time-of-use',
        bands: [{ from: '23:00', to: '02:00', days: 'weekdays', unitRatePencePerKwh: 5 }],
        otherTimesPencePerKwh: 25,
      },
    });
    const friday = 4 * DAY;
    const saturday = 5 * DAY;
    const monday = 7 * DAY;
    expect(importPriceGbpPerKwh(weekdayNights, friday + 23 * 60 + 30, 0)).toBeCloseTo(0.05, 12);
    expect(importPriceGbpPerKwh(weekdayNights, saturday + 60, 0)).toBeCloseTo(0.05, 12);
    expect(importPriceGbpPerKwh(weekdayNights, saturday + 23 * 60 + 30, 0)).toBeCloseTo(0.25, 12);
    expect(importPriceGbpPerKwh(weekdayNights, monday + 60, 0)).toBeCloseTo(0.25, 12);
    expect(importPriceGbpPerKwh(weekdayNights, monday + 2 * 60, 0)).toBeCloseTo(0.25, 12);
  });

  it('dynamic: wholesale × multiplier + adder + 16:00-19:00 premium, capped; negative without a floor', () => {
    const dynamic = tariff({
      id: 'agile',
      import: {
        shape: 'dynamic',
        wholesaleMultiplier: 2,
        adderPencePerKwh: 1,
        peakPremiumPencePerKwh: 10,
        capPencePerKwh: 50,
      },
      standingChargePencePerDay: 30,
      export: { shape: 'dynamic', wholesaleMultiplier: 1, capPencePerKwh: 100, floorPencePerKwh: 0 },
    });
    expect(importPriceGbpPerKwh(dynamic, 12 * 60, 0.1)).toBeCloseTo(0.21, 12);
    expect(importPriceGbpPerKwh(dynamic, 16 * 60, 0.1)).toBeCloseTo(0.31, 12);
    expect(importPriceGbpPerKwh(dynamic, 19 * 60, 0.1)).toBeCloseTo(0.21, 12);
    expect(importPriceGbpPerKwh(dynamic, 17 * 60, 0.3)).toBeCloseTo(0.5, 12);
    expect(importPriceGbpPerKwh(dynamic, 3 * 60, -0.05)).toBeCloseTo(-0.09, 12);
    expect(exportPriceGbpPerKwh(dynamic, 3 * 60, -0.05)).toBe(0);
    expect(exportPriceGbpPerKwh(dynamic, 12 * 60, 0.08)).toBeCloseTo(0.08, 12);
    const steps = series(48, {
      6: { importKwh: 2, wholesaleGbpPerKwh: -0.05 }, // 03:00: -9 p
      24: { importKwh: 1, exportKwh: 3, wholesaleGbpPerKwh: 0.08 }, // 12:00: 17 p import, 8 p export
      34: { importKwh: 1, wholesaleGbpPerKwh: 0.3 }, // 17:00: capped at 50 p
    });
    const bill = billForSeries(dynamic, steps, HALF_HOUR);
    expect(bill.energyGbp).toBeCloseTo(-0.18 + 0.17 + 0.5, 12);
    expect(bill.exportCreditGbp).toBeCloseTo(0.24, 12);
    expect(bill.totalGbp).toBeCloseTo(0.49 + 0.3 - 0.24, 12);
  });

  it('network charges pass through by red/amber/green band on weekdays', () => {
    const networkCharges = {
      name: 'duos',
      redPencePerKwh: 10,
      amberPencePerKwh: 2,
      greenPencePerKwh: 0.5,
      periods: [
        { band: 'red', from: '16:00', to: '19:00', days: 'weekdays' },
        { band: 'amber', from: '07:00', to: '16:00', days: 'weekdays' },
      ],
    };
    const passThrough = tariff({
      id: 'duos',
      import: { shape: 'flat', unitRatePencePerKwh: 20 },
      standingChargePencePerDay: 50,
      networkCharges,
    });
    const charges = passThrough.networkCharges;
    if (!charges) throw new Error('the pass-through tariff has no network charges');
    expect(networkBandAt(charges, 17 * 60)).toBe('red');
    expect(networkBandAt(charges, 5 * DAY + 17 * 60)).toBe('green');
    const steps = series(48, { 34: { importKwh: 2 }, 20: { importKwh: 1 }, 2: { importKwh: 4 } });
    const monday = billForSeries(passThrough, steps, HALF_HOUR);
    expect(monday.networkChargeGbp).toBeCloseTo(0.2 + 0.02 + 0.02, 12);
    expect(monday.totalGbp).toBeCloseTo(7 * 0.2 + 0.5 + 0.24, 12);
    const saturday = billForSeries(passThrough, steps, HALF_HOUR, 5 * DAY);
    expect(saturday.networkChargeGbp).toBeCloseTo(7 * 0.005, 12);
  });

  it('rejects bad tariffs naming the path', () => {
    const bad = (definition: Record<string, unknown>) => () =>
      parseTariff(
        { id: 'x', name: 'x', supplierId: 's', standingChargePencePerDay: 1, ...definition },
        'cat.yaml tariffs.0',
      );
    expect(bad({ import: { shape: 'stepped', unitRatePencePerKwh: 1 } })).toThrow(InputError);
    expect(
      bad({
        import: {
          shape: 'time-of-use',
          bands: [{ from: '25:00', to: '07:00', unitRatePencePerKwh: 1 }],
          otherTimesPencePerKwh: 2,
        },
      }),
    ).toThrow(/cat\.yaml tariffs\.0: import\.bands\.0\.from: expected a clock time/);
    expect(
      bad({
        import: {
          shape: 'time-of-use',
          bands: [
            { name: 'a', from: '00:00', to: '07:00', unitRatePencePerKwh: 1 },
            { name: 'b', from: '06:00', to: '08:00', unitRatePencePerKwh: 1 },
          ],
          otherTimesPencePerKwh: 2,
        },
      }),
    ).toThrow(/import\.bands: bands a and b overlap/);
    expect(bad({ import: { shape: 'flat', unitRatePencePerKwh: 1 }, standingChargePencePerDay: -1 })).toThrow(
      /standingChargePencePerDay/,
    );
  });
});
