import { z } from 'zod';
import { defineMarketModule, emptySettlement } from '../market-module.js';

/** Retail only: no module beyond the homes' supplier tariffs (the default). */
export const retail = defineMarketModule({
  kind: 'retail',
  description: 'retail only: every home buys and sells at its supplier’s tariff',
  schema: z.object({ kind: z.literal('retail') }).strict(),
  files: {},
  resolve: () => ({ kind: 'retail' as const }),
  createRun: (_module, homes) => {
    const none = homes.map(() => emptySettlement());
    return { loads: [], loadPKw: new Float64Array(0), step: () => none, outcome: () => undefined };
  },
  outputFiles: (_outcome: never) => [],
  metrics: (_outcome: never) => ({}),
  counterpartyGainGbp: (_outcome: never) => 0,
});
