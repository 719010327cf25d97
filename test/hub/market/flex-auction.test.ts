import { describe, expect, it } from 'vitest';
import { clearFlexAuction, type FlexOffer, flexRequirementKw } from '../../../hub/market/flex-auction.js';

const offer = (
  bidderId: string,
  maxKw: number,
  priceGbpPerKwh: number,
  direction: FlexOffer['direction'] = 'reduce',
) => ({
  bidderId,
  maxKw,
  priceGbpPerKwh,
  direction,
});

describe('local flexibility auction', () => {
  const offers = [
    offer('D', 6, 0.6),
    offer('C', 5, 0.3),
    offer('A', 4, 0.1),
    offer('B', 3, 0.2),
    offer('E', 2, 0.05, 'increase'),
  ];

  it('clears a hand case at the marginal price, paying everyone the same price', () => {
    // Need 10 kW for 30 min, buyer pays at most £0.50/kWh: A 4 + B 3 + C 3 of 5 kW; price = C's £0.30.
    const result = clearFlexAuction(
      { direction: 'reduce', quantityKw: 10, durationMinutes: 30, maxPriceGbpPerKwh: 0.5 },
      offers,
    );
    expect(result.clearingPriceGbpPerKwh).toBe(0.3);
    expect(result.awards.map((a) => [a.bidderId, a.kw])).toEqual([
      ['A', 4],
      ['B', 3],
      ['C', 3],
    ]);
    expect(result.awards.map((a) => a.paymentGbp)).toEqual([
      expect.closeTo(0.6, 12),
      expect.closeTo(0.45, 12),
      expect.closeTo(0.45, 12),
    ]);
    expect(result.totalPaymentGbp).toBeCloseTo(1.5, 12);
    expect(result.shortfallKw).toBe(0);
    expect(result.rejected.map((r) => [r.bidderId, r.reason])).toEqual([
      ['D', "price £0.6/kWh above the buyer's maximum £0.5/kWh"],
      ['E', 'offers to increase, the request is to reduce'],
    ]);
    expect(result.explanation).toBe(
      'Bought 10.00 of 10.00 kW to reduce for 30 min from 3 offers at a uniform £0.300/kWh (total £1.50).',
    );
  });

  it('reports a shortfall when the cheap offers run out, and pro-rates offers tied at the margin', () => {
    const short = clearFlexAuction(
      { direction: 'reduce', quantityKw: 15, durationMinutes: 60, maxPriceGbpPerKwh: 0.5 },
      offers,
    );
    expect(short.acceptedKw).toBe(12);
    expect(short.shortfallKw).toBe(3);
    expect(short.explanation).toMatch(/; shortfall 3\.00 kW\.$/);
    const tied = clearFlexAuction(
      { direction: 'reduce', quantityKw: 6, durationMinutes: 60, maxPriceGbpPerKwh: 1 },
      [offer('A', 4, 0.1), offer('B', 4, 0.2), offer('C', 2, 0.2), offer('D', 1, 0.25)],
    );
    expect(tied.awards.map((a) => [a.bidderId, a.kw])).toEqual([
      ['A', 4],
      ['B', expect.closeTo(4 / 3, 12)],
      ['C', expect.closeTo(2 / 3, 12)],
    ]);
    expect(tied.clearingPriceGbpPerKwh).toBe(0.2);
    expect(tied.rejected).toEqual([
      { offerIndex: 3, bidderId: 'D', reason: 'not needed: the quantity was met by cheaper offers' },
    ]);
  });

  it('buys nothing when nothing is needed or every offer is invalid', () => {
    const none = clearFlexAuction(
      { direction: 'reduce', quantityKw: 0, durationMinutes: 30, maxPriceGbpPerKwh: 1 },
      offers,
    );
    expect(none.clearingPriceGbpPerKwh).toBeNull();
    expect(none.awards).toEqual([]);
    const invalid = clearFlexAuction(
      { direction: 'reduce', quantityKw: 2, durationMinutes: 30, maxPriceGbpPerKwh: 1 },
      [offer('X', -1, 0.1), offer('Y', 2, Number.NaN)],
    );
    expect(invalid.shortfallKw).toBe(2);
    expect(invalid.rejected.every((r) => r.reason.startsWith('invalid offer'))).toBe(true);
    expect(() =>
      clearFlexAuction({ direction: 'reduce', quantityKw: 1, durationMinutes: 0, maxPriceGbpPerKwh: 1 }, []),
    ).toThrow(RangeError);
  });

  it('asks for flexibility only above the trigger, down to the target', () => {
    expect(flexRequirementKw(380, 400)).toBe(0);
    expect(flexRequirementKw(390, 400)).toBeCloseTo(30, 12);
    expect(flexRequirementKw(450, 400, { triggerFraction: 1, targetFraction: 1 })).toBe(50);
  });
});
