import { describe, expect, it } from 'vitest';
import { DeviceTracker } from '../../../hub/table/device-tracker.js';
import { loadTableMap } from '../../../hub/table/map-config.js';
import { TableState } from '../../../hub/table/table-state.js';
import { formatHomieValue, GRIDFLEX_NODE_KINDS, type GridflexNodeKind } from '../../../protocol/homie.js';

const at = new Date('2026-01-15T12:00:00Z');
/** A plain Homie 5 payload (the second argument, a reading number, only tells the calls apart). */
const value = (v: string | number | boolean, _reading = 0) => Buffer.from(formatHomieValue(v));
const description = (nodes: Record<string, GridflexNodeKind>, format: Record<string, string> = {}) =>
  Buffer.from(
    JSON.stringify({
      homie: '5.0',
      version: 1,
      nodes: Object.fromEntries(
        Object.entries(nodes).map(([id, kind]) => {
          const properties: Record<string, object> = { ...GRIDFLEX_NODE_KINDS[kind] };
          for (const [property, range] of Object.entries(format))
            if (properties[property]) properties[property] = { ...properties[property], format: range };
          return [id, { type: `gridflex-${kind}`, properties }];
        }),
      ),
    }),
  );

function setup() {
  const map = loadTableMap('scenarios/table-map.yaml');
  const table = new TableState(map);
  return { map, table, tracker: new DeviceTracker(table) };
}

describe('DeviceTracker', () => {
  it('turns a board’s description, state, plot and power into a placed, powered asset', () => {
    const { table, tracker } = setup();
    tracker.handle('homie/5/house-9/$state', Buffer.from('init'), at);
    tracker.handle('homie/5/house-9/$description', description({ pv: 'pv', plot: 'plot' }), at);
    const placed = tracker.handle('homie/5/house-9/plot/plot-id', value('plot-8'), at);
    expect(placed.events).toEqual([
      expect.objectContaining({ asset: 'house-9', fromPlot: null, toPlot: 'plot-8' }),
    ]);
    tracker.handle('homie/5/house-9/pv/power-kw', value(-2.5), at);
    expect(table.asset('house-9')).toMatchObject({ kind: 'pv', plot: 'plot-8', online: false, pKw: -2.5 });
    tracker.handle('homie/5/house-9/$state', Buffer.from('ready'), at);
    expect(table.plotPowerKw()[7]).toBe(-2.5);
    tracker.handle('homie/5/house-9/$state', Buffer.from('lost'), at);
    expect(table.plotPowerKw()[7]).toBe(0);
  });

  it('names one asset per energy node when a board hosts several', () => {
    const { table, tracker } = setup();
    tracker.handle(
      'homie/5/house-7/$description',
      description({ pv: 'pv', 'heat-pump': 'heat-pump', plot: 'plot' }),
      at,
    );
    expect(table.asset('house-7-pv')?.kind).toBe('pv');
    expect(table.asset('house-7-heat-pump')?.kind).toBe('heat-pump');
  });

  it('follows an EV from pad to pad by ev-id or, failing that, by tag through the map', () => {
    const { table, tracker } = setup();
    for (const [pad, plot] of [
      ['pad-a', 'plot-3'],
      ['pad-b', 'plot-6'],
    ] as const) {
      tracker.handle(`homie/5/${pad}/$description`, description({ 'ev-pad': 'ev-pad' }), at);
      tracker.handle(`homie/5/${pad}/$state`, Buffer.from('ready'), at);
      tracker.handle(`homie/5/${pad}/ev-pad/plot-id`, value(plot), at);
    }
    tracker.handle('homie/5/pad-a/ev-pad/ev-id', value('ev-2'), at);
    tracker.handle('homie/5/pad-a/ev-pad/present', value(true), at);
    expect(table.asset('ev-2')).toMatchObject({ plot: 'plot-3', online: true });

    // Lifted from pad A, then seen on pad B by its tag only (upper case, as readers report it).
    expect(tracker.handle('homie/5/pad-a/ev-pad/present', value(false), at).events[0]?.toPlot).toBeNull();
    tracker.handle('homie/5/pad-b/ev-pad/tag-uid', value('04A1B2C3D4E504'), at);
    tracker.handle('homie/5/pad-b/ev-pad/present', value(true), at);
    expect(table.asset('ev-2')).toMatchObject({ plot: 'plot-6', online: true });
    expect(tracker.padSocCommands(() => 55)).toEqual([
      { topic: 'homie/5/pad-b/ev-pad/soc-pct/set', value: 55 },
    ]);

    // Pad B's board is lost: it can no longer vouch for the EV.
    tracker.handle('homie/5/pad-b/$state', Buffer.from('lost'), at);
    expect(table.asset('ev-2')).toMatchObject({ plot: null, online: false });
  });

  it('keeps a move made elsewhere while a board repeats the same plot or pad reading', () => {
    const { table, tracker } = setup();
    tracker.handle('homie/5/house-9/$description', description({ pv: 'pv', plot: 'plot' }), at);
    tracker.handle('homie/5/house-9/$state', Buffer.from('ready'), at);
    tracker.handle('homie/5/house-9/plot/plot-id', value('plot-8', 1), at);
    tracker.handle('homie/5/pad-a/$description', description({ 'ev-pad': 'ev-pad' }), at);
    tracker.handle('homie/5/pad-a/$state', Buffer.from('ready'), at);
    tracker.handle('homie/5/pad-a/ev-pad/plot-id', value('plot-3', 1), at);
    tracker.handle('homie/5/pad-a/ev-pad/ev-id', value('ev-2', 2), at);
    tracker.handle('homie/5/pad-a/ev-pad/present', value(true, 3), at);

    // An operator (dashboard or Node-RED) moves both; the boards' next ticks repeat what they said before.
    table.place('house-9', 'plot-2', 'control', at);
    table.place('ev-2', 'plot-5', 'control', at);
    expect(tracker.handle('homie/5/house-9/plot/plot-id', value('plot-8', 2), at).events).toEqual([]);
    expect(tracker.handle('homie/5/pad-a/ev-pad/present', value(true, 4), at).events).toEqual([]);
    expect(table.asset('house-9')?.plot).toBe('plot-2');
    expect(table.asset('ev-2')?.plot).toBe('plot-5');

    // A physical change wins again.
    tracker.handle('homie/5/house-9/plot/plot-id', value('plot-6', 3), at);
    expect(table.asset('house-9')?.plot).toBe('plot-6');
  });

  it('reports bad payloads instead of throwing', () => {
    const { tracker } = setup();
    expect(tracker.handle('homie/5/x/$state', Buffer.from('exploded'), at).problem).toMatch(
      /unknown \$state/,
    );
    expect(tracker.handle('homie/5/x/$description', Buffer.from('{'), at).problem).toMatch(/not valid JSON/);
    tracker.handle('homie/5/x/$description', description({ pv: 'pv' }), at);
    expect(tracker.handle('homie/5/x/pv/power-kw', Buffer.from('"2"'), at).problem).toMatch(
      /pv\/power-kw: expected a number, got/,
    );
    expect(
      tracker.handle('homie/5/x/$description', description({ pv: 'pv', plot: 'plot' }), at).problem,
    ).toBeUndefined();
    expect(tracker.handle('homie/5/x/plot/plot-id', value('plot-99'), at).problem).toMatch(/unknown plot/);
  });

  it('refuses readings outside $format or not numbers: the asset keeps its last good power and is faulty; logged once a minute', () => {
    const { table, tracker } = setup();
    tracker.handle('homie/5/house-9/$description', description({ pv: 'pv' }, { 'power-kw': '-4:0' }), at);
    tracker.handle('homie/5/house-9/pv/power-kw', value(-2.5), at);
    const problems: (string | undefined)[] = [];
    for (const [index, bad] of ['1e6', '-1e308', '1e308', 'abc', 'NaN', '-Infinity'].entries()) {
      const seconds = new Date(at.getTime() + index * 10_000);
      problems.push(tracker.handle('homie/5/house-9/pv/power-kw', Buffer.from(bad), seconds).problem);
      expect(table.asset('house-9')).toMatchObject({
        pKw: -2.5,
        fault: expect.stringMatching(/^pv\/power-kw: /),
      });
    }
    // Six refusals within 50 s: one line, naming the board, the property and why.
    expect(problems.filter((problem) => problem !== undefined)).toEqual([
      'house-9/pv/power-kw: 1e6 is outside -4:0 (reading refused; the last good value stands)',
    ]);
    const aMinuteOn = new Date(at.getTime() + 60_000);
    expect(tracker.handle('homie/5/house-9/pv/power-kw', Buffer.from('7'), aMinuteOn).problem).toMatch(
      /7 is outside -4:0/,
    );
    tracker.handle('homie/5/house-9/pv/power-kw', value(-1), aMinuteOn);
    expect(table.asset('house-9')?.pKw).toBe(-1);
    expect(table.asset('house-9')?.fault).toBeUndefined();
  });

  it('reads values that came before $description once it arrives (retained topics come in any order)', () => {
    const { table, tracker } = setup();
    tracker.handle('homie/5/house-9/$state', Buffer.from('ready'), at);
    tracker.handle('homie/5/house-9/plot/plot-id', value('plot-8'), at);
    tracker.handle('homie/5/house-9/pv/power-kw', value(-1.5), at);
    const described = tracker.handle(
      'homie/5/house-9/$description',
      description({ pv: 'pv', plot: 'plot' }),
      at,
    );
    expect(described.events.map((event) => event.toPlot)).toEqual(['plot-8']);
    expect(table.asset('house-9')).toMatchObject({ plot: 'plot-8', pKw: -1.5 });
  });
});
