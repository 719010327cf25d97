import { expect } from 'vitest';
import type { LiveMarket } from '../../../hub/table/live-market.js';
import { SupplierTariffSchema } from '../../../protocol/gridflex.js';

/**
 * A night tariff for EVs, cheap 00:30–05:30, on offer and in force at once (switching takes no time): every
 * selfish EV wants the cheap band from 00:30, so the street policies have a peak to move.
 */
export function offerNightTariff(market: LiveMarket, simTime: Date): void {
  market.setRules({ switchingLagMinutes: 0 }, 'regulator', new Date(), simTime);
  const answer = market.offer(
    'octo',
    SupplierTariffSchema.parse({
      tariffId: 'night-ev',
      kind: 'time-of-use',
      importPriceGbpPerKwh: 0.25,
      exportPriceGbpPerKwh: 0.1,
      standingChargeGbpPerDay: 0.5,
      bands: [{ name: 'night', from: '00:30', to: '05:30', importPriceGbpPerKwh: 0.08 }],
    }),
    new Date(),
    simTime,
  );
  expect(answer.accepted).toBe(true);
}
