import { describe, expect, it } from 'vitest';
import { compareOnReadings, priceForecast, tariffsByKey } from '../../../hub/mcp/home-market.js';
import { GB_LIVE_RULES } from '../../../hub/table/live-market.js';
import type { MarketTariffs } from '../../../protocol/gridflex.js';

const NIGHT_EV: MarketTariffs['offers'][number] = {
  supplier: 'octo',
  tariff: {
    tariffId: 'night-ev',
    kind: 'time-of-use',
    importPriceGbpPerKwh: 0.25,
    exportPriceGbpPerKwh: 0.15,
    standingChargeGbpPerDay: 0.55,
    bands: [{ name: 'night', from: '00:30', to: '05:30', importPriceGbpPerKwh: 0.09 }],
  },
  typicalDayGbp: 2.31,
  offeredAt: '2026-01-15T09:00:00.000Z',
};

const TARIFFS: MarketTariffs = {
  inForce: 'price-cap',
  pending: { tariff: 'octo/night-ev', effectiveAt: '2026-01-16T00:00:00.000Z', reason: 'cheaper' },
  offers: [NIGHT_EV],
};

describe('priceForecast', () => {
  it('prices each half-hour on the tariff in force, and on the pending one from its switch', () => {
    const points = priceForecast(TARIFFS, GB_LIVE_RULES, new Date('2026-01-15T23:00:00Z'), 2, 'home-3');
    expect(points.map((point) => point.tariff)).toEqual([
      'price-cap',
      'price-cap',
      'octo/night-ev',
      'octo/night-ev',
    ]);
    // Green network band at night: 0.3 p/kWh on top of each unit rate.
    expect(points[0]?.importPriceGbpPerKwh).toBeCloseTo(0.2611 + 0.003, 6);
    expect(points[2]?.importPriceGbpPerKwh).toBeCloseTo(0.25 + 0.003, 6);
    expect(points[3]?.importPriceGbpPerKwh).toBeCloseTo(0.09 + 0.003, 6);
  });

  it('prices a home on its own tariff on that one, not the street’s', () => {
    const tariffs: MarketTariffs = {
      ...TARIFFS,
      homes: { 'home-4': { tariff: 'octo/night-ev', pending: null } },
    };
    const start = new Date('2026-01-15T23:00:00Z');
    const own = priceForecast(tariffs, GB_LIVE_RULES, start, 1, 'home-4');
    expect(own.map((point) => point.tariff)).toEqual(['octo/night-ev', 'octo/night-ev']);
    expect(own[0]?.importPriceGbpPerKwh).toBeCloseTo(0.25 + 0.003, 6);
    const street = priceForecast(tariffs, GB_LIVE_RULES, start, 1, 'home-3');
    expect(street.map((point) => point.tariff)).toEqual(['price-cap', 'price-cap']);
  });
});

describe('compareOnReadings', () => {
  it('costs every tariff on the home’s own readings, cheapest first, standing charge pro rata', () => {
    const readings = [
      { step: 1, simTime: '2026-01-16T01:00:00.000Z', netPKw: 4, assets: [] },
      { step: 2, simTime: '2026-01-16T01:30:00.000Z', netPKw: 4, assets: [] },
      { step: 3, simTime: '', netPKw: 100, assets: [] },
    ];
    const costs = compareOnReadings(tariffsByKey(TARIFFS, GB_LIVE_RULES), readings, 30);
    expect(costs.map((cost) => cost.tariff)).toEqual(['octo/night-ev', 'price-cap']);
    const night = costs[0];
    // 4 kWh at 9.3 p, and an hour of a 55 p/day standing charge.
    expect(night?.energyGbp).toBeCloseTo(4 * 0.093, 4);
    expect(night?.standingGbp).toBeCloseTo(0.55 / 24, 4);
    expect(night?.perDayGbp).toBeCloseTo((4 * 0.093 + 0.55 / 24) * 24, 2);
  });
});
