import { inClockWindow } from '../../protocol/clock.js';
import type {
  FeedEventKind,
  MarketPrices,
  MarketTariffs,
  RegulatorRules,
  RegulatorRulesInForce,
  SupplierTariff,
  TariffBand,
  TariffShape,
} from '../../protocol/gridflex.js';

const MINUTES_PER_DAY = 1440;
const MINUTE_MS = 60_000;

/**
 * GB defaults: the Ofgem cap (Jul–Sep 2026) and DUoS-style red/amber/green network charges as in
 * scenarios/data/tariffs-gb.yaml (every day here). The switching lag is workshop-scale (one simulated hour
 * instead of five working days) so a switch happens while people watch.
 */
export const GB_LIVE_RULES: RegulatorRulesInForce = {
  priceCapGbpPerKwh: 0.2611,
  priceCapAppliesTo: ['flat'],
  standingChargeCapGbpPerDay: 0.5719,
  maxUnitRateGbpPerKwh: 1,
  allowedTariffShapes: ['flat', 'time-of-use', 'dynamic'],
  switchingLagMinutes: 60,
  maxExitFeeGbp: 150,
  networkChargeBands: {
    redGbpPerKwh: 0.095,
    amberGbpPerKwh: 0.018,
    greenGbpPerKwh: 0.003,
    periods: [
      { band: 'red', from: '16:00', to: '19:00' },
      { band: 'amber', from: '07:00', to: '16:00' },
      { band: 'amber', from: '19:00', to: '23:00' },
    ],
  },
  randomisedStartDelayMinutes: 10,
};

/** What the street pays without a supplier's offer: the capped flat tariff with a typical export rate. */
const PRICE_CAP_TARIFF_ID = 'price-cap';
const DEFAULT_EXPORT_GBP_PER_KWH = 0.15;
/** A "typical day" for comparing tariffs: 10 kWh spread evenly (about a GB home with some heating). */
const TYPICAL_DAY_KWH = 10;

/** Something the room should hear about (the hub adds times and a sequence number). */
export interface MarketNews {
  kind: FeedEventKind;
  severity: 'info' | 'warning';
  message: string;
}

/** The outcome of a control message: accepted or not, the reason people read, and the news it makes. */
export interface MarketAnswer {
  accepted: boolean;
  reason: string;
  news: MarketNews[];
}

interface Offer {
  supplier: string;
  tariff: Omit<SupplierTariff, 'requestId' | 'withdraw'>;
  offeredAt: string;
}

/** A tariff the hub can price: an offer, or the price-cap default. */
interface PricedTariff {
  key: string;
  tariff: Omit<SupplierTariff, 'requestId' | 'withdraw'>;
}

function bandLabel(band: TariffBand): string {
  return band.name ?? `${band.from}-${band.to}`;
}

/** A number as people read it: at most 4 decimals, no trailing zeros. */
function plain(value: number): string {
  return String(Number(value.toFixed(4)));
}

/** A unit rate in pence per kWh, as GB tariffs are quoted and the dashboard shows them: 0.2611 → `26.11 p/kWh`. */
function pencePerKwh(gbpPerKwh: number): string {
  return `${Number((gbpPerKwh * 100).toFixed(2))} p/kWh`;
}

/** The band in force at a minute of day, if any. */
function bandAt(tariff: PricedTariff['tariff'], minute: number): TariffBand | undefined {
  return tariff.bands?.find((band) => inClockWindow(minute, band.from, band.to));
}

/**
 * Every rule a tariff offer breaks, in words people read (empty when it may be offered). Structure
 * (bands for time-of-use, no overlaps) is checked here too, so the supplier gets one clear answer.
 */
export function tariffProblems(tariff: SupplierTariff, rules: RegulatorRulesInForce): string[] {
  const problems: string[] = [];
  const shape: TariffShape = tariff.kind;
  if (!rules.allowedTariffShapes.includes(shape)) {
    problems.push(
      `tariff shape "${shape}" is not allowed by the regulator (allowed: ${rules.allowedTariffShapes.join(', ')})`,
    );
  }
  if (shape === 'dynamic') {
    problems.push(
      'the live table has no wholesale price feed, so it cannot run a dynamic tariff: offer flat or time-of-use bands',
    );
  }
  const bands = tariff.bands ?? [];
  if (shape === 'flat' && bands.length > 0) {
    problems.push('a flat tariff has no bands: send kind "time-of-use" to offer bands');
  }
  if (shape === 'time-of-use' && bands.length === 0) {
    problems.push('a time-of-use tariff needs at least one band (from, to, importPriceGbpPerKwh)');
  }
  for (const band of bands) {
    if (band.from === band.to) {
      problems.push(`band ${bandLabel(band)} covers the whole day (from = to): use a flat tariff instead`);
    }
  }
  const overlap = firstOverlap(bands);
  if (overlap) problems.push(overlap);

  const variable = (tariff.contractMonths ?? 0) === 0;
  const rates: { label: string; gbp: number }[] = [
    { label: bands.length > 0 ? 'outside the bands' : '', gbp: tariff.importPriceGbpPerKwh },
    ...bands.map((band) => ({ label: `in band ${bandLabel(band)}`, gbp: band.importPriceGbpPerKwh })),
  ];
  const highest = rates.reduce((top, rate) => (rate.gbp > top.gbp ? rate : top));
  const where = highest.label ? ` ${highest.label}` : '';
  if (variable && rules.priceCapAppliesTo.includes(shape) && highest.gbp > rules.priceCapGbpPerKwh) {
    problems.push(
      `import price ${pencePerKwh(highest.gbp)}${where} is above the regulator's cap ${pencePerKwh(rules.priceCapGbpPerKwh)}`,
    );
  } else if (highest.gbp > rules.maxUnitRateGbpPerKwh) {
    problems.push(
      `import price ${pencePerKwh(highest.gbp)}${where} is above the regulator's maximum unit rate ${pencePerKwh(rules.maxUnitRateGbpPerKwh)}`,
    );
  }
  if (variable && tariff.standingChargeGbpPerDay > rules.standingChargeCapGbpPerDay) {
    problems.push(
      `standing charge ${plain(tariff.standingChargeGbpPerDay)} £/day is above the regulator's cap ${plain(rules.standingChargeCapGbpPerDay)} £/day`,
    );
  }
  const exitFee = tariff.exitFeeGbp ?? 0;
  if (variable && exitFee > 0) {
    problems.push(
      `a variable tariff (contractMonths 0) may not charge an exit fee (this one charges £${plain(exitFee)})`,
    );
  } else if (exitFee > rules.maxExitFeeGbp) {
    problems.push(
      `exit fee £${plain(exitFee)} is above the regulator's maximum £${plain(rules.maxExitFeeGbp)}`,
    );
  }
  return problems;
}

function firstOverlap(bands: readonly TariffBand[]): string | undefined {
  for (let minute = 0; minute < MINUTES_PER_DAY; minute++) {
    const covering = bands.filter(
      (band) => band.from !== band.to && inClockWindow(minute, band.from, band.to),
    );
    if (covering.length > 1) {
      return `bands ${covering.map((band) => `${bandLabel(band)} (${band.from}-${band.to})`).join(' and ')} overlap`;
    }
  }
  return undefined;
}

/**
 * The live table's retail market: the regulator's rules in force, the suppliers' offers that pass them,
 * and the tariff every table home is on. The street moves to the cheapest offer for a typical day, after the
 * regulator's switching lag. Pure: the hub passes the simulated time in and publishes what comes out.
 */
export class LiveMarket {
  private rulesInForce: RegulatorRulesInForce = structuredClone(GB_LIVE_RULES);
  private readonly offers = new Map<string, Offer>();
  private inForce = PRICE_CAP_TARIFF_ID;
  private inForceSince: string | undefined;
  private pending: MarketTariffs['pending'] = null;

  get rules(): RegulatorRulesInForce {
    return this.rulesInForce;
  }

  /** The regulator changes some rules; offers that now break them are withdrawn. */
  setRules(update: RegulatorRules, by: string, at: Date, simTime: Date): MarketAnswer {
    const { requestId: _requestId, ...changes } = update;
    const changed = Object.keys(changes);
    if (changed.length === 0) return { accepted: false, reason: 'no rule given: nothing changed', news: [] };
    const next: RegulatorRulesInForce = {
      ...this.rulesInForce,
      ...changes,
      setBy: by,
      setAt: at.toISOString(),
    };
    const bands = next.networkChargeBands;
    const overlap = firstOverlap(
      bands.periods.map((period) => ({ ...period, name: period.band, importPriceGbpPerKwh: 0 })),
    );
    if (overlap) return { accepted: false, reason: `network charge periods: ${overlap}`, news: [] };
    this.rulesInForce = next;
    const news: MarketNews[] = [
      { kind: 'rules-changed', severity: 'info', message: `regulator changed ${changed.join(', ')}` },
    ];
    for (const [key, offer] of this.offers) {
      const problems = tariffProblems(offer.tariff, next);
      if (problems.length === 0) continue;
      this.offers.delete(key);
      news.push({
        kind: 'tariff-withdrawn',
        severity: 'warning',
        message: `tariff ${key} withdrawn: ${problems.join('; ')}`,
      });
    }
    news.push(...this.review(simTime));
    return { accepted: true, reason: `rules changed: ${changed.join(', ')}`, news };
  }

  /** A supplier offers (or withdraws) a tariff; refused with every broken rule spelled out. */
  offer(supplier: string, tariff: SupplierTariff, at: Date, simTime: Date): MarketAnswer {
    const key = `${supplier}/${tariff.tariffId}`;
    const { requestId: _requestId, withdraw, ...terms } = tariff;
    if (withdraw) {
      if (!this.offers.delete(key)) return { accepted: false, reason: `${key} is not on offer`, news: [] };
      const news: MarketNews[] = [
        { kind: 'tariff-withdrawn', severity: 'info', message: `${supplier} withdrew tariff ${key}` },
      ];
      news.push(...this.review(simTime));
      return { accepted: true, reason: `${key} withdrawn`, news };
    }
    const problems = tariffProblems(tariff, this.rulesInForce);
    if (problems.length > 0) {
      const reason = problems.join('; ');
      return {
        accepted: false,
        reason,
        news: [{ kind: 'tariff-refused', severity: 'warning', message: `tariff ${key} refused: ${reason}` }],
      };
    }
    this.offers.set(key, { supplier, tariff: terms, offeredAt: at.toISOString() });
    const typical = this.typicalDayGbp(terms);
    const news: MarketNews[] = [
      {
        kind: 'tariff-offered',
        severity: 'info',
        message: `${supplier} offers ${key} (${terms.kind}, typical day £${typical.toFixed(2)})`,
      },
    ];
    news.push(...this.review(simTime));
    return { accepted: true, reason: `${key} on offer (typical day £${typical.toFixed(2)})`, news };
  }

  /** Completes a switch whose lag is over. Call every step. */
  tick(simTime: Date): MarketNews[] {
    if (!this.pending || simTime.getTime() < Date.parse(this.pending.effectiveAt)) return [];
    const { tariff } = this.pending;
    this.pending = null;
    const from = this.inForce;
    this.inForce = tariff;
    this.inForceSince = simTime.toISOString();
    return [
      { kind: 'tariff-switched', severity: 'info', message: `the street switched from ${from} to ${tariff}` },
    ];
  }

  /** The `gridflex/v1/market/tariffs` payload. */
  tariffs(): MarketTariffs {
    return {
      inForce: this.inForce,
      ...(this.inForceSince ? { inForceSince: this.inForceSince } : {}),
      pending: this.pending,
      offers: [...this.offers.values()].map((offer) => ({
        supplier: offer.supplier,
        tariff: offer.tariff,
        typicalDayGbp: Number(this.typicalDayGbp(offer.tariff).toFixed(4)),
        offeredAt: offer.offeredAt,
      })),
    };
  }

  /** The `gridflex/v1/market/prices` payload at a simulated time. */
  pricesAt(simTime: Date): MarketPrices {
    const { key, tariff } = this.current();
    const minute = minuteOfDay(simTime);
    const band = bandAt(tariff, minute);
    const network = this.networkAt(minute);
    return {
      simTime: simTime.toISOString(),
      importPriceGbpPerKwh: round6((band?.importPriceGbpPerKwh ?? tariff.importPriceGbpPerKwh) + network.gbp),
      exportPriceGbpPerKwh: band?.exportPriceGbpPerKwh ?? tariff.exportPriceGbpPerKwh,
      standingChargeGbpPerDay: tariff.standingChargeGbpPerDay,
      source: key,
      ...(band ? { band: bandLabel(band) } : {}),
      networkBand: network.band,
      networkChargeGbpPerKwh: network.gbp,
    };
  }

  /**
   * Import and export prices for `count` steps of `stepMinutes` from `start`, for the agents' forecasts:
   * the tariff in force, and the pending one from its switch time on.
   */
  priceSeries(
    start: Date,
    stepMinutes: number,
    count: number,
  ): { importGbp: Float64Array; exportGbp: Float64Array } {
    const importGbp = new Float64Array(count);
    const exportGbp = new Float64Array(count);
    const pending = this.pending;
    const pendingTariff = pending ? this.tariffByKey(pending.tariff) : undefined;
    const switchMs = pending ? Date.parse(pending.effectiveAt) : Number.POSITIVE_INFINITY;
    const current = this.current().tariff;
    for (let t = 0; t < count; t++) {
      const time = start.getTime() + t * stepMinutes * MINUTE_MS;
      const tariff = pendingTariff && time >= switchMs ? pendingTariff : current;
      const minute = minuteOfDay(new Date(time));
      const band = bandAt(tariff, minute);
      importGbp[t] = (band?.importPriceGbpPerKwh ?? tariff.importPriceGbpPerKwh) + this.networkAt(minute).gbp;
      exportGbp[t] = band?.exportPriceGbpPerKwh ?? tariff.exportPriceGbpPerKwh;
    }
    return { importGbp, exportGbp };
  }

  /** Agrees a switch to the cheapest tariff for a typical day, if it is not the one in force already. */
  private review(simTime: Date): MarketNews[] {
    const candidates: PricedTariff[] = [
      this.priceCapTariff(),
      ...[...this.offers].map(([key, offer]) => ({ key, tariff: offer.tariff })),
    ];
    const costs = candidates.map((candidate) => ({
      ...candidate,
      gbp: this.typicalDayGbp(candidate.tariff),
    }));
    const best = costs.reduce((low, entry) => (entry.gbp < low.gbp - 1e-9 ? entry : low));
    const inForce = costs.find((entry) => entry.key === this.inForce);
    const news: MarketNews[] = [];
    if (!inForce) {
      // The tariff in force was withdrawn: everyone falls back to the price cap at once.
      news.push({
        kind: 'tariff-switched',
        severity: 'warning',
        message: `tariff ${this.inForce} is no longer offered: the street is back on ${PRICE_CAP_TARIFF_ID}`,
      });
      this.inForce = PRICE_CAP_TARIFF_ID;
      this.inForceSince = simTime.toISOString();
    }
    const currentGbp = costs.find((entry) => entry.key === this.inForce)?.gbp ?? best.gbp;
    if (best.key === this.inForce) {
      this.pending = null;
      return news;
    }
    if (this.pending?.tariff === best.key) return news;
    const effectiveAt = new Date(simTime.getTime() + this.rulesInForce.switchingLagMinutes * MINUTE_MS);
    const reason = `typical day £${best.gbp.toFixed(2)} vs £${currentGbp.toFixed(2)} on ${this.inForce}`;
    this.pending = { tariff: best.key, effectiveAt: effectiveAt.toISOString(), reason };
    news.push({
      kind: 'tariff-switch-agreed',
      severity: 'info',
      message: `the street will switch to ${best.key} in ${this.rulesInForce.switchingLagMinutes} min (${reason})`,
    });
    news.push(...this.tick(simTime));
    return news;
  }

  private current(): PricedTariff {
    return { key: this.inForce, tariff: this.tariffByKey(this.inForce) ?? this.priceCapTariff().tariff };
  }

  private tariffByKey(key: string): PricedTariff['tariff'] | undefined {
    return key === PRICE_CAP_TARIFF_ID ? this.priceCapTariff().tariff : this.offers.get(key)?.tariff;
  }

  private priceCapTariff(): PricedTariff {
    return {
      key: PRICE_CAP_TARIFF_ID,
      tariff: {
        tariffId: PRICE_CAP_TARIFF_ID,
        name: 'Price cap (default)',
        kind: 'flat',
        importPriceGbpPerKwh: this.rulesInForce.priceCapGbpPerKwh,
        exportPriceGbpPerKwh: DEFAULT_EXPORT_GBP_PER_KWH,
        standingChargeGbpPerDay: this.rulesInForce.standingChargeCapGbpPerDay,
      },
    };
  }

  /** A typical day's bill (energy spread evenly, half-hourly) plus the standing charge, £. */
  private typicalDayGbp(tariff: PricedTariff['tariff']): number {
    const halfHours = MINUTES_PER_DAY / 30;
    let energyGbp = 0;
    for (let slot = 0; slot < halfHours; slot++) {
      const band = bandAt(tariff, slot * 30);
      energyGbp +=
        (band?.importPriceGbpPerKwh ?? tariff.importPriceGbpPerKwh) * (TYPICAL_DAY_KWH / halfHours);
    }
    return energyGbp + tariff.standingChargeGbpPerDay;
  }

  private networkAt(minute: number): { band: 'red' | 'amber' | 'green'; gbp: number } {
    const bands = this.rulesInForce.networkChargeBands;
    const band =
      bands.periods.find((period) => inClockWindow(minute, period.from, period.to))?.band ?? 'green';
    const gbp =
      band === 'red' ? bands.redGbpPerKwh : band === 'amber' ? bands.amberGbpPerKwh : bands.greenGbpPerKwh;
    return { band, gbp };
  }
}

function minuteOfDay(time: Date): number {
  return time.getUTCHours() * 60 + time.getUTCMinutes();
}

function round6(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}
