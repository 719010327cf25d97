/**
 * A local flexibility auction: when the feeder nears a limit, the network operator buys a change in
 * demand (reduce, or increase to soak up reverse flow) from the homes for one period, and clears the
 * homes' offers at a uniform price.
 *
 * Clearing (pay-as-clear): valid offers in the requested direction at or below the buyer's maximum price
 * are sorted by price; they are accepted cheapest first until the quantity is met. Offers tied at the
 * marginal price share the remainder pro rata to their size. Every accepted kW is paid the clearing price
 * (the price of the marginal accepted offer) for the period's energy: kW × durationMinutes / 60 × price.
 * What cannot be bought is the shortfall.
 *
 * API:
 *   flexRequirementKw(forecastKw, limitKw, options?: {triggerFraction = 0.95, targetFraction = 0.9}) -> number
 *       0 unless forecastKw > triggerFraction × limitKw; then forecastKw − targetFraction × limitKw
 *   clearFlexAuction(request: FlexRequest, offers: readonly FlexOffer[]) -> FlexClearing
 */

export type FlexDirection = 'reduce' | 'increase';

/** A home's offer to change its demand for the period. */
export interface FlexOffer {
  readonly bidderId: string;
  readonly direction: FlexDirection;
  /** Largest change offered, kW (> 0). */
  readonly maxKw: number;
  /** Lowest acceptable payment, £/kWh of changed energy. */
  readonly priceGbpPerKwh: number;
}

/** What the network operator wants to buy. */
export interface FlexRequest {
  readonly direction: FlexDirection;
  /** Change wanted, kW (>= 0). */
  readonly quantityKw: number;
  /** Length of the period, minutes (> 0). */
  readonly durationMinutes: number;
  /** The most the buyer pays, £/kWh (e.g. the avoided cost of reinforcement or curtailment). */
  readonly maxPriceGbpPerKwh: number;
}

/** One accepted offer. */
export interface FlexAward {
  readonly bidderId: string;
  /** Index of the offer in the input list. */
  readonly offerIndex: number;
  readonly kw: number;
  readonly energyKwh: number;
  readonly paymentGbp: number;
}

/** The auction's result. */
export interface FlexClearing {
  /** Uniform price paid to every award, £/kWh (null when nothing was bought). */
  readonly clearingPriceGbpPerKwh: number | null;
  readonly acceptedKw: number;
  readonly shortfallKw: number;
  readonly totalPaymentGbp: number;
  readonly awards: readonly FlexAward[];
  /** Offers left out, with why (invalid, wrong direction, too dear, not needed). */
  readonly rejected: readonly { offerIndex: number; bidderId: string; reason: string }[];
  readonly explanation: string;
}

/** Flexibility needed to bring a forecast back under a target fraction of the limit (0 below the trigger). */
export function flexRequirementKw(
  forecastKw: number,
  limitKw: number,
  options: { triggerFraction?: number; targetFraction?: number } = {},
): number {
  const trigger = options.triggerFraction ?? 0.95;
  const target = options.targetFraction ?? 0.9;
  if (!(limitKw > 0) || !(target <= trigger)) {
    throw new RangeError(
      `need limitKw > 0 and targetFraction <= triggerFraction (got ${limitKw}, ${target}, ${trigger})`,
    );
  }
  return forecastKw > trigger * limitKw ? forecastKw - target * limitKw : 0;
}

const EPSILON_KW = 1e-9;

/** Clears the offers against the request at a uniform price (see the module note). */
export function clearFlexAuction(request: FlexRequest, offers: readonly FlexOffer[]): FlexClearing {
  if (
    !(request.quantityKw >= 0) ||
    !(request.durationMinutes > 0) ||
    !Number.isFinite(request.maxPriceGbpPerKwh)
  ) {
    throw new RangeError(
      'a flexibility request needs quantityKw >= 0, durationMinutes > 0 and a finite maxPriceGbpPerKwh',
    );
  }
  const hours = request.durationMinutes / 60;
  const rejected: { offerIndex: number; bidderId: string; reason: string }[] = [];
  const eligible: { offer: FlexOffer; offerIndex: number }[] = [];
  offers.forEach((offer, offerIndex) => {
    const reject = (reason: string) => rejected.push({ offerIndex, bidderId: offer.bidderId, reason });
    if (!(offer.maxKw > 0) || !Number.isFinite(offer.maxKw) || !Number.isFinite(offer.priceGbpPerKwh)) {
      reject('invalid offer (maxKw must be > 0 and the price finite)');
    } else if (offer.direction !== request.direction) {
      reject(`offers to ${offer.direction}, the request is to ${request.direction}`);
    } else if (offer.priceGbpPerKwh > request.maxPriceGbpPerKwh) {
      reject(
        `price £${offer.priceGbpPerKwh}/kWh above the buyer's maximum £${request.maxPriceGbpPerKwh}/kWh`,
      );
    } else {
      eligible.push({ offer, offerIndex });
    }
  });
  eligible.sort((a, b) => a.offer.priceGbpPerKwh - b.offer.priceGbpPerKwh || a.offerIndex - b.offerIndex);

  const acceptedKwByIndex = new Map<number, number>();
  let remainingKw = request.quantityKw;
  let clearingPrice: number | null = null;
  for (let start = 0; start < eligible.length && remainingKw > EPSILON_KW; ) {
    const price = eligible[start]?.offer.priceGbpPerKwh ?? 0;
    let end = start;
    while (end < eligible.length && eligible[end]?.offer.priceGbpPerKwh === price) end++;
    const tied = eligible.slice(start, end);
    const tiedKw = tied.reduce((sum, entry) => sum + entry.offer.maxKw, 0);
    const fraction = Math.min(1, remainingKw / tiedKw);
    for (const entry of tied) acceptedKwByIndex.set(entry.offerIndex, entry.offer.maxKw * fraction);
    remainingKw -= tiedKw * fraction;
    clearingPrice = price;
    start = end;
  }
  if (remainingKw < EPSILON_KW) remainingKw = 0;

  const awards: FlexAward[] = [];
  for (const { offer, offerIndex } of eligible) {
    const kw = acceptedKwByIndex.get(offerIndex) ?? 0;
    if (kw > 0) {
      const energyKwh = kw * hours;
      awards.push({
        bidderId: offer.bidderId,
        offerIndex,
        kw,
        energyKwh,
        paymentGbp: energyKwh * (clearingPrice ?? 0),
      });
    } else {
      rejected.push({
        offerIndex,
        bidderId: offer.bidderId,
        reason: 'not needed: the quantity was met by cheaper offers',
      });
    }
  }
  rejected.sort((a, b) => a.offerIndex - b.offerIndex);
  const acceptedKw = request.quantityKw - remainingKw;
  const totalPaymentGbp = awards.reduce((sum, award) => sum + award.paymentGbp, 0);
  const explanation =
    clearingPrice === null
      ? `Bought nothing: ${request.quantityKw.toFixed(2)} kW to ${request.direction} wanted, no offer at or below £${request.maxPriceGbpPerKwh.toFixed(3)}/kWh.`
      : `Bought ${acceptedKw.toFixed(2)} of ${request.quantityKw.toFixed(2)} kW to ${request.direction} for ${request.durationMinutes} min ` +
        `from ${awards.length} offers at a uniform £${clearingPrice.toFixed(3)}/kWh (total £${totalPaymentGbp.toFixed(2)})` +
        (remainingKw > 0 ? `; shortfall ${remainingKw.toFixed(2)} kW.` : '.');
  return {
    clearingPriceGbpPerKwh: clearingPrice,
    acceptedKw,
    shortfallKw: remainingKw,
    totalPaymentGbp,
    awards,
    rejected,
    explanation,
  };
}
