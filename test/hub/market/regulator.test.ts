import { describe, expect, it } from 'vitest';
import {
  exitFeeGbp,
  GB_DEFAULT_RULES,
  startDelaySeconds,
  startDelaySecondsFor,
  tariffViolations,
} from '../../../hub/market/regulator.js';
import { createRng } from '../../../hub/random.js';
import { tariff } from './fixtures.js';

const DAY = 1440;

describe('regulator rules', () => {
  it('accepts a tariff at the cap and rejects one above it (unit rate and standing charge)', () => {
    const atCap = tariff({
      id: 'cap',
      import: { shape: 'flat', unitRatePencePerKwh: 26.11 },
      standingChargePencePerDay: 57.19,
    });
    expect(tariffViolations(atCap, GB_DEFAULT_RULES)).toEqual([]);
    const above = tariff({
      id: 'dear',
      import: { shape: 'flat', unitRatePencePerKwh: 27 },
      standingChargePencePerDay: 60,
    });
    const violations = tariffViolations(above, GB_DEFAULT_RULES);
    expect(violations.map((v) => v.rule)).toEqual(['price-cap', 'price-cap']);
    expect(violations[0]?.message).toBe('unit rate 27 p/kWh is above the price cap 26.11 p/kWh');
    expect(violations[1]?.message).toBe('standing charge 60 p/day is above the price cap 57.19 p/day');
  });

  it('does not apply the cap to fixed terms or time-of-use, but caps every unit rate at the maximum', () => {
    const fixed = tariff({
      id: 'fixed',
      import: { shape: 'flat', unitRatePencePerKwh: 30 },
      contractMonths: 12,
    });
    expect(tariffViolations(fixed, GB_DEFAULT_RULES)).toEqual([]);
    const peaky = tariff({
      id: 'peaky',
      import: {
        shape: 'time-of-use',
        bands: [{ from: '16:00', to: '19:00', unitRatePencePerKwh: 120 }],
        otherTimesPencePerKwh: 20,
      },
    });
    expect(tariffViolations(peaky, GB_DEFAULT_RULES).map((v) => v.rule)).toEqual(['max-unit-rate']);
    const uncapped = tariff({
      id: 'agile',
      import: { shape: 'dynamic', wholesaleMultiplier: 2, capPencePerKwh: 150 },
    });
    expect(tariffViolations(uncapped, GB_DEFAULT_RULES)[0]?.message).toBe(
      'import unit rate can reach 150 p/kWh, above the maximum 100 p/kWh',
    );
  });

  it('rejects a disallowed shape and exit fees on variable tariffs or above the maximum', () => {
    const rules = { ...GB_DEFAULT_RULES, allowedShapes: ['flat' as const] };
    const dynamic = tariff({
      id: 'agile',
      import: { shape: 'dynamic', wholesaleMultiplier: 2, capPencePerKwh: 100 },
    });
    expect(tariffViolations(dynamic, rules)).toEqual([
      {
        tariffId: 'agile',
        rule: 'allowed-shape',
        message: 'import shape "dynamic" is not allowed (allowed: flat)',
      },
    ]);
    const variableWithFee = tariff({
      id: 'trap',
      import: { shape: 'flat', unitRatePencePerKwh: 20 },
      exitFeeGbp: 200,
    });
    expect(tariffViolations(variableWithFee, GB_DEFAULT_RULES).map((v) => v.rule)).toEqual([
      'exit-fee',
      'exit-fee',
    ]);
  });

  it('charges exit fees on fixed terms except in the final 49 days', () => {
    const fixed = tariff({
      id: 'fixed',
      import: { shape: 'flat', unitRatePencePerKwh: 20 },
      contractMonths: 12,
      exitFeeGbp: 50,
    });
    expect(exitFeeGbp(fixed, 0, 100 * DAY, GB_DEFAULT_RULES)).toBe(50);
    expect(exitFeeGbp(fixed, 0, 315 * DAY, GB_DEFAULT_RULES)).toBe(50);
    expect(exitFeeGbp(fixed, 0, 316 * DAY, GB_DEFAULT_RULES)).toBe(0);
    expect(exitFeeGbp(fixed, 10 * DAY, 320 * DAY, GB_DEFAULT_RULES)).toBe(50);
    const variable = tariff({ id: 'var', import: { shape: 'flat', unitRatePencePerKwh: 20 } });
    expect(exitFeeGbp(variable, 0, DAY, GB_DEFAULT_RULES)).toBe(0);
  });

  it('randomised start delays are within 0..600 s, spread out, and deterministic per seed and key', () => {
    const delays = Array.from({ length: 200 }, (_, home) =>
      startDelaySecondsFor(GB_DEFAULT_RULES, 42, `home-${home}/ev`),
    );
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...delays)).toBeLessThanOrEqual(600);
    expect(delays.every(Number.isInteger)).toBe(true);
    expect(new Set(delays).size).toBeGreaterThan(150);
    expect(Math.max(...delays) - Math.min(...delays)).toBeGreaterThan(500);
    const again = Array.from({ length: 200 }, (_, home) =>
      startDelaySecondsFor(GB_DEFAULT_RULES, 42, `home-${home}/ev`),
    );
    expect(again).toEqual(delays);
    expect(startDelaySeconds({ ...GB_DEFAULT_RULES, maxStartDelaySeconds: 0 }, createRng(1))).toBe(0);
  });
});
