import type { FeedEvent, TableEvent } from '../../protocol/gridflex.js';
import type { PlotWiring, TableState } from './table-state.js';

/** A feed event before the hub numbers and times it. */
export type FeedEventDraft = Omit<FeedEvent, 'seq' | 'at' | 'simTime'>;

/** "EV ev-1 placed on plot-7 (home-7, bus 17)", "PV pv-1 moved from …", "… lifted off …". */
export function describeTableEvent(table: TableState, event: TableEvent): FeedEventDraft {
  const kind = table.asset(event.asset)?.kind;
  const label = `${kind === 'ev' ? 'EV' : kind === 'pv' ? 'PV' : (kind ?? 'asset')} ${event.asset}`;
  const where = (plotId: string) => {
    const plot = table.plot(plotId);
    return plot ? `${plotId} (${plot.home ? `${plot.home}, ` : ''}bus ${plot.bus})` : plotId;
  };
  const home = event.toPlot ? table.plot(event.toPlot)?.home : undefined;
  const base = { severity: 'info' as const, asset: event.asset, ...(home ? { home } : {}) };
  if (event.toPlot === null) {
    return { ...base, kind: 'asset-lifted', message: `${label} lifted off ${where(event.fromPlot ?? '?')}` };
  }
  if (event.fromPlot === null) {
    return {
      ...base,
      kind: 'asset-placed',
      plot: event.toPlot,
      message: `${label} placed on ${where(event.toPlot)}`,
    };
  }
  return {
    ...base,
    kind: 'asset-moved',
    plot: event.toPlot,
    message: `${label} moved from ${where(event.fromPlot)} to ${where(event.toPlot)}`,
  };
}

/** "plot-7 (home-7) rewired from bus 17 phase A to bus 12 phase B". */
export function describeWiring(wiring: PlotWiring): FeedEventDraft {
  return {
    kind: 'plot-wired',
    severity: 'info',
    plot: wiring.plot,
    ...(wiring.home === undefined ? {} : { home: wiring.home }),
    message: `${wiring.plot}${wiring.home ? ` (${wiring.home})` : ''} rewired from bus ${wiring.from.bus} phase ${wiring.from.phase} to bus ${wiring.to.bus} phase ${wiring.to.phase}`,
  };
}

/**
 * A board's new Homie state as the room reads it ("board pad-plot-3 (ev-1) lost its connection"), or null
 * for states nobody needs to hear about (init). A pad names what it carries; a PV board is its own asset.
 */
export function describePresence(
  deviceId: string,
  assets: readonly string[],
  state: string,
): FeedEventDraft | null {
  const others = assets.filter((asset) => asset !== deviceId);
  const board = `board ${deviceId}${others.length > 0 ? ` (${others.join(', ')})` : ''}`;
  if (state === 'ready') return { kind: 'device-online', severity: 'info', message: `${board} is online` };
  if (state === 'lost')
    return { kind: 'device-offline', severity: 'warning', message: `${board} lost its connection` };
  if (state === 'disconnected')
    return { kind: 'device-offline', severity: 'info', message: `${board} disconnected` };
  return null;
}
