/**
 * The market modules by kind, as one list: the scenario's `market.module` section (a zod discriminated
 * union), the run inside the year, the files and metrics are all taken from it. Adding a module is one file
 * in ./modules/ (`defineMarketModule`) and one entry in MARKET_MODULES (docs/architecture.md, "How to add a
 * market module"). The contract every module fulfils is ./market-module.ts.
 */
import { z } from 'zod';
import type { HomeSpec } from '../homes/index.js';
import type {
  MarketModuleContext,
  MarketModuleDefinition,
  MarketRun,
  MarketRunOptions,
} from './market-module.js';
import { communityBattery } from './modules/community-battery.js';
import { flexAuction } from './modules/flex-auction.js';
import { retail } from './modules/retail.js';

/** Every market module; the first is the default when a scenario names none. */
export const MARKET_MODULES = [retail, flexAuction, communityBattery] as const;

type Definitions = (typeof MARKET_MODULES)[number];
type Schemas = Definitions['schema'];
/** The kinds a scenario's `market.module.kind` takes. */
export const MARKET_MODULE_KINDS: readonly Definitions['kind'][] = MARKET_MODULES.map(
  (module) => module.kind,
);

/** A market module as resolved for a run (one of the modules' own types). */
export type MarketModule = ReturnType<Definitions['resolve']>;
/** What a module did over a run (none for retail). */
export type MarketOutcome = Parameters<Definitions['outputFiles']>[0];
type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void
  ? I
  : never;
type FiguresOf<D> = D extends { metrics(outcome: never): infer Figures } ? Figures : never;
/** The modules' keys in metrics.json (one module's at a time). */
export type MarketMetrics = Partial<UnionToIntersection<FiguresOf<Definitions>>>;

const kindList = `${MARKET_MODULE_KINDS.slice(0, -1).join(', ')} or ${MARKET_MODULE_KINDS.at(-1)}`;

/** The scenario's `market.module` section: one of the modules' schemas, by `kind`. */
export const MarketModuleSchema = z.discriminatedUnion(
  'kind',
  MARKET_MODULES.map((module) => module.schema) as unknown as [Schemas, ...Schemas[]],
  { error: `a module kind: ${kindList}` },
);
export type MarketModuleEntry = z.infer<typeof MarketModuleSchema>;

/** The files each module may write beside metrics.json, by key. */
export const MARKET_OUTPUT_FILES = Object.assign(
  {},
  ...MARKET_MODULES.map((module) => module.files),
) as UnionToIntersection<Definitions['files']>;

/** The definition of a kind (every kind that reaches here passed the schema). */
function definitionOf(kind: string): MarketModuleDefinition {
  const definition = (MARKET_MODULES as readonly MarketModuleDefinition[]).find(
    (candidate) => candidate.kind === kind,
  );
  if (!definition) throw new RangeError(`no market module "${kind}"; expected ${kindList}`);
  return definition;
}

/** Resolves a scenario's section (none: retail) against its feeder and homes; throws context.problem. */
export function resolveMarketModule(
  entry: MarketModuleEntry | undefined,
  context: MarketModuleContext,
): MarketModule {
  const section = entry ?? { kind: MARKET_MODULES[0].kind };
  return definitionOf(section.kind).resolve(section, context) as MarketModule;
}

/** The module's run inside a year (none: retail). */
export function createMarketRun(
  module: MarketModule | undefined,
  homes: readonly HomeSpec[],
  options: MarketRunOptions,
): MarketRun<MarketOutcome> {
  const resolved = module ?? { kind: MARKET_MODULES[0].kind };
  return definitionOf(resolved.kind).createRun(resolved, homes, options) as MarketRun<MarketOutcome>;
}

/** The module's files beside metrics.json: [file name, text]. */
export function marketOutputFiles(
  outcome: MarketOutcome | undefined,
  startDay: number,
  stepMinutes: number,
): [name: string, text: string][] {
  return outcome ? definitionOf(outcome.kind).outputFiles(outcome, startDay, stepMinutes) : [];
}

/** What the module's counterparty gained from the homes over the run, £ (0 without a module). */
export function marketCounterpartyGainGbp(outcome: MarketOutcome | undefined): number {
  return outcome ? definitionOf(outcome.kind).counterpartyGainGbp(outcome) : 0;
}

/** The module's figures for metrics.json (without per-step series and histories). */
export function marketMetrics(outcome: MarketOutcome | undefined): MarketMetrics {
  return outcome ? (definitionOf(outcome.kind).metrics(outcome) as MarketMetrics) : {};
}
