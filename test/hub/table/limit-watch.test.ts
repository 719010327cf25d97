import { describe, expect, it } from 'vitest';
import { LimitWatch } from '../../../hub/table/limit-watch.js';
import type { FeederSummary } from '../../../protocol/gridflex.js';

function summary(fields: Partial<FeederSummary>): FeederSummary {
  return {
    step: 1,
    simTime: '2026-01-15T18:00:00.000Z',
    feeder: 'table-street',
    converged: true,
    iterations: 4,
    substationPKw: 40,
    substationQKvar: 10,
    transformerLoadingPct: 80,
    lossesKw: 0.5,
    vMin: { bus: '18', phase: 'B', volts: 230 },
    vMax: { bus: '1', phase: 'A', volts: 250 },
    busPhasesOutsideStatutory: 0,
    maxLineLoadingPct: 60,
    ...fields,
  };
}

describe('LimitWatch', () => {
  it('tells once when a limit is breached and once when it clears', () => {
    const watch = new LimitWatch();
    expect(watch.check(summary({}))).toEqual([]);
    const hot = summary({
      transformerLoadingPct: 104.4,
      vMin: { bus: '18', phase: 'B', volts: 214.3 },
      busPhasesOutsideStatutory: 2,
    });
    expect(watch.check(hot)).toEqual([
      { limit: 'transformer', breached: true, message: 'transformer at 104 % of its rating (limit 100 %)' },
      {
        limit: 'voltage',
        breached: true,
        message: 'voltage 214.3 V at bus 18 phase B is outside 216.2–253 V (2 bus-phases)',
      },
    ]);
    expect(watch.check(hot)).toEqual([]);
    // A step whose power flow failed says nothing either way.
    expect(watch.check(summary({ converged: false }))).toEqual([]);
    expect(watch.check(summary({ maxLineLoadingPct: 120 }))).toEqual([
      { limit: 'transformer', breached: false, message: 'transformer back within its rating (80 %)' },
      { limit: 'voltage', breached: false, message: 'all voltages back within 216.2–253 V' },
      { limit: 'line', breached: true, message: 'a cable is at 120 % of its rating (limit 100 %)' },
    ]);
  });
});
