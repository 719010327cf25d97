import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineMarketModule, emptySettlement } from '../../../hub/market/market-module.js';
import {
  MARKET_MODULE_KINDS,
  MARKET_MODULES,
  MARKET_OUTPUT_FILES,
  MarketModuleSchema,
} from '../../../hub/market/modules.js';
import { fullHome } from '../homes/fixtures.js';

/** The recipe of docs/architecture.md, "How to add a market module": a flat levy on every bill. */
const levyOutcome = (totalGbp: number) => ({ kind: 'levy' as const, totalGbp });
const levy = defineMarketModule({
  kind: 'levy',
  description: 'a flat levy on every home’s bill each step',
  schema: z.object({ kind: z.literal('levy'), gbpPerStep: z.number().nonnegative() }).strict(),
  files: { levy: 'levy.json' },
  resolve: (entry) => ({ kind: 'levy' as const, gbpPerStep: entry.gbpPerStep }),
  createRun: (module, homes) => {
    const settlements = homes.map(() => ({ ...emptySettlement(), billGbp: module.gbpPerStep }));
    let totalGbp = 0;
    return {
      loads: [],
      loadPKw: new Float64Array(0),
      step: () => {
        totalGbp += module.gbpPerStep * homes.length;
        return settlements;
      },
      outcome: () => levyOutcome(totalGbp),
    };
  },
  outputFiles: (outcome: ReturnType<typeof levyOutcome>) => [['levy.json', JSON.stringify(outcome)]],
  metrics: (outcome: ReturnType<typeof levyOutcome>) => ({ levyGbp: outcome.totalGbp }),
  // Whoever levies it gains what the homes pay.
  counterpartyGainGbp: (outcome: ReturnType<typeof levyOutcome>) => outcome.totalGbp,
});

describe('market module registry', () => {
  it('builds the scenario union, its error and the output files from the list', () => {
    expect(MARKET_MODULE_KINDS).toEqual(['retail', 'flex-auction', 'community-battery']);
    const parsed = MarketModuleSchema.safeParse({ kind: 'auction' });
    expect(parsed.error?.issues[0]?.message).toBe('a module kind: retail, flex-auction or community-battery');
    for (const module of MARKET_MODULES) {
      expect(MarketModuleSchema.safeParse({ kind: module.kind }).error?.issues[0]?.path).not.toEqual([
        'kind',
      ]);
      expect(MARKET_OUTPUT_FILES).toMatchObject(module.files);
    }
  });

  it('a module defined by defineMarketModule resolves, runs, writes and reports', () => {
    const entry = levy.schema.parse({ kind: 'levy', gbpPerStep: 0.1 });
    const module = levy.resolve(entry, {} as never);
    const run = levy.createRun(module, [fullHome(), fullHome()], {
      stepMinutes: 30,
      stepCount: 2,
      nominalVoltsLn: 230,
    });
    expect(run.step({} as never).map((settlement) => settlement.billGbp)).toEqual([0.1, 0.1]);
    const outcome = run.outcome();
    expect(outcome).toEqual({ kind: 'levy', totalGbp: 0.2 });
    expect(levy.metrics(outcome as ReturnType<typeof levyOutcome>)).toEqual({ levyGbp: 0.2 });
    expect(levy.outputFiles(outcome as ReturnType<typeof levyOutcome>, 0, 30)[0]?.[0]).toBe(levy.files.levy);
    expect(levy.counterpartyGainGbp(outcome as ReturnType<typeof levyOutcome>)).toBe(0.2);
  });
});
