import type { AssetKind, TableEvent, TableMap } from '../../protocol/gridflex.js';
import type { LoadedTableMap, TablePlotConfig } from './map-config.js';

/** What the hub knows about one asset (a scale model with its device agent) on the table. */
export interface AssetState {
  asset: string;
  kind: AssetKind;
  plot: string | null;
  /** Whether its device is connected and `ready`. */
  online: boolean;
  /** Its last reported active power (negative = generation/export). */
  pKw: number;
  /** Why its board's latest reading was refused (the power flow keeps the last good one); absent when none is. */
  fault?: string;
}

/** A plot wired to another bus or phase (what it was, what it is now). */
export interface PlotWiring {
  plot: string;
  home?: string;
  from: { bus: string; phase: 'A' | 'B' | 'C' };
  to: { bus: string; phase: 'A' | 'B' | 'C' };
}

/** Hardware in the loop: figures that replace a home's modelled ones in the flow (hub/live/extensions/pins.ts). */
export interface PinnedFigures {
  /** The home's own demand, kW (in place of its base load's profile). */
  baseLoadPKw?: number;
  /** The home's PV output, kW, ≤ 0 (in place of the PV assets' power on its plot). */
  pvPKw?: number;
}

/** Why an update was refused; the caller logs it and carries on. */
export class TableUpdateError extends Error {
  override readonly name = 'TableUpdateError';
}

/**
 * The live table: plots wired to feeder buses, and which asset sits on which plot with what power.
 * Pure state, no I/O: the hub feeds it device announcements, NFC reads and telemetry, and reads
 * per-plot power for the power flow.
 */
export class TableState {
  private readonly plotsById = new Map<string, TablePlotConfig>();
  private readonly assetsById = new Map<string, AssetState>();
  private readonly assetByTag = new Map<string, string>();
  private readonly wirableBuses: readonly string[];
  private wiringChanges = 0;
  /** Each plot's bus and phase as the map file wires it. */
  private readonly mapWiring = new Map<string, string>();
  /** Pinned figures by plot, read by every power flow of the table (the running street's and the shadow runs'). */
  pinned: ReadonlyMap<string, PinnedFigures> = new Map();

  /**
   * @param wirableBuses - the feeder's low-voltage buses a plot may be wired to (default: the buses the map's
   *   plots are on).
   */
  constructor(
    readonly map: LoadedTableMap,
    wirableBuses?: readonly string[],
  ) {
    this.wirableBuses = wirableBuses ?? [...new Set(map.plots.map((plot) => plot.bus))];
    for (const plot of map.plots) {
      this.plotsById.set(plot.plot, plot);
      this.mapWiring.set(plot.plot, `${plot.bus}/${plot.phase}`);
    }
    for (const asset of map.assets) {
      this.assetsById.set(asset.asset, {
        asset: asset.asset,
        kind: asset.kind,
        plot: asset.plot ?? null,
        online: false,
        pKw: 0,
      });
      if (asset.nfcTag !== undefined) this.assetByTag.set(asset.nfcTag, asset.asset);
    }
  }

  get plots(): readonly TablePlotConfig[] {
    return this.map.plots;
  }

  plot(plotId: string): TablePlotConfig | undefined {
    return this.plotsById.get(plotId);
  }

  asset(assetId: string): AssetState | undefined {
    return this.assetsById.get(assetId);
  }

  get assets(): readonly AssetState[] {
    return [...this.assetsById.values()];
  }

  /**
   * A device announced itself (Homie `$description` or `$state`). Unknown assets are added off the
   * table; a known asset keeps its place. Returns the asset's state.
   */
  announce(assetId: string, kind: AssetKind): AssetState {
    const existing = this.assetsById.get(assetId);
    if (existing) {
      existing.kind = kind;
      return existing;
    }
    const created: AssetState = { asset: assetId, kind, plot: null, online: false, pKw: 0 };
    this.assetsById.set(assetId, created);
    return created;
  }

  /** The device went `ready` (true) or `lost`/`disconnected` (false); an offline asset draws nothing. */
  setOnline(assetId: string, online: boolean): void {
    const asset = this.assetsById.get(assetId);
    if (asset) asset.online = online;
  }

  /** Marks the asset faulty with the reason its board's reading was refused, or clears the mark (null). */
  setFault(assetId: string, reason: string | null): void {
    const asset = this.assetsById.get(assetId);
    if (!asset) return;
    if (reason === null) delete asset.fault;
    else asset.fault = reason;
  }

  /** Telemetry: the asset's active power now. */
  setPower(assetId: string, pKw: number): void {
    if (!Number.isFinite(pKw)) throw new TableUpdateError(`power of ${assetId} must be a finite number`);
    const asset = this.assetsById.get(assetId);
    if (!asset) throw new TableUpdateError(`unknown asset "${assetId}"`);
    asset.pKw = pKw;
  }

  /**
   * Puts an asset on a plot (or lifts it off with `null`). Returns the event to publish, or null
   * when nothing changed. Throws TableUpdateError for an unknown asset or plot.
   */
  place(assetId: string, plotId: string | null, source: TableEvent['source'], at: Date): TableEvent | null {
    const asset = this.assetsById.get(assetId);
    if (!asset) throw new TableUpdateError(`unknown asset "${assetId}"`);
    if (plotId !== null && !this.plotsById.has(plotId))
      throw new TableUpdateError(`unknown plot "${plotId}"`);
    if (asset.plot === plotId) return null;
    const event: TableEvent = {
      asset: assetId,
      fromPlot: asset.plot,
      toPlot: plotId,
      source,
      at: at.toISOString(),
    };
    asset.plot = plotId;
    return event;
  }

  /** Increases each time a plot is wired to another bus or phase (the power flow rebuilds its loads then). */
  get wiringVersion(): number {
    return this.wiringChanges;
  }

  /**
   * Wires a plot (and the assets on it) to another feeder bus and phase. The map's plot entry is the live
   * wiring, so everything that reads the plot (power flow, homes, agents) follows. Returns what changed, or
   * null when it was already wired so. Throws TableUpdateError for an unknown plot or bus.
   */
  wire(plotId: string, bus: string, phase: 'A' | 'B' | 'C'): PlotWiring | null {
    const plot = this.plotsById.get(plotId);
    if (!plot) {
      throw new TableUpdateError(
        `unknown plot "${plotId}" (the table has ${this.map.plots.map((entry) => entry.plot).join(', ')})`,
      );
    }
    if (!this.wirableBuses.includes(bus)) {
      throw new TableUpdateError(
        `unknown bus "${bus}": plots can be wired to the feeder's low-voltage buses ${this.wirableBuses.join(', ')}`,
      );
    }
    if (plot.bus === bus && plot.phase === phase) return null;
    const from = { bus: plot.bus, phase: plot.phase };
    plot.bus = bus;
    plot.phase = phase;
    this.wiringChanges += 1;
    return {
      plot: plotId,
      ...(plot.home === undefined ? {} : { home: plot.home }),
      from,
      to: { bus, phase },
    };
  }

  /**
   * The plots wired live to another bus or phase than the map file says, to persist across hub restarts
   * (plots left as the map wires them are not listed, so an edited map file still counts for them).
   */
  wiring(): Record<string, { bus: string; phase: 'A' | 'B' | 'C' }> {
    return Object.fromEntries(
      this.map.plots
        .filter((plot) => this.mapWiring.get(plot.plot) !== `${plot.bus}/${plot.phase}`)
        .map((plot) => [plot.plot, { bus: plot.bus, phase: plot.phase }]),
    );
  }

  /** The asset whose NFC sticker has this UID (any case), if the map names one. */
  assetForTag(tagUid: string): string | undefined {
    return this.assetByTag.get(tagUid.toLowerCase());
  }

  /** Active power the assets on each plot draw now (online assets only), in plot order. */
  plotPowerKw(): Float64Array {
    const index = new Map(this.map.plots.map((plot, position) => [plot.plot, position]));
    const power = new Float64Array(this.map.plots.length);
    for (const asset of this.assetsById.values()) {
      if (!asset.online || asset.plot === null) continue;
      const position = index.get(asset.plot);
      if (position !== undefined) power[position] = (power[position] ?? 0) + asset.pKw;
    }
    return power;
  }

  /** Assets on a plot, in the order they became known. */
  assetsOn(plotId: string): AssetState[] {
    return [...this.assetsById.values()].filter((asset) => asset.plot === plotId);
  }

  /** The `gridflex/v1/table/map` payload. */
  snapshot(feederName: string): TableMap {
    return {
      feeder: feederName,
      plots: this.map.plots.map((plot) => ({
        plot: plot.plot,
        bus: plot.bus,
        phase: plot.phase,
        ...(plot.home === undefined ? {} : { home: plot.home }),
      })),
      assets: this.assets.map((asset) => ({ ...asset })),
      buses: [...this.wirableBuses],
    };
  }

  /** Placements to persist across hub restarts (asset → plot). */
  placements(): Record<string, string | null> {
    return Object.fromEntries(this.assets.map((asset) => [asset.asset, asset.plot]));
  }
}
