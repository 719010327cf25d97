/** The table's homes as the agents see them at a step: each home's plot, assets and resident's preferences. */
import type { ResidentPreferences } from '../homes/index.js';
import { evAway } from './live-weather.js';
import type { TablePlotConfig } from './map-config.js';
import type { AssetState, PinnedFigures, TableState } from './table-state.js';

/** One table home now. */
export interface TableHomeView {
  home: string;
  /** The home's plot, wired to its bus and phase as it is now. */
  plot: TablePlotConfig;
  preferences: ResidentPreferences;
  /** Online assets on the plot (the first EV, heat pump and battery; every PV). */
  ev?: AssetState;
  heatPump?: AssetState;
  battery?: AssetState;
  pvs: AssetState[];
  /** Whether the EV is at home (not out on its trip). */
  evHome: boolean;
  /** Which assets the home has and whether its EV is home: a change means a new plan. */
  signature: string;
  /** Its sensors pinned in place of the model (hardware in the loop), their figures this step. */
  pinned?: PinnedFigures;
}

/** The views of every home plot, in the map's order. */
export function tableHomeViews(
  table: TableState,
  homePlots: readonly TablePlotConfig[],
  preferencesOf: (home: string) => ResidentPreferences,
  minuteOfDay: number,
): TableHomeView[] {
  return homePlots.map((mapPlot) => {
    const plot = table.plot(mapPlot.plot) ?? mapPlot;
    const home = mapPlot.home as string;
    const preferences = preferencesOf(home);
    const onPlot = table.assetsOn(plot.plot).filter((asset) => asset.online);
    const ev = onPlot.find((asset) => asset.kind === 'ev');
    const heatPump = onPlot.find((asset) => asset.kind === 'heat-pump');
    const battery = onPlot.find((asset) => asset.kind === 'battery');
    const pvs = onPlot.filter((asset) => asset.kind === 'pv');
    const pinned = table.pinned.get(home);
    const evHome = ev !== undefined && !evAway(preferences.evReadyByMinute, minuteOfDay);
    const signature = [ev?.asset, evHome, heatPump?.asset, battery?.asset, ...pvs.map((pv) => pv.asset)].join(
      '|',
    );
    return {
      home,
      plot,
      preferences,
      ...(ev ? { ev } : {}),
      ...(heatPump ? { heatPump } : {}),
      ...(battery ? { battery } : {}),
      pvs,
      evHome,
      signature,
      ...(pinned ? { pinned } : {}),
    };
  });
}
