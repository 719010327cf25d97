import { describe, expect, it } from 'vitest';
import { tariffViolations } from '../../../hub/market/regulator.js';
import { rates } from '../../../hub/market/tariff.js';
import { tariffProblems } from '../../../hub/market/tariff-problems.js';
import { coreTariffFromWire, tariffRulesFromWire, wireGbp } from '../../../hub/market/wire-tariff.js';
import { GB_LIVE_RULES } from '../../../hub/table/live-market.js';
import { SupplierTariffSchema } from '../../../protocol/gridflex.js';

const nightEv = SupplierTariffSchema.parse({
  tariffId: 'night-ev',
  kind: 'time-of-use',
  importPriceGbpPerKwh: 0.25,
  exportPriceGbpPerKwh: 0.1,
  standingChargeGbpPerDay: 0.5,
  bands: [
    { name: 'night', from: '23:30', to: '05:30', importPriceGbpPerKwh: 0.07 },
    { name: 'peak', from: '16:00', to: '19:00', importPriceGbpPerKwh: 0.26, exportPriceGbpPerKwh: 0.2 },
  ],
});

/** Hand-written: the band import price plus GB_LIVE_RULES' network charge (red 16–19, amber 07–16 and 19–23, else green). */
function expectedImportGbp(halfHour: number): number {
  const minute = halfHour * 30;
  const band = minute >= 1410 || minute < 330 ? 0.07 : minute >= 960 && minute < 1140 ? 0.26 : 0.25;
  const network =
    minute >= 960 && minute < 1140
      ? 0.095
      : (minute >= 420 && minute < 960) || (minute >= 1140 && minute < 1380)
        ? 0.018
        : 0.003;
  return band + network;
}

describe('wire tariffs through the core model', () => {
  it('prices every half-hour of a wire time-of-use tariff as the live table did (band + network, band export)', () => {
    const core = coreTariffFromWire('octo', nightEv, GB_LIVE_RULES);
    const series = rates(core, 0, 48, 30);
    for (let halfHour = 0; halfHour < 48; halfHour++) {
      expect(wireGbp(series.importGbpPerKwh[halfHour] ?? 0)).toBe(wireGbp(expectedImportGbp(halfHour)));
      const exportGbp = halfHour >= 32 && halfHour < 38 ? 0.2 : 0.1;
      expect(wireGbp(series.exportGbpPerKwh[halfHour] ?? 0)).toBe(exportGbp);
    }
    expect(core.standingChargePencePerDay).toBe(50);
    expect(core.import).toMatchObject({ otherTimesPencePerKwh: 25, bands: [{ unitRatePencePerKwh: 7 }, {}] });
  });

  it('converts the live rules to pence, and a rule broken is the same breach from both edges', () => {
    const rules = tariffRulesFromWire(GB_LIVE_RULES);
    expect(rules).toMatchObject({
      priceCap: { unitRatePencePerKwh: 26.11, standingChargePencePerDay: 57.19, appliesToShapes: ['flat'] },
      maxUnitRatePencePerKwh: 100,
      maxExitFeeGbp: 150,
    });
    const dear = SupplierTariffSchema.parse({
      ...nightEv,
      tariffId: 'dear',
      kind: 'flat',
      bands: undefined,
      importPriceGbpPerKwh: 0.45,
    });
    expect(tariffProblems(dear, GB_LIVE_RULES)).toEqual([
      "import price 45 p/kWh is above the regulator's cap 26.11 p/kWh",
    ]);
    expect(tariffViolations(coreTariffFromWire('octo', dear, GB_LIVE_RULES), rules)).toEqual([
      {
        tariffId: 'dear',
        rule: 'price-cap',
        message: 'unit rate 45 p/kWh is above the price cap 26.11 p/kWh',
      },
    ]);
  });
});
