/**
 * The test supplier's night-only tariff: dearer than the price cap on a typical day (so the street stays on
 * the cap unless told to switch), cheap 00:30–05:30.
 */
export const NIGHT_ONLY_TARIFF = {
  tariffId: 'night-only',
  kind: 'time-of-use',
  importPriceGbpPerKwh: 0.4,
  exportPriceGbpPerKwh: 0.1,
  standingChargeGbpPerDay: 0.5,
  bands: [{ name: 'night', from: '00:30', to: '05:30', importPriceGbpPerKwh: 0.05 }],
} as const;
