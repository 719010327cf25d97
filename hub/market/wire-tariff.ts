/**
 * The edge between the wire's tariffs and the core tariff model: a supplier's offer on
 * `gridflex/control/v1/…/tariff` (pounds, bands every day) and the regulator's rules in force become a core
 * `Tariff` (pence, ./tariff.ts) and core `TariffRules` (./regulator.ts), so the live table prices and checks
 * tariffs with the same code as a year run.
 *
 * The mapping:
 *   flat           → flat import and export
 *   time-of-use    → time-of-use import (bands, days 'all'; the offer's import price outside them) and the
 *                    same bands for export (a band's export price, else the offer's)
 *   dynamic        → the live table has no wholesale feed: a dynamic rate whose adder and cap are the offer's
 *                    import price (so the regulator's checks see that price), export flat
 *   network charge bands of the rules → pass-through `networkCharges` (days 'all'), added to import prices
 *
 * Pounds become pence at the wire's resolution (1e-10 £) so 0.07 £ is 7 p, not 7.000000000000001 p; `wireGbp`
 * takes pounds computed from pence back to the number the wire quoted.
 */
import type { RegulatorRulesInForce, SupplierTariff } from '../../protocol/gridflex.js';
import type { TariffRules } from './regulator.js';
import { type NetworkChargeSchedule, type RateSchedule, TARIFF_SHAPES, type Tariff } from './tariff.js';

/** A supplier's tariff terms as the wire carries them (without the control message's own fields). */
export type WireTariff = Omit<SupplierTariff, 'requestId' | 'withdraw'>;

/** Wire prices are exact to this fraction of a pound. */
const GBP_STEPS_PER_POUND = 1e10;

/** Pence from pounds, the nearest to the decimal value the wire quoted (0.2611 → 26.11). */
export function penceFromGbp(gbp: number): number {
  return Math.round(gbp * GBP_STEPS_PER_POUND) / (GBP_STEPS_PER_POUND / 100);
}

/** Pounds computed in pence (pence / 100), rounded to the wire's resolution: the number the wire would quote. */
export function wireGbp(gbp: number): number {
  return Math.round(gbp * GBP_STEPS_PER_POUND) / GBP_STEPS_PER_POUND;
}

/** The core tariff for a supplier's wire offer under the rules in force (their network charges pass through). */
export function coreTariffFromWire(
  supplierId: string,
  wire: WireTariff,
  rules: RegulatorRulesInForce,
): Tariff {
  return {
    id: wire.tariffId,
    name: wire.name ?? wire.tariffId,
    supplierId,
    category: 'standard',
    import: importSchedule(wire),
    standingChargePencePerDay: penceFromGbp(wire.standingChargeGbpPerDay),
    export: exportSchedule(wire),
    networkCharges: networkCharges(rules.networkChargeBands),
    exitFeeGbp: wire.exitFeeGbp ?? 0,
    contractMonths: wire.contractMonths ?? 0,
    requires: [],
  };
}

/**
 * The core rules a wire offer is checked against. The live rules cap the standing charge of every variable
 * tariff (`standingChargeCapGbpPerDay`), whichever shapes the unit-rate cap covers.
 */
export function tariffRulesFromWire(rules: RegulatorRulesInForce): TariffRules {
  return {
    priceCap: {
      unitRatePencePerKwh: penceFromGbp(rules.priceCapGbpPerKwh),
      standingChargePencePerDay: penceFromGbp(rules.standingChargeCapGbpPerDay),
      appliesToShapes: [...rules.priceCapAppliesTo],
      standingChargeAppliesToShapes: [...TARIFF_SHAPES],
    },
    maxUnitRatePencePerKwh: penceFromGbp(rules.maxUnitRateGbpPerKwh),
    allowedShapes: [...rules.allowedTariffShapes],
    maxExitFeeGbp: rules.maxExitFeeGbp,
  };
}

function importSchedule(wire: WireTariff): RateSchedule {
  const pence = penceFromGbp(wire.importPriceGbpPerKwh);
  switch (wire.kind) {
    case 'flat':
      return { shape: 'flat', unitRatePencePerKwh: pence };
    case 'time-of-use':
      return timeOfUse(wire, (band) => band.importPriceGbpPerKwh, pence);
    case 'dynamic':
      return {
        shape: 'dynamic',
        wholesaleMultiplier: 0,
        adderPencePerKwh: pence,
        peakPremiumPencePerKwh: 0,
        peakFrom: '16:00',
        peakTo: '19:00',
        peakDays: 'all',
        capPencePerKwh: pence,
      };
  }
}

function exportSchedule(wire: WireTariff): RateSchedule {
  const pence = penceFromGbp(wire.exportPriceGbpPerKwh);
  if (wire.kind !== 'time-of-use') return { shape: 'flat', unitRatePencePerKwh: pence };
  return timeOfUse(wire, (band) => band.exportPriceGbpPerKwh ?? wire.exportPriceGbpPerKwh, pence);
}

type WireBand = NonNullable<WireTariff['bands']>[number];

function timeOfUse(
  wire: WireTariff,
  bandGbpPerKwh: (band: WireBand) => number,
  otherTimesPencePerKwh: number,
): RateSchedule {
  return {
    shape: 'time-of-use',
    bands: (wire.bands ?? []).map((band) => ({
      ...(band.name === undefined ? {} : { name: band.name }),
      from: band.from,
      to: band.to,
      days: 'all' as const,
      unitRatePencePerKwh: penceFromGbp(bandGbpPerKwh(band)),
    })),
    otherTimesPencePerKwh,
  };
}

function networkCharges(bands: RegulatorRulesInForce['networkChargeBands']): NetworkChargeSchedule {
  return {
    name: 'regulator network charges',
    redPencePerKwh: penceFromGbp(bands.redGbpPerKwh),
    amberPencePerKwh: penceFromGbp(bands.amberGbpPerKwh),
    greenPencePerKwh: penceFromGbp(bands.greenGbpPerKwh),
    periods: bands.periods.map((period) => ({ ...period, days: 'all' as const })),
  };
}
