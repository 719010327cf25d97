import type { MarketTariffs, RegulatorRulesInForce } from '../../protocol/gridflex.js';
import { rates, standingChargeGbpPerDay, type Tariff } from '../market/tariff.js';
import { coreTariffFromWire, wireGbp } from '../market/wire-tariff.js';
import { PRICE_CAP_TARIFF_ID, priceCapTerms } from '../table/live-market.js';
import { carbonKgPerKwh } from '../table/live-weather.js';
import type { MeterReading } from './resident-link.js';

const MINUTE_MS = 60_000;
/** Forecasts are half-hourly, as GB settlement periods. */
export const FORECAST_STEP_MINUTES = 30;

/** One half-hour of a forecast. */
export interface PricePoint {
  simTime: string;
  importPriceGbpPerKwh: number;
  exportPriceGbpPerKwh: number;
  tariff: string;
}

/** A tariff's cost on the home's own metered use. */
export interface TariffCost {
  tariff: string;
  name: string;
  energyGbp: number;
  exportCreditGbp: number;
  standingGbp: number;
  totalGbp: number;
  perDayGbp: number;
}

/** Every tariff a home can be on: the price cap and each supplier's offer, by key (`<supplier>/<tariffId>`). */
export function tariffsByKey(tariffs: MarketTariffs, rules: RegulatorRulesInForce): Map<string, Tariff> {
  const byKey = new Map<string, Tariff>([
    [PRICE_CAP_TARIFF_ID, coreTariffFromWire('regulator', priceCapTerms(rules), rules)],
  ]);
  for (const offer of tariffs.offers) {
    byKey.set(
      `${offer.supplier}/${offer.tariff.tariffId}`,
      coreTariffFromWire(offer.supplier, offer.tariff, rules),
    );
  }
  return byKey;
}

/** The tariff `home` is on and the switch it waits for: its resident's choice, else the street's. */
export function homeTariff(
  tariffs: MarketTariffs,
  home: string,
): { tariff: string; pending: { tariff: string; effectiveAt: string } | null } {
  return tariffs.homes?.[home] ?? { tariff: tariffs.inForce, pending: tariffs.pending };
}

/**
 * Half-hourly prices from `start` for `hours`: the tariff `home` is on, and the pending one from its switch
 * on.
 */
export function priceForecast(
  tariffs: MarketTariffs,
  rules: RegulatorRulesInForce,
  start: Date,
  hours: number,
  home: string,
): PricePoint[] {
  const byKey = tariffsByKey(tariffs, rules);
  const { tariff: inForce, pending } = homeTariff(tariffs, home);
  const points: PricePoint[] = [];
  for (let index = 0; index < (hours * 60) / FORECAST_STEP_MINUTES; index++) {
    const at = new Date(start.getTime() + index * FORECAST_STEP_MINUTES * MINUTE_MS);
    const switched = pending !== null && at.getTime() >= Date.parse(pending.effectiveAt);
    const key = switched ? pending.tariff : inForce;
    const tariff = byKey.get(key) ?? (byKey.get(PRICE_CAP_TARIFF_ID) as Tariff);
    const prices = rates(tariff, minuteOfDay(at), 1, FORECAST_STEP_MINUTES);
    points.push({
      simTime: at.toISOString(),
      importPriceGbpPerKwh: wireGbp(prices.importGbpPerKwh[0] ?? 0),
      exportPriceGbpPerKwh: wireGbp(prices.exportGbpPerKwh[0] ?? 0),
      tariff: key,
    });
  }
  return points;
}

/** Half-hourly grid carbon intensity from `start` for `hours` (the table's winter-day shape), kg/kWh. */
export function carbonForecast(start: Date, hours: number): { simTime: string; carbonKgPerKwh: number }[] {
  return Array.from({ length: (hours * 60) / FORECAST_STEP_MINUTES }, (_, index) => {
    const at = new Date(start.getTime() + index * FORECAST_STEP_MINUTES * MINUTE_MS);
    return { simTime: at.toISOString(), carbonKgPerKwh: carbonKgPerKwh(minuteOfDay(at)) };
  });
}

/**
 * What each tariff would have cost on the home's metered use (the meter board's reading where there is
 * one, else the model's net power), cheapest first, and per day for comparing.
 */
export function compareOnReadings(
  tariffs: Map<string, Tariff>,
  readings: readonly MeterReading[],
  stepMinutes: number,
): TariffCost[] {
  // A reading taken before the hub's clock was seen has no time of day to price it at.
  const timed = readings.filter((reading) => Number.isFinite(Date.parse(reading.simTime)));
  const days = (timed.length * stepMinutes) / 1440;
  const costs = [...tariffs].map(([key, tariff]) => {
    let energyGbp = 0;
    let exportCreditGbp = 0;
    for (const reading of timed) {
      const pKw = reading.meteredPKw ?? reading.netPKw;
      const prices = rates(tariff, minuteOfDay(new Date(reading.simTime)), 1, stepMinutes);
      const kwh = (pKw * stepMinutes) / 60;
      if (kwh > 0) energyGbp += kwh * (prices.importGbpPerKwh[0] ?? 0);
      else exportCreditGbp += -kwh * (prices.exportGbpPerKwh[0] ?? 0);
    }
    const standingGbp = standingChargeGbpPerDay(tariff) * days;
    const totalGbp = energyGbp + standingGbp - exportCreditGbp;
    return {
      tariff: key,
      name: tariff.name,
      energyGbp: round4(energyGbp),
      exportCreditGbp: round4(exportCreditGbp),
      standingGbp: round4(standingGbp),
      totalGbp: round4(totalGbp),
      perDayGbp: days > 0 ? round4(totalGbp / days) : 0,
    };
  });
  return costs.sort((a, b) => a.totalGbp - b.totalGbp);
}

function minuteOfDay(time: Date): number {
  return time.getUTCHours() * 60 + time.getUTCMinutes();
}

function round4(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}
