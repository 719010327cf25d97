import type {
  FeedEventKind,
  MarketPrices,
  MarketTariffs,
  RegulatorRules,
  RegulatorRulesInForce,
  SupplierTariff,
} from '../../protocol/gridflex.js';
import {
  type SwitchingRules,
  SwitchingSystem,
  type SwitchLogEntry,
  type SwitchRequest,
} from '../market/switching.js';
import {
  billForSeries,
  networkBandAt,
  networkChargeGbpPerKwh,
  rates,
  standingChargeGbpPerDay,
  type Tariff,
  timeBandAt,
} from '../market/tariff.js';
import { bandLabel, firstOverlap, tariffProblems } from '../market/tariff-problems.js';
import { coreTariffFromWire, type WireTariff, wireGbp } from '../market/wire-tariff.js';
import type { RedTeamSwitching } from '../redteam/red-team.js';
import type { PriceSource } from './home-forecast.js';

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
  networkDataForAgents: 'street',
};

/** What the street pays without a supplier's offer: the capped flat tariff with a typical export rate. */
export const PRICE_CAP_TARIFF_ID = 'price-cap';
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
  tariff: WireTariff;
  offeredAt: string;
}

/**
 * A home whose resident (or their agent) chose a tariff for it, instead of following the street's: the tariff
 * it is on (none yet while its first switch waits in the switching system).
 */
interface HomeChoice {
  tariff?: string;
  since?: string;
}

/** The street's own switch (the tariff every home without a choice follows) in the switching system. */
const STREET = '(street)';
/**
 * The table's lag is minutes (GB_LIVE_RULES), so the regulator's working-day limit on it never bites and no
 * compensation is due.
 */
const LIVE_SWITCHING_RULES: SwitchingRules = {
  maxSwitchingLagWorkingDays: Number.POSITIVE_INFINITY,
  lateSwitchCompensationGbp: 0,
};

/** What the operator's red team reaches of the market (hub/table/live-red-team.ts). */
export interface MarketRedTeam {
  /** The market's switching as an attack asks for tariffs: its requests wait in the same system as the residents'. */
  readonly switching: RedTeamSwitching;
  /** The tariffs on offer (an attack's `tariff` names one). */
  tariffIds(): string[];
  /** Switches processed per day from now on (the switching-cap defence; Infinity: no cap). */
  setSwitchingCap(perDay: number): void;
  /** Prices as if the red team had switched no home's tariff: the shadow runs' (the baseline). */
  readonly honestPrices: PriceSource;
  /** The red team is off: the homes it switched stay switched, and every street sees them from now on. */
  forget(): void;
}

/**
 * The live table's retail market: the regulator's rules in force, the suppliers' offers that pass them,
 * and the tariff each table home is on. The street moves to the cheapest offer for a typical day, after the
 * regulator's switching lag; a home whose resident chose a tariff keeps that one instead. Pure: the hub passes the simulated time in and publishes what comes out.
 */
export class LiveMarket {
  private rulesInForce: RegulatorRulesInForce = structuredClone(GB_LIVE_RULES);
  private readonly offers = new Map<string, Offer>();
  private inForce = PRICE_CAP_TARIFF_ID;
  private inForceSince: string | undefined;
  private readonly homeChoices = new Map<string, HomeChoice>();
  /**
   * Every switch, the street's and the homes', goes through the year runs' switching system with the
   * regulator's lag in minutes; no cap unless the operator's red team sets one.
   */
  readonly switching = new SwitchingSystem(LIVE_SWITCHING_RULES, {
    capacityPerWorkingDay: Number.POSITIVE_INFINITY,
    lagMinutes: () => this.rulesInForce.switchingLagMinutes,
  });
  /** The simulated time of the last tick, for when a queued switch can take effect at the earliest. */
  private lastMinute = 0;
  /** Homes the red team asked to switch, with the tariff they had chosen before (undefined: the street's). */
  private readonly redTeamBefore = new Map<string, string | undefined>();
  readonly redTeam: MarketRedTeam = {
    switching: {
      tariffOf: (home) => this.tariffKeyOf(home.spec.id),
      isPending: (homeId) => this.switching.isPending(homeId),
      request: (request) => this.redTeamRequest(request),
    },
    tariffIds: () => [PRICE_CAP_TARIFF_ID, ...this.offers.keys()],
    setSwitchingCap: (perDay) => this.switching.setCapacityPerWorkingDay(perDay),
    honestPrices: priceSource(
      (start, stepMinutes, count, home) => this.seriesFor(start, stepMinutes, count, home, true),
      (simTime, home) => this.pricesFor(simTime, home, true),
      () => this.rulesInForce,
    ),
    forget: () => this.redTeamBefore.clear(),
  };
  /** Core tariffs by key, built once per offer and rules (the core caches its price tables per tariff). */
  private readonly coreTariffs = new Map<string, Tariff>();

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
    this.coreTariffs.clear();
    const news: MarketNews[] = [
      { kind: 'rules-changed', severity: 'info', message: `regulator changed ${changed.join(', ')}` },
    ];
    for (const [key, offer] of this.offers) {
      const problems = tariffProblems(offer.tariff, next);
      if (problems.length === 0) continue;
      this.offers.delete(key);
      this.coreTariffs.delete(key);
      news.push({
        kind: 'tariff-withdrawn',
        severity: 'warning',
        message: `tariff ${key} withdrawn: ${problems.join('; ')}`,
      });
      news.push(...this.releaseHomesFrom(key));
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
      this.coreTariffs.delete(key);
      const news: MarketNews[] = [
        { kind: 'tariff-withdrawn', severity: 'info', message: `${supplier} withdrew tariff ${key}` },
        ...this.releaseHomesFrom(key),
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
    this.coreTariffs.delete(key);
    const typical = this.typicalDayGbp(this.tariffOrCap(key));
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

  /**
   * A resident asks to move their home to a tariff on offer (`<supplier>/<tariffId>` or `price-cap`): agreed
   * now, in force after the regulator's switching lag; from then on the home keeps its own tariff instead of
   * following the street's.
   */
  requestSwitch(home: string, tariff: string, simTime: Date): MarketAnswer {
    if (!this.coreTariff(tariff)) {
      const onOffer = [PRICE_CAP_TARIFF_ID, ...this.offers.keys()].join(', ');
      return { accepted: false, reason: `${tariff} is not on offer (on offer: ${onOffer})`, news: [] };
    }
    const current = this.tariffKeyOf(home);
    const choice = this.homeChoices.get(home);
    if (this.switching.pendingSwitch(home)?.request.toTariffId === tariff) {
      return { accepted: false, reason: `${home} is already switching to ${tariff}`, news: [] };
    }
    if (current === tariff && choice?.tariff !== undefined) {
      return { accepted: false, reason: `${home} is already on ${tariff}`, news: [] };
    }
    // A new choice replaces the one waiting, the red team's too.
    this.switching.cancel(home);
    this.redTeamBefore.delete(home);
    this.homeChoices.set(home, choice ?? {});
    if (current === tariff) {
      // It follows the street, which is on that tariff: nothing to switch, it stays on it from now on.
      this.homeChoices.set(home, { tariff, since: simTime.toISOString() });
      return { accepted: true, reason: `${home} stays on ${tariff}`, news: [] };
    }
    return { accepted: true, ...this.agree(home, current, tariff, '', simTime) };
  }

  /**
   * Puts a switch into the switching system and processes it (capacity allowing): the words of the agreement,
   * then what the time `simTime` decided.
   */
  private agree(
    id: string,
    from: string,
    to: string,
    reason: string,
    simTime: Date,
  ): { reason: string; news: MarketNews[] } {
    this.switching.request({
      homeId: id,
      fromTariffId: from,
      toTariffId: to,
      requestMinute: minuteOf(simTime),
      reason,
    });
    const decided = this.tick(simTime);
    const queued = this.switching.pendingSwitch(id)?.effectiveMinute === null;
    const lagMinutes = this.rulesInForce.switchingLagMinutes;
    const when = queued
      ? "when the switching system has capacity (today's is used up)"
      : `in ${lagMinutes} min (the regulator's switching lag)`;
    const who = id === STREET ? 'the street' : id;
    const message =
      id === STREET
        ? `${who} will switch to ${to} ${when} (${reason})`
        : `${who} will switch from ${from} to ${to} ${when}`;
    return {
      reason: message,
      news: [{ kind: 'tariff-switch-agreed', severity: 'info', message }, ...decided],
    };
  }

  /** Runs the switching system to `simTime`: completes the switches whose lag is over. Call every step. */
  tick(simTime: Date): MarketNews[] {
    this.lastMinute = minuteOf(simTime);
    return this.switching.advanceTo(this.lastMinute).flatMap((entry) => this.decided(entry, simTime));
  }

  /** A switch the switching system decided: the street's or a home's tariff changes, or it failed. */
  private decided(entry: SwitchLogEntry, simTime: Date): MarketNews[] {
    const who = entry.homeId === STREET ? 'the street' : entry.homeId;
    if (entry.outcome !== 'completed' && entry.outcome !== 'completed-late') {
      return [
        {
          kind: 'tariff-switched',
          severity: 'warning',
          message: `${who}'s switch to ${entry.toTariffId} ${entry.reason.split(' | ').pop()}`,
        },
      ];
    }
    const from = entry.homeId === STREET ? this.inForce : this.tariffKeyOf(entry.homeId);
    if (entry.homeId === STREET) {
      this.inForce = entry.toTariffId;
      this.inForceSince = simTime.toISOString();
    } else {
      this.homeChoices.set(entry.homeId, { tariff: entry.toTariffId, since: simTime.toISOString() });
    }
    return [
      {
        kind: 'tariff-switched',
        severity: 'info',
        message: `${who} switched from ${from} to ${entry.toTariffId}`,
      },
    ];
  }

  /** The tariff `home` is on: its resident's choice, else the street's (the street's without a home). */
  tariffKeyOf(home?: string): string {
    return (home === undefined ? undefined : this.homeChoices.get(home)?.tariff) ?? this.inForce;
  }

  /** Homes on (or switching to) a tariff that is no longer offered go back to the street's tariff at once. */
  private releaseHomesFrom(key: string): MarketNews[] {
    const news: MarketNews[] = [];
    for (const [home, choice] of this.homeChoices) {
      if (choice.tariff !== key && this.switching.pendingSwitch(home)?.request.toTariffId !== key) continue;
      this.homeChoices.delete(home);
      this.switching.cancel(home);
      news.push({
        kind: 'tariff-switched',
        severity: 'warning',
        message: `${home}'s tariff ${key} is no longer offered: ${home} is back on the street's tariff ${this.inForce}`,
      });
    }
    return news;
  }

  /** A red-team request: in the switching system as a resident's, remembering the home's tariff before. */
  private redTeamRequest(request: SwitchRequest): void {
    const home = request.homeId;
    if (!this.coreTariff(request.toTariffId)) return;
    if (!this.redTeamBefore.has(home)) this.redTeamBefore.set(home, this.homeChoices.get(home)?.tariff);
    this.homeChoices.set(home, this.homeChoices.get(home) ?? {});
    this.switching.request(request);
  }

  /** The tariff `home` is on, or (honest) the one it would be on had the red team switched nothing. */
  private keyOf(home: string | undefined, honest: boolean): string {
    if (honest && home !== undefined && this.redTeamBefore.has(home))
      return this.redTeamBefore.get(home) ?? this.inForce;
    return this.tariffKeyOf(home);
  }

  /** The switch `home` waits for: its own, or the street's when it follows the street (honest: as `keyOf`). */
  private pendingOf(
    home: string | undefined,
    honest: boolean,
  ): { tariff: string; effectiveAt: string } | null {
    if (honest && home !== undefined && this.redTeamBefore.has(home))
      return this.redTeamBefore.get(home) === undefined ? this.pendingSwitchOf(STREET) : null;
    const own = home === undefined ? null : this.pendingSwitchOf(home);
    if (own) return own;
    const choice = home === undefined ? undefined : this.homeChoices.get(home);
    return choice?.tariff === undefined ? this.pendingSwitchOf(STREET) : null;
  }

  /**
   * A switch waiting in the switching system, with when it takes effect: a queued one (over the day's cap)
   * at the earliest, processed at the next day's start.
   */
  private pendingSwitchOf(id: string): { tariff: string; effectiveAt: string; reason: string } | null {
    const pending = this.switching.pendingSwitch(id);
    if (!pending) return null;
    const nextDayMinute = (Math.floor(this.lastMinute / MINUTES_PER_DAY) + 1) * MINUTES_PER_DAY;
    const effectiveMinute = pending.effectiveMinute ?? nextDayMinute + this.rulesInForce.switchingLagMinutes;
    return {
      tariff: pending.request.toTariffId,
      effectiveAt: new Date(Math.round(effectiveMinute * MINUTE_MS)).toISOString(),
      reason: pending.request.reason,
    };
  }

  /** The `gridflex/v1/market/tariffs` payload. */
  tariffs(): MarketTariffs {
    return {
      inForce: this.inForce,
      ...(this.inForceSince ? { inForceSince: this.inForceSince } : {}),
      pending: this.pendingSwitchOf(STREET),
      offers: [...this.offers].map(([key, offer]) => ({
        supplier: offer.supplier,
        tariff: offer.tariff,
        typicalDayGbp: Number(this.typicalDayGbp(this.tariffOrCap(key)).toFixed(4)),
        offeredAt: offer.offeredAt,
      })),
      ...(this.homeChoices.size > 0 ? { homes: this.homeTariffs() } : {}),
    };
  }

  private homeTariffs(): NonNullable<MarketTariffs['homes']> {
    const homes: NonNullable<MarketTariffs['homes']> = {};
    for (const [home, choice] of this.homeChoices) {
      const pending = this.pendingSwitchOf(home);
      homes[home] = {
        tariff: this.tariffKeyOf(home),
        ...(choice.since ? { since: choice.since } : {}),
        pending: pending && { tariff: pending.tariff, effectiveAt: pending.effectiveAt },
      };
    }
    return homes;
  }

  /** The `gridflex/v1/market/prices` payload at a simulated time: the street's, or `home`'s own tariff. */
  pricesAt(simTime: Date, home?: string): MarketPrices {
    return this.pricesFor(simTime, home, false);
  }

  private pricesFor(simTime: Date, home: string | undefined, honest: boolean): MarketPrices {
    const key = this.keyOf(home, honest);
    return marketPricesAt(this.tariffOrCap(key), key, simTime);
  }

  /**
   * Import and export prices for `count` steps of `stepMinutes` from `start`, for the agents' forecasts:
   * the tariff `home` is on (the street's without a home), and the pending one from its switch time on.
   */
  priceSeries(
    start: Date,
    stepMinutes: number,
    count: number,
    home?: string,
  ): { importGbp: Float64Array; exportGbp: Float64Array } {
    return this.seriesFor(start, stepMinutes, count, home, false);
  }

  private seriesFor(
    start: Date,
    stepMinutes: number,
    count: number,
    home: string | undefined,
    honest: boolean,
  ): { importGbp: Float64Array; exportGbp: Float64Array } {
    const from = minuteOfDay(start);
    const series = rates(this.tariffOrCap(this.keyOf(home, honest)), from, count, stepMinutes);
    const pending = this.pendingOf(home, honest);
    const pendingTariff = pending ? this.coreTariff(pending.tariff) : undefined;
    if (pending && pendingTariff) {
      const stepMs = stepMinutes * MINUTE_MS;
      const switchStep = Math.ceil((Date.parse(pending.effectiveAt) - start.getTime()) / stepMs);
      const first = Math.min(Math.max(switchStep, 0), count);
      const after = rates(pendingTariff, from + first * stepMinutes, count - first, stepMinutes);
      series.importGbpPerKwh.set(after.importGbpPerKwh, first);
      series.exportGbpPerKwh.set(after.exportGbpPerKwh, first);
    }
    return { importGbp: series.importGbpPerKwh.map(wireGbp), exportGbp: series.exportGbpPerKwh.map(wireGbp) };
  }

  /** Agrees a switch to the cheapest tariff for a typical day, if it is not the one in force already. */
  private review(simTime: Date): MarketNews[] {
    const costs = [PRICE_CAP_TARIFF_ID, ...this.offers.keys()].map((key) => ({
      key,
      gbp: this.typicalDayGbp(this.tariffOrCap(key)),
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
      this.switching.cancel(STREET);
      return news;
    }
    if (this.switching.pendingSwitch(STREET)?.request.toTariffId === best.key) return news;
    this.switching.cancel(STREET);
    const reason = `typical day £${best.gbp.toFixed(2)} vs £${currentGbp.toFixed(2)} on ${this.inForce}`;
    news.push(...this.agree(STREET, this.inForce, best.key, reason, simTime).news);
    return news;
  }

  /** The core tariff of `key` (by default the street's), or the price cap if it has gone. */
  private tariffOrCap(key = this.inForce): Tariff {
    return this.coreTariff(key) ?? this.priceCapTariff();
  }

  /** The core tariff of an offer or the price cap, under the rules in force (undefined: no such offer). */
  private coreTariff(key: string): Tariff | undefined {
    if (key === PRICE_CAP_TARIFF_ID) return this.priceCapTariff();
    const offer = this.offers.get(key);
    if (!offer) return undefined;
    return this.cached(key, () => coreTariffFromWire(offer.supplier, offer.tariff, this.rulesInForce));
  }

  /** The capped flat tariff with a typical export rate, what the street pays without a supplier's offer. */
  private priceCapTariff(): Tariff {
    const terms = priceCapTerms(this.rulesInForce);
    return this.cached(PRICE_CAP_TARIFF_ID, () => coreTariffFromWire('regulator', terms, this.rulesInForce));
  }

  private cached(key: string, build: () => Tariff): Tariff {
    let tariff = this.coreTariffs.get(key);
    if (!tariff) {
      tariff = build();
      this.coreTariffs.set(key, tariff);
    }
    return tariff;
  }

  /**
   * A typical day's bill (energy spread evenly, half-hourly) plus the standing charge, £. Network charges
   * are left out: every tariff on the table passes the same ones through.
   */
  private typicalDayGbp(tariff: Tariff): number {
    const halfHours = MINUTES_PER_DAY / 30;
    const steps = Array.from({ length: halfHours }, () => ({
      importKwh: TYPICAL_DAY_KWH / halfHours,
      exportKwh: 0,
      wholesaleGbpPerKwh: 0,
    }));
    const bill = billForSeries(tariff, steps, 30);
    return bill.energyGbp + bill.standingGbp;
  }
}

/** A price source of these functions; the rules are read when asked (the regulator may replace them). */
function priceSource(
  priceSeries: PriceSource['priceSeries'],
  pricesAt: PriceSource['pricesAt'],
  rules: () => RegulatorRulesInForce,
): PriceSource {
  return {
    priceSeries,
    pricesAt,
    get rules() {
      return rules();
    },
  };
}

/** The capped flat tariff with a typical export rate (`price-cap`), what the street pays without a supplier's offer. */
export function priceCapTerms(rules: RegulatorRulesInForce): WireTariff {
  return {
    tariffId: PRICE_CAP_TARIFF_ID,
    name: 'Price cap (default)',
    kind: 'flat',
    importPriceGbpPerKwh: rules.priceCapGbpPerKwh,
    exportPriceGbpPerKwh: DEFAULT_EXPORT_GBP_PER_KWH,
    standingChargeGbpPerDay: rules.standingChargeCapGbpPerDay,
  };
}

/** Minutes since 1970 (fractional), the table's "minute of year" for the switching system. */
function minuteOf(time: Date): number {
  return time.getTime() / MINUTE_MS;
}

function minuteOfDay(time: Date): number {
  return time.getUTCHours() * 60 + time.getUTCMinutes();
}

function round6(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}

/**
 * The `gridflex/v1/market/prices` payload of `tariff` (its key `source`) at a simulated time. Live tariffs
 * apply every day alike, so the minute of the (UTC) day stands for the core model's minute of year.
 */
export function marketPricesAt(tariff: Tariff, source: string, simTime: Date): MarketPrices {
  const minute = minuteOfDay(simTime);
  const prices = rates(tariff, minute, 1, 1);
  const band = timeBandAt(tariff.import, minute);
  return {
    simTime: simTime.toISOString(),
    importPriceGbpPerKwh: round6(prices.importGbpPerKwh[0] ?? 0),
    exportPriceGbpPerKwh: wireGbp(prices.exportGbpPerKwh[0] ?? 0),
    standingChargeGbpPerDay: wireGbp(standingChargeGbpPerDay(tariff)),
    source,
    ...(band ? { band: bandLabel(band) } : {}),
    networkBand: tariff.networkCharges ? networkBandAt(tariff.networkCharges, minute) : 'green',
    networkChargeGbpPerKwh: wireGbp(networkChargeGbpPerKwh(tariff.networkCharges, minute)),
  };
}
