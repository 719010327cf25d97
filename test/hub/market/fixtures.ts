import { type BillStep, parseTariff, type Tariff } from '../../../hub/market/tariff.js';

/** A validated tariff from a partial definition (defaults: supplier s, standing 0). */
export function tariff(definition: Record<string, unknown>): Tariff {
  return parseTariff(
    { supplierId: 's', standingChargePencePerDay: 0, name: 'test', ...definition },
    'test tariff',
  );
}

/** `count` empty steps with a wholesale price, then `overrides` by index. */
export function series(
  count: number,
  overrides: Record<number, Partial<BillStep>> = {},
  wholesaleGbpPerKwh = 0.1,
): BillStep[] {
  return Array.from({ length: count }, (_, index) => ({
    importKwh: 0,
    exportKwh: 0,
    wholesaleGbpPerKwh,
    ...overrides[index],
  }));
}
