import { describe, expect, it } from 'vitest';
import { parseTariffCatalogue } from '../../../hub/market/catalogue.js';
import { evaluateSwitch } from '../../../hub/market/evaluate-switch.js';
import { GB_DEFAULT_RULES } from '../../../hub/market/regulator.js';
import { series } from './fixtures.js';

const catalogue = parseTariffCatalogue(
  {
    version: 1,
    suppliers: [{ id: 's', name: 'S' }],
    regulator: GB_DEFAULT_RULES,
    tariffs: [
      {
        id: 'flat-cap',
        name: 'cap',
        supplierId: 's',
        import: { shape: 'flat', unitRatePencePerKwh: 26.11 },
        standingChargePencePerDay: 57.19,
      },
      {
        id: 'fixed',
        name: 'fixed',
        supplierId: 's',
        import: { shape: 'flat', unitRatePencePerKwh: 25 },
        standingChargePencePerDay: 57.19,
        contractMonths: 12,
        exitFeeGbp: 50,
      },
      {
        id: 'ev-tou',
        name: 'ev',
        supplierId: 's',
        requires: ['ev'],
        import: {
          shape: 'time-of-use',
          bands: [
            { from: '00:30', to: '05:30', unitRatePencePerKwh: 8.5 },
            { from: '16:00', to: '19:00', unitRatePencePerKwh: 34 },
          ],
          otherTimesPencePerKwh: 27,
        },
        standingChargePencePerDay: 59,
      },
    ],
  },
  'test catalogue',
);
const byId = (id: string) => {
  const tariff = catalogue.tariffs.find((t) => t.id === id);
  if (!tariff) throw new Error(`no tariff ${id} in the catalogue`);
  return tariff;
};

// One day: 0.25 kWh every half hour plus a 7 kW EV charge 01:00-05:00 (3.5 kWh per step, steps 2..9).
const evDay = series(48).map((step, index) => ({
  ...step,
  importKwh: 0.25 + (index >= 2 && index <= 9 ? 3.5 : 0),
}));
// Hand-computed: flat 40 kWh × 26.11 p + 57.19 p = £11.0159.
// EV tariff: 30.5 kWh × 8.5 p + 1.5 kWh × 34 p + 8 kWh × 27 p + 59 p = £5.8525.
const FLAT_GBP = 11.0159;
const EV_GBP = 5.8525;

describe('evaluateSwitch', () => {
  it('switches an EV home to the EV tariff with the saving in its explanation', () => {
    const result = evaluateSwitch(evDay, byId('flat-cap'), catalogue, GB_DEFAULT_RULES, {
      minSavingGbpPerYear: 30,
      assets: ['ev'],
    });
    expect(result.currentCostGbp).toBeCloseTo(FLAT_GBP, 10);
    expect(result.bestAlternativeCostGbp).toBeCloseTo(EV_GBP, 10);
    expect(result.switchTo?.id).toBe('ev-tou');
    expect(result.netSavingGbpPerYear).toBeCloseTo((FLAT_GBP - EV_GBP) * 365, 8);
    expect(result.ranked.map((entry) => entry.tariffId)).toEqual(['ev-tou', 'fixed', 'flat-cap']);
    expect(result.explanation).toBe(
      'Switch flat-cap -> ev-tou: on a 1.0-day forecast flat-cap costs £11.02 and ev-tou £5.85, about £1884.64/yr less, at or above the £30.00/yr threshold.',
    );
  });

  it('respects eligibility, fixed-term willingness and the saving threshold', () => {
    const noEv = evaluateSwitch(evDay, byId('flat-cap'), catalogue, GB_DEFAULT_RULES, {
      minSavingGbpPerYear: 30,
      assets: [],
    });
    // Only the fixed tariff is eligible: 40 kWh × 1.11 p less = £0.444/day = £162.06/yr.
    expect(noEv.switchTo?.id).toBe('fixed');
    expect(noEv.netSavingGbpPerYear).toBeCloseTo(0.444 * 365, 8);
    const noFixed = evaluateSwitch(evDay, byId('flat-cap'), catalogue, GB_DEFAULT_RULES, {
      minSavingGbpPerYear: 30,
      assets: [],
      acceptsFixedTerm: false,
    });
    expect(noFixed.switchTo).toBeNull();
    expect(noFixed.explanation).toBe(
      'Stay on flat-cap: no eligible alternative to compare on a 1.0-day forecast.',
    );
    const reluctant = evaluateSwitch(evDay, byId('flat-cap'), catalogue, GB_DEFAULT_RULES, {
      minSavingGbpPerYear: 200,
      assets: [],
    });
    expect(reluctant.switchTo).toBeNull();
    expect(reluctant.bestAlternative?.id).toBe('fixed');
    expect(reluctant.explanation).toMatch(
      /^Stay on flat-cap: .*about £162\.06\/yr less, below the £200\.00\/yr threshold\.$/,
    );
  });

  it('subtracts the exit fee when leaving a fixed term early', () => {
    const result = evaluateSwitch(
      evDay,
      byId('fixed'),
      catalogue,
      GB_DEFAULT_RULES,
      { minSavingGbpPerYear: 0, assets: ['ev'] },
      { startMinuteOfYear: 7 * 1440, contractStartMinute: 0 },
    );
    expect(result.exitFeeGbp).toBe(50);
    const gross = (40 * 0.25 + 0.5719 - EV_GBP) * 365;
    expect(result.netSavingGbpPerYear).toBeCloseTo(gross - 50, 8);
    expect(result.explanation).toContain('before a £50.00 exit fee');
  });
});
