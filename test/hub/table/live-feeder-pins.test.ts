import { describe, expect, it } from 'vitest';
import { SimClock } from '../../../hub/clock.js';
import { loadFeeder } from '../../../hub/feeder/index.js';
import { LiveFeeder } from '../../../hub/table/live-feeder.js';
import { loadTableMap } from '../../../hub/table/map-config.js';
import { TableState } from '../../../hub/table/table-state.js';

const clock = new SimClock({ start: new Date('2026-01-15T12:00:00Z'), stepMinutes: 6, mode: 'accelerated' });

describe('pinned figures in the live power flow', () => {
  it('replace a home’s modelled demand and PV output in every flow of the table (running street and shadow runs)', () => {
    const map = loadTableMap('scenarios/table-map.yaml');
    const table = new TableState(map);
    const network = loadFeeder(map.feederDir);
    const running = new LiveFeeder(network, table);
    const shadow = new LiveFeeder(network, table);
    table.setOnline('pv-1', true); // on plot-1 (home-1)
    table.setPower('pv-1', -1.2);
    const home = (step: ReturnType<LiveFeeder['solveStep']>, id: string) =>
      step.homes.find((entry) => entry.home === id);

    const modelled = running.solveStep(clock.snapshot());
    expect(home(modelled, 'home-1')?.netPKw).toBeCloseTo(
      (home(modelled, 'home-1')?.baseLoadPKw ?? 0) - 1.2,
      9,
    );
    expect(running.modelPvPKw('plot-1')).toBe(-1.2);
    expect(home(modelled, 'home-3')?.baseLoadPKw).toBeCloseTo(
      running.modelBaseLoadPKw('plot-3', clock.snapshot()),
      9,
    );

    table.pinned = new Map([
      ['plot-1', { pvPKw: -3 }],
      ['plot-3', { baseLoadPKw: 6.5 }],
    ]);
    for (const feeder of [running, shadow]) {
      const pinned = feeder.solveStep(clock.snapshot());
      const home1 = home(pinned, 'home-1');
      expect(home1?.netPKw).toBeCloseTo((home1?.baseLoadPKw ?? 0) - 3, 9);
      expect(home(pinned, 'home-3')?.baseLoadPKw).toBe(6.5);
      expect(pinned.summary.substationPKw).toBeGreaterThan(modelled.summary.substationPKw);
    }
  });
});
