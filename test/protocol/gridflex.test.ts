import { describe, expect, it } from 'vitest';
import {
  AssemblyBatteryRulesSchema,
  ClockControlSchema,
  controlTopics,
  gridflexTopics,
  RegulatorRulesSchema,
  SupplierTariffSchema,
} from '../../protocol/gridflex.js';
import { parseTariffBandsCsv } from '../../protocol/tariff-csv.js';

describe('gridflex protocol: the live dashboard’s topics and controls', () => {
  it('builds the new topics', () => {
    expect(gridflexTopics.homeDecision('home-3')).toBe('gridflex/v1/homes/home-3/decision');
    expect(gridflexTopics.audit()).toBe('gridflex/v1/audit');
    expect(gridflexTopics.eventsRecent()).toBe('gridflex/v1/events/recent');
    expect(controlTopics.clock()).toBe('gridflex/control/v1/clock');
    expect(controlTopics.assemblyBatteryRules()).toBe('gridflex/control/v1/assembly/battery-rules');
  });

  it('accepts each clock action with its own fields only', () => {
    expect(ClockControlSchema.parse({ action: 'speed', stepMs: 250, requestId: 'c-1' })).toEqual({
      action: 'speed',
      stepMs: 250,
      requestId: 'c-1',
    });
    expect(ClockControlSchema.safeParse({ action: 'jump', to: '2026-01-20T07:00:00Z' }).success).toBe(true);
    expect(ClockControlSchema.safeParse({ action: 'rewind' }).success).toBe(false);
    expect(ClockControlSchema.safeParse({ action: 'pause', stepMs: 10 }).success).toBe(false);
    expect(ClockControlSchema.safeParse({ action: 'speed', stepMs: 0 }).success).toBe(false);
    expect(ClockControlSchema.safeParse({ action: 'jump', to: 'next tuesday' }).success).toBe(false);
  });

  it('takes partial rule changes but no unknown fields', () => {
    expect(RegulatorRulesSchema.parse({ priceCapGbpPerKwh: 0.25 })).toEqual({ priceCapGbpPerKwh: 0.25 });
    expect(RegulatorRulesSchema.safeParse({ priceCap: 0.25 }).success).toBe(false);
    expect(RegulatorRulesSchema.safeParse({ allowedTariffShapes: [] }).success).toBe(false);
    expect(AssemblyBatteryRulesSchema.parse({ drawWindow: null })).toEqual({ drawWindow: null });
    expect(AssemblyBatteryRulesSchema.safeParse({ drawWindow: { from: '25:00', to: '20:00' } }).success).toBe(
      false,
    );
  });

  it('checks tariff bands’ clock times, and leaves the regulator’s rules to the hub', () => {
    const base = {
      tariffId: 'night-ev',
      kind: 'time-of-use',
      importPriceGbpPerKwh: 0.25,
      exportPriceGbpPerKwh: 0.15,
      standingChargeGbpPerDay: 0.55,
    };
    expect(
      SupplierTariffSchema.safeParse({
        ...base,
        bands: [{ from: '0:30', to: '05:30', importPriceGbpPerKwh: 0.1 }],
      }).success,
    ).toBe(false);
    // Above the price cap but well-formed: the hub refuses it with the reason, the broker lets it through.
    expect(
      SupplierTariffSchema.safeParse({ ...base, kind: 'flat', importPriceGbpPerKwh: 0.35 }).success,
    ).toBe(true);
  });
});

describe('parseTariffBandsCsv', () => {
  it('reads bands with optional columns in any order', () => {
    const csv = [
      '# night EV tariff',
      'name,from,to,importPriceGbpPerKwh,exportPriceGbpPerKwh',
      'night,00:30,05:30,0.09,',
      'peak,16:00,19:00,0.32,0.2',
      '',
    ].join('\r\n');
    expect(parseTariffBandsCsv(csv)).toEqual({
      bands: [
        { name: 'night', from: '00:30', to: '05:30', importPriceGbpPerKwh: 0.09 },
        { name: 'peak', from: '16:00', to: '19:00', importPriceGbpPerKwh: 0.32, exportPriceGbpPerKwh: 0.2 },
      ],
    });
  });

  it('names the line and the field of a malformed upload', () => {
    expect(parseTariffBandsCsv('')).toEqual({
      error: 'the file is empty: expected a header line "from,to,importPriceGbpPerKwh,..."',
    });
    expect(parseTariffBandsCsv('from,to,price\n00:30,05:30,0.1')).toEqual({
      error:
        'line 1: unknown column "price" (expected from, to, importPriceGbpPerKwh, exportPriceGbpPerKwh, name)',
    });
    expect(parseTariffBandsCsv('from,to,importPriceGbpPerKwh\n00:30,05:30,cheap')).toEqual({
      error: 'line 2: importPriceGbpPerKwh: Invalid input: expected number, received string',
    });
    expect(parseTariffBandsCsv('from,to,importPriceGbpPerKwh\n00:30,25:00,0.1')).toEqual({
      error: 'line 2: to: expected a clock time "HH:MM" (00:00..24:00)',
    });
    expect(parseTariffBandsCsv('from,to,importPriceGbpPerKwh\n00:30,05:30')).toEqual({
      error: 'line 2: 2 values for 3 columns',
    });
    expect(parseTariffBandsCsv('from,importPriceGbpPerKwh\n00:30,0.1')).toEqual({
      error: 'line 1: the header has no "to" column',
    });
  });
});
