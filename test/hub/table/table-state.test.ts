import { describe, expect, it } from 'vitest';
import { SimClock } from '../../../hub/clock.js';
import { loadFeeder } from '../../../hub/feeder/index.js';
import { LiveFeeder } from '../../../hub/table/live-feeder.js';
import { checkMapAgainstFeeder, loadTableMap, parseTableMap } from '../../../hub/table/map-config.js';
import { TableState } from '../../../hub/table/table-state.js';

const MAP_FILE = 'scenarios/table-map.yaml';
const at = new Date('2026-01-15T12:00:00Z');

function freshTable(): TableState {
  return new TableState(loadTableMap(MAP_FILE));
}

describe('table map file', () => {
  it('loads the default map and matches the table-street feeder', () => {
    const map = loadTableMap(MAP_FILE);
    expect(map.plots).toHaveLength(8);
    expect(map.feederDir).toMatch(/feeders\/table-street$/);
    expect(() => checkMapAgainstFeeder(map, loadFeeder(map.feederDir))).not.toThrow();
  });

  it('names the file and the path of a bad entry', () => {
    const text = 'feeder: x\nplots:\n  - { plot: a, bus: "1", phase: D }\n';
    expect(() => parseTableMap(text, 'bad.yaml')).toThrow(/bad\.yaml: plots\.0\.phase/);
  });

  it('refuses an asset on an unknown plot and duplicate plots', () => {
    const unknownPlot =
      'feeder: x\nplots:\n  - { plot: a, bus: "1", phase: A }\nassets:\n  - { asset: ev-1, kind: ev, plot: b }\n';
    expect(() => parseTableMap(unknownPlot, 'm.yaml')).toThrow(/assets\.0\.plot: unknown plot "b"/);
    const duplicate =
      'feeder: x\nplots:\n  - { plot: a, bus: "1", phase: A }\n  - { plot: a, bus: "2", phase: B }\n';
    expect(() => parseTableMap(duplicate, 'm.yaml')).toThrow(/duplicate plot "a"/);
  });

  it('refuses a duplicate asset and a duplicate NFC tag at the later entry', () => {
    const map = (assets: string) =>
      `feeder: x\nplots:\n  - { plot: a, bus: "1", phase: A }\nassets:\n${assets}`;
    const sameAsset = '  - { asset: ev-1, kind: ev }\n  - { asset: ev-1, kind: pv }\n';
    expect(() => parseTableMap(map(sameAsset), 'm.yaml')).toThrow(/assets\.1\.asset: duplicate asset "ev-1"/);
    const sameTag =
      '  - { asset: ev-1, kind: ev, nfcTag: 04a1b2c3 }\n  - { asset: pv-1, kind: pv, nfcTag: 04a1b2c3 }\n';
    expect(() => parseTableMap(map(sameTag), 'm.yaml')).toThrow(
      /assets\.1\.nfcTag: duplicate tag "04a1b2c3"/,
    );
  });

  it('allows clock.stepMs below 10 ms only in lockstep', () => {
    const map = (clock: string) =>
      `feeder: x\nclock: ${clock}\nplots:\n  - { plot: a, bus: "1", phase: A }\n`;
    expect(parseTableMap(map('{ stepMs: 1, mode: lockstep }'), 'm.yaml').clock.stepMs).toBe(1);
    expect(() => parseTableMap(map('{ stepMs: 5 }'), 'm.yaml')).toThrow(
      /m\.yaml: clock\.stepMs: 5 ms: at least 10 unless mode is lockstep/,
    );
    expect(() => parseTableMap(map('{ stepMs: 0, mode: lockstep }'), 'm.yaml')).toThrow(/clock\.stepMs/);
  });

  it('takes clock.publishEveryMs from 0 (every step in full) to 60000 ms, 100 by default, and refuses others naming it', () => {
    const map = (clock: string) =>
      `feeder: x\nclock: ${clock}\nplots:\n  - { plot: a, bus: "1", phase: A }\n`;
    expect(parseTableMap(map('{ stepMs: 500 }'), 'm.yaml').clock.publishEveryMs).toBe(100);
    expect(parseTableMap(map('{ publishEveryMs: 0 }'), 'm.yaml').clock.publishEveryMs).toBe(0);
    for (const bad of ['-1', '60001', '2.5', 'often'])
      expect(() => parseTableMap(map(`{ publishEveryMs: ${bad} }`), 'm.yaml')).toThrow(
        /m\.yaml: clock\.publishEveryMs/,
      );
  });

  it('refuses a plot on a bus the feeder does not have', () => {
    const map = parseTableMap('feeder: x\nplots:\n  - { plot: a, bus: "999", phase: A }\n', 'm.yaml');
    expect(() => checkMapAgainstFeeder(map, { buses: [{ name: '1' }], loads: [] })).toThrow(
      /plots\.0\.bus.*"999"/,
    );
  });
});

describe('TableState', () => {
  it('starts with the configured placements and counts only online assets', () => {
    const table = freshTable();
    expect(table.asset('ev-1')?.plot).toBe('plot-3');
    table.setPower('ev-1', 7);
    const house3 = table.plots.findIndex((plot) => plot.plot === 'plot-3');
    expect(table.plotPowerKw()[house3]).toBe(0);
    table.setOnline('ev-1', true);
    expect(table.plotPowerKw()[house3]).toBe(7);
  });

  it('moves an asset between plots and reports the move once', () => {
    const table = freshTable();
    const event = table.place('ev-1', 'plot-6', 'control', at);
    expect(event).toEqual({
      asset: 'ev-1',
      fromPlot: 'plot-3',
      toPlot: 'plot-6',
      source: 'control',
      at: at.toISOString(),
    });
    expect(table.place('ev-1', 'plot-6', 'control', at)).toBeNull();
    expect(table.assetsOn('plot-6').map((asset) => asset.asset)).toEqual(['ev-1']);
  });

  it('finds an asset by its NFC tag in any case', () => {
    const table = freshTable();
    expect(table.assetForTag('04A1B2C3D4E503')).toBe('ev-1');
    expect(table.assetForTag('04a1b2c3d4e503')).toBe('ev-1');
    expect(table.assetForTag('ffffffff')).toBeUndefined();
  });

  it('refuses unknown assets and plots and non-finite power', () => {
    const table = freshTable();
    expect(() => table.place('nope', 'plot-1', 'control', at)).toThrow(/unknown asset/);
    expect(() => table.place('ev-1', 'house-99', 'control', at)).toThrow(/unknown plot/);
    expect(() => table.setPower('ev-1', Number.NaN)).toThrow(/finite/);
  });

  it('adds announced devices off the table', () => {
    const table = freshTable();
    const asset = table.announce('ev-9', 'ev');
    expect(asset.plot).toBeNull();
    expect(table.snapshot('table-street').assets.some((entry) => entry.asset === 'ev-9')).toBe(true);
  });
});

describe('LiveFeeder', () => {
  it('moves an EV’s charging load from one bus to another', () => {
    const map = loadTableMap(MAP_FILE);
    const table = new TableState(map);
    const feeder = new LiveFeeder(loadFeeder(map.feederDir), table);
    const clock = new SimClock({
      start: new Date('2026-01-15T18:00:00Z'),
      stepMinutes: 6,
      mode: 'accelerated',
    });
    table.setOnline('ev-1', true);
    table.setPower('ev-1', 7);

    const before = feeder.solveStep(clock.snapshot());
    table.place('ev-1', 'plot-6', 'nfc', at);
    const after = feeder.solveStep(clock.snapshot());

    const load = (step: typeof before, bus: string) =>
      step.buses.buses.find((entry) => entry.bus === bus)?.loadPKw ?? NaN;
    // plot-3 is bus 13, plot-6 is bus 16; the same minute, so only the EV moved.
    expect(load(before, '13') - load(after, '13')).toBeCloseTo(7, 9);
    expect(load(after, '16') - load(before, '16')).toBeCloseTo(7, 9);
    expect(after.summary.converged).toBe(true);
    const home6 = after.homes.find((home) => home.home === 'home-6');
    expect(home6?.netPKw).toBeCloseTo((home6?.baseLoadPKw ?? 0) + 7, 9);
    // Voltage on plot-6's phase (C) at bus 16 drops once the EV charges there.
    const v16 = (step: typeof before) =>
      step.buses.buses.find((entry) => entry.bus === '16')?.vVolts[2] ?? NaN;
    expect(v16(after)).toBeLessThan(v16(before));
  });
});

describe('plot wiring', () => {
  it('wires a plot to another bus: the power flow moves its assets there; only live changes are kept', () => {
    const map = loadTableMap(MAP_FILE);
    const network = loadFeeder(map.feederDir);
    const table = new TableState(map, ['1', '2', '12', '16', '17']);
    const feeder = new LiveFeeder(network, table);
    const clock = new SimClock({
      start: new Date('2026-01-15T18:00:00Z'),
      stepMinutes: 6,
      mode: 'accelerated',
    });
    table.setOnline('ev-2', true);
    table.setPower('ev-2', 7);
    const before = feeder.solveStep(clock.snapshot());

    expect(table.wire('plot-7', '16', 'C')).toEqual({
      plot: 'plot-7',
      home: 'home-7',
      from: { bus: '17', phase: 'A' },
      to: { bus: '16', phase: 'C' },
    });
    expect(table.wire('plot-7', '16', 'C')).toBeNull();
    expect(table.wiringVersion).toBe(1);
    expect(table.wiring()).toEqual({ 'plot-7': { bus: '16', phase: 'C' } });
    const after = feeder.solveStep(clock.snapshot());
    const assetKw = (step: typeof before, bus: string) =>
      step.buses.buses.find((entry) => entry.bus === bus)?.assetPKw;
    expect(assetKw(before, '17')).toBe(7);
    expect(assetKw(after, '17')).toBe(0);
    expect(assetKw(after, '16')).toBe(7);
    expect(after.homes.find((home) => home.home === 'home-7')).toMatchObject({ bus: '16', phase: 'C' });

    // Back as the map wires it: nothing left to keep.
    table.wire('plot-7', '17', 'A');
    expect(table.wiring()).toEqual({});
    expect(() => table.wire('plot-99', '16', 'A')).toThrow(/unknown plot "plot-99" \(the table has plot-1, /);
    expect(() => table.wire('plot-7', 'SourceBus', 'A')).toThrow(
      /unknown bus "SourceBus": plots can be wired to the feeder's low-voltage buses 1, 2, 12, 16, 17/,
    );
  });
});
