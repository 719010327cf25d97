import { describe, expect, it } from 'vitest';
import { tariffProblems } from '../../../hub/market/tariff-problems.js';
import type { RedTeamSwitching } from '../../../hub/redteam/red-team.js';
import { GB_LIVE_RULES, LiveMarket } from '../../../hub/table/live-market.js';
import { type SupplierTariff, SupplierTariffSchema } from '../../../protocol/gridflex.js';

const at = new Date('2026-11-25T09:00:00Z');
const evening = new Date('2026-01-15T18:00:00Z');

function tariff(fields: Partial<SupplierTariff>): SupplierTariff {
  return SupplierTariffSchema.parse({
    tariffId: 'offer',
    kind: 'flat',
    importPriceGbpPerKwh: 0.2,
    exportPriceGbpPerKwh: 0.1,
    standingChargeGbpPerDay: 0.5,
    ...fields,
  });
}

const nightEv = tariff({
  tariffId: 'night-ev',
  kind: 'time-of-use',
  importPriceGbpPerKwh: 0.25,
  bands: [
    { name: 'night', from: '00:30', to: '05:30', importPriceGbpPerKwh: 0.08 },
    { name: 'peak', from: '16:00', to: '19:00', importPriceGbpPerKwh: 0.26, exportPriceGbpPerKwh: 0.2 },
  ],
});

describe('tariff rules', () => {
  it('explains a price above the cap in pounds, as people read it', () => {
    expect(tariffProblems(tariff({ importPriceGbpPerKwh: 0.35 }), GB_LIVE_RULES)).toEqual([
      "import price 35 p/kWh is above the regulator's cap 26.11 p/kWh",
    ]);
  });

  it('lists every broken rule: standing charge, exit fee on a variable tariff, shape, band structure', () => {
    const rules = { ...GB_LIVE_RULES, allowedTariffShapes: ['flat' as const] };
    const problems = tariffProblems(
      tariff({
        kind: 'time-of-use',
        standingChargeGbpPerDay: 0.8,
        exitFeeGbp: 30,
        bands: [
          { name: 'night', from: '23:00', to: '06:00', importPriceGbpPerKwh: 0.1 },
          { name: 'early', from: '05:00', to: '07:00', importPriceGbpPerKwh: 0.15 },
        ],
      }),
      rules,
    );
    expect(problems).toEqual([
      'tariff shape "time-of-use" is not allowed by the regulator (allowed: flat)',
      'bands night (23:00-06:00) and early (05:00-07:00) overlap',
      "standing charge 0.8 £/day is above the regulator's cap 0.5719 £/day",
      'a variable tariff (contractMonths 0) may not charge an exit fee (this one charges £30)',
    ]);
  });

  it('caps time-of-use bands only by the maximum unit rate (the cap covers flat tariffs), naming the band', () => {
    expect(tariffProblems(nightEv, GB_LIVE_RULES)).toEqual([]);
    const dear = tariff({
      kind: 'time-of-use',
      bands: [{ name: 'peak', from: '16:00', to: '19:00', importPriceGbpPerKwh: 1.2 }],
    });
    expect(tariffProblems(dear, GB_LIVE_RULES)).toEqual([
      "import price 120 p/kWh in band peak is above the regulator's maximum unit rate 100 p/kWh",
    ]);
    expect(tariffProblems(tariff({ kind: 'time-of-use' }), GB_LIVE_RULES)).toEqual([
      'a time-of-use tariff needs at least one band (from, to, importPriceGbpPerKwh)',
    ]);
    expect(tariffProblems(tariff({ kind: 'dynamic' }), GB_LIVE_RULES)[0]).toMatch(/no wholesale price feed/);
    expect(tariffProblems(tariff({ contractMonths: 12, exitFeeGbp: 200 }), GB_LIVE_RULES)).toEqual([
      "exit fee £200 is above the regulator's maximum £150",
    ]);
  });
});

describe('LiveMarket', () => {
  it('refuses a tariff that breaks the rules and keeps the street on the price cap', () => {
    const market = new LiveMarket();
    const answer = market.offer('octo', tariff({ importPriceGbpPerKwh: 0.35 }), at, evening);
    expect(answer.accepted).toBe(false);
    expect(answer.reason).toBe("import price 35 p/kWh is above the regulator's cap 26.11 p/kWh");
    expect(answer.news.map((news) => news.kind)).toEqual(['tariff-refused']);
    expect(market.tariffs()).toEqual({ inForce: 'price-cap', pending: null, offers: [] });
  });

  it('switches the street to a cheaper offer after the switching lag, and prices follow its bands', () => {
    const market = new LiveMarket();
    const answer = market.offer('octo', nightEv, at, evening);
    expect(answer.accepted).toBe(true);
    expect(answer.news.map((news) => news.kind)).toEqual(['tariff-offered', 'tariff-switch-agreed']);
    // 10 kWh evenly (10/24 kWh an hour): 5 h at 0.08, 3 h at 0.26, 16 h at 0.25 = £2.1583, + £0.50 standing.
    expect(market.tariffs().offers[0]?.typicalDayGbp).toBeCloseTo(2.6583, 4);
    expect(market.tariffs().pending?.effectiveAt).toBe('2026-01-15T19:00:00.000Z');
    expect(market.tick(new Date('2026-01-15T18:54:00Z'))).toEqual([]);
    expect(market.tick(new Date('2026-01-15T19:00:00Z')).map((news) => news.kind)).toEqual([
      'tariff-switched',
    ]);
    expect(market.tariffs().inForce).toBe('octo/night-ev');

    const night = market.pricesAt(new Date('2026-01-16T01:00:00Z'));
    expect(night).toMatchObject({ source: 'octo/night-ev', band: 'night', networkBand: 'green' });
    expect(night.importPriceGbpPerKwh).toBeCloseTo(0.08 + 0.003, 9);
    const peak = market.pricesAt(new Date('2026-01-16T17:00:00Z'));
    expect(peak).toMatchObject({ band: 'peak', networkBand: 'red', exportPriceGbpPerKwh: 0.2 });
    expect(peak.importPriceGbpPerKwh).toBeCloseTo(0.26 + 0.095, 9);
    const series = market.priceSeries(new Date('2026-01-16T00:00:00Z'), 30, 48);
    expect(series.importGbp[2]).toBeCloseTo(0.083, 9);
    expect(series.importGbp[34]).toBeCloseTo(0.355, 9);
  });

  it('withdraws offers the regulator’s new rules forbid, putting the street back on the cap at once', () => {
    const market = new LiveMarket();
    market.setRules({ switchingLagMinutes: 0 }, 'regulator', at, evening);
    market.offer('octo', tariff({ importPriceGbpPerKwh: 0.22 }), at, evening);
    expect(market.tariffs().inForce).toBe('octo/offer');
    const answer = market.setRules({ priceCapGbpPerKwh: 0.2 }, 'regulator', at, evening);
    expect(answer.accepted).toBe(true);
    expect(answer.news.map((news) => news.kind)).toEqual([
      'rules-changed',
      'tariff-withdrawn',
      'tariff-switched',
    ]);
    expect(answer.news[1]?.message).toContain("import price 22 p/kWh is above the regulator's cap 20 p/kWh");
    expect(market.tariffs()).toMatchObject({ inForce: 'price-cap', offers: [] });
    expect(market.rules).toMatchObject({ priceCapGbpPerKwh: 0.2, setBy: 'regulator' });
    expect(market.pricesAt(evening).importPriceGbpPerKwh).toBeCloseTo(0.2 + 0.095, 9);
  });

  it('moves one home to the tariff its resident asks for after the lag; the rest follow the street', () => {
    const market = new LiveMarket();
    // Dearer than the cap on a typical day, so the street stays on the cap; cheap for a night charger.
    const nightOnly = tariff({
      tariffId: 'night-only',
      kind: 'time-of-use',
      importPriceGbpPerKwh: 0.4,
      bands: [{ name: 'night', from: '00:30', to: '05:30', importPriceGbpPerKwh: 0.05 }],
    });
    market.offer('octo', nightOnly, at, evening);
    expect(market.tariffs().pending).toBeNull();
    const answer = market.requestSwitch('home-3', 'octo/night-only', evening);
    expect(answer).toMatchObject({
      accepted: true,
      reason:
        "home-3 will switch from price-cap to octo/night-only in 60 min (the regulator's switching lag)",
    });
    expect(market.tariffs().homes?.['home-3']).toEqual({
      tariff: 'price-cap',
      pending: { tariff: 'octo/night-only', effectiveAt: '2026-01-15T19:00:00.000Z' },
    });
    // Its forecast already has the new tariff from the switch on; another home's has not.
    const ahead = (home: string) => market.priceSeries(evening, 30, 4, home).importGbp;
    expect(ahead('home-3')[1]).toBeCloseTo(0.2611 + 0.095, 9);
    // 19:00 is in the amber network band.
    expect(ahead('home-3')[2]).toBeCloseTo(0.4 + 0.018, 9);
    expect(ahead('home-4')[2]).toBeCloseTo(0.2611 + 0.018, 9);
    expect(market.tick(new Date('2026-01-15T19:00:00Z')).map((news) => news.message)).toEqual([
      'home-3 switched from price-cap to octo/night-only',
    ]);
    const later = new Date('2026-01-15T20:00:00Z');
    expect(market.pricesAt(later, 'home-3')).toMatchObject({ source: 'octo/night-only' });
    expect(market.pricesAt(later, 'home-4')).toMatchObject({ source: 'price-cap' });
    expect(market.requestSwitch('home-3', 'octo/night-only', later)).toMatchObject({
      accepted: false,
      reason: 'home-3 is already on octo/night-only',
    });
    expect(market.requestSwitch('home-3', 'edf/none', later)).toMatchObject({
      accepted: false,
      reason: 'edf/none is not on offer (on offer: price-cap, octo/night-only)',
    });
    // The offer withdrawn: the home is back on the street's tariff at once, and says so.
    const withdrawn = market.offer('octo', { ...nightOnly, withdraw: true }, at, later);
    expect(withdrawn.news.map((news) => news.message)).toContain(
      "home-3's tariff octo/night-only is no longer offered: home-3 is back on the street's tariff price-cap",
    );
    expect(market.tariffs().homes).toBeUndefined();
    expect(market.pricesAt(later, 'home-3')).toMatchObject({ source: 'price-cap' });
  });

  it('refuses rules with overlapping network charge periods, and an empty change', () => {
    const market = new LiveMarket();
    const overlapping = market.setRules(
      {
        networkChargeBands: {
          redGbpPerKwh: 0.1,
          amberGbpPerKwh: 0.02,
          greenGbpPerKwh: 0,
          periods: [
            { band: 'red', from: '16:00', to: '19:00' },
            { band: 'amber', from: '18:00', to: '22:00' },
          ],
        },
      },
      'regulator',
      at,
      evening,
    );
    expect(overlapping).toMatchObject({ accepted: false });
    expect(overlapping.reason).toMatch(
      /network charge periods: bands red \(16:00-19:00\) and amber \(18:00-22:00\) overlap/,
    );
    expect(market.setRules({}, 'regulator', at, evening)).toMatchObject({ accepted: false });
    expect(market.rules).toEqual(GB_LIVE_RULES);
  });
});

describe("LiveMarket's side for the operator's red team", () => {
  const nightOnly = tariff({
    tariffId: 'night-only',
    kind: 'time-of-use',
    importPriceGbpPerKwh: 0.4,
    bands: [{ name: 'night', from: '00:30', to: '05:30', importPriceGbpPerKwh: 0.05 }],
  });
  const streetHome = (id: string) => ({ spec: { id } }) as Parameters<RedTeamSwitching['tariffOf']>[0];
  const massSwitch = (market: LiveMarket, homes: readonly string[], at: Date) => {
    for (const home of homes) {
      market.redTeam.switching.request({
        homeId: home,
        fromTariffId: market.redTeam.switching.tariffOf(streetHome(home)),
        toTariffId: 'octo/night-only',
        requestMinute: at.getTime() / 60_000,
        reason: 'red team: mass switch',
      });
    }
  };

  it('queues its switches past the cap to the next day, in the same switching system as the residents', () => {
    const market = new LiveMarket();
    market.offer('octo', nightOnly, at, evening);
    expect(market.redTeam.tariffIds()).toEqual(['price-cap', 'octo/night-only']);
    market.redTeam.setSwitchingCap(1);
    massSwitch(market, ['home-1', 'home-2'], evening);
    market.tick(evening);
    expect(market.tariffs().homes).toEqual({
      'home-1': {
        tariff: 'price-cap',
        pending: { tariff: 'octo/night-only', effectiveAt: '2026-01-15T19:00:00.000Z' },
      },
      'home-2': {
        tariff: 'price-cap',
        pending: { tariff: 'octo/night-only', effectiveAt: '2026-01-16T01:00:00.000Z' },
      },
    });
    // A resident asking now waits behind the cap too.
    expect(market.requestSwitch('home-3', 'octo/night-only', evening).reason).toBe(
      "home-3 will switch from price-cap to octo/night-only when the switching system has capacity (today's is used up)",
    );
    expect(market.tick(new Date('2026-01-15T19:00:00Z')).map((news) => news.message)).toEqual([
      'home-1 switched from price-cap to octo/night-only',
    ]);
    market.tick(new Date('2026-01-16T00:00:00Z'));
    expect(market.tick(new Date('2026-01-16T01:00:00Z')).map((news) => news.message)).toEqual([
      'home-2 switched from price-cap to octo/night-only',
    ]);
    expect(market.switching.isPending('home-3')).toBe(true);
  });

  it('prices the homes it switched as before for the shadow runs, until it is off', () => {
    const market = new LiveMarket();
    market.offer('octo', nightOnly, at, evening);
    massSwitch(market, ['home-1'], evening);
    market.tick(evening);
    market.tick(new Date('2026-01-15T19:00:00Z'));
    const night = new Date('2026-01-16T01:00:00Z');
    expect(market.pricesAt(night, 'home-1').source).toBe('octo/night-only');
    expect(market.redTeam.honestPrices.pricesAt(night, 'home-1')).toEqual(market.pricesAt(night, 'home-2'));
    expect(market.redTeam.honestPrices.priceSeries(night, 30, 4, 'home-1')).toEqual(
      market.priceSeries(night, 30, 4, 'home-2'),
    );
    expect(market.redTeam.honestPrices.rules).toBe(market.rules);
    market.redTeam.forget();
    expect(market.redTeam.honestPrices.pricesAt(night, 'home-1')).toEqual(market.pricesAt(night, 'home-1'));
  });
});
