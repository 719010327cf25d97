import { describe, expect, it } from 'vitest';
import { describePresence, describeTableEvent } from '../../../hub/table/feed-text.js';
import { loadTableMap } from '../../../hub/table/map-config.js';
import { TableState } from '../../../hub/table/table-state.js';

const at = new Date('2026-11-25T09:00:00Z');

describe('feed text', () => {
  it('tells the room where an asset went, with the home and the bus', () => {
    const table = new TableState(loadTableMap('scenarios/table-map.yaml'));
    const lifted = table.place('ev-1', null, 'nfc', at);
    const placed = table.place('ev-1', 'plot-7', 'nfc', at);
    const moved = table.place('pv-1', 'plot-8', 'control', at);
    expect(lifted && describeTableEvent(table, lifted)).toEqual({
      kind: 'asset-lifted',
      severity: 'info',
      asset: 'ev-1',
      message: 'EV ev-1 lifted off plot-3 (home-3, bus 13)',
    });
    expect(placed && describeTableEvent(table, placed)).toEqual({
      kind: 'asset-placed',
      severity: 'info',
      asset: 'ev-1',
      home: 'home-7',
      plot: 'plot-7',
      message: 'EV ev-1 placed on plot-7 (home-7, bus 17)',
    });
    expect(moved && describeTableEvent(table, moved)?.message).toBe(
      'PV pv-1 moved from plot-1 (home-1, bus 11) to plot-8 (home-8, bus 18)',
    );
  });

  it('says when a board comes online or loses its connection', () => {
    expect(describePresence('pad-plot-3', ['ev-1'], 'lost')).toEqual({
      kind: 'device-offline',
      severity: 'warning',
      message: 'board pad-plot-3 (ev-1) lost its connection',
    });
    expect(describePresence('pv-1', ['pv-1'], 'ready')?.message).toBe('board pv-1 is online');
    expect(describePresence('pv-1', ['pv-1'], 'init')).toBeNull();
  });
});
