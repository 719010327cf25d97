/**
 * The market module's run as the year's Street uses it: the contract (hub/market/market-module.ts) with the
 * registry's outcomes, and the registry's run. The modules themselves are hub/market/modules/.
 */
import type { MarketRun as ModuleRun } from '../market/market-module.js';
import type { MarketOutcome } from '../market/modules.js';

export type { HomeSettlement, MarketRunOptions, MarketStepInput } from '../market/market-module.js';
export { createMarketRun, type MarketOutcome } from '../market/modules.js';

/** A market module's run inside a year. */
export type MarketRun = ModuleRun<MarketOutcome>;
