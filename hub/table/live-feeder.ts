import type { Clock, FeederBuses, FeederLines, FeederSummary, Home } from '../../protocol/gridflex.js';
import {
  type FeederNetwork,
  type LoadConnection,
  PHASES,
  PowerFlowSolver,
  profilePowerKw,
} from '../feeder/index.js';
import type { TableState } from './table-state.js';

/** Reactive power of table assets per kW (power factor 0.95 lagging, as the feeder's own loads). */
const ASSET_Q_PER_P = Math.tan(Math.acos(0.95));

/** Everything the hub publishes about the feeder after one clock step. */
export interface LiveFeederStep {
  summary: FeederSummary;
  buses: FeederBuses;
  lines: FeederLines;
  homes: Home[];
}

/**
 * The feeder under the live table: the homes' own loads follow their daily profiles, and every plot
 * adds one extra load at its bus and phase carrying the power of the assets sitting on it. Moving an
 * asset between plots therefore moves its power between buses at the next step.
 */
export class LiveFeeder {
  private solver: PowerFlowSolver;
  private readonly baseLoadCount: number;
  /** Index of the shared battery's load in the solver, if the street has one. */
  private readonly sharedBatteryIndex: number | undefined;
  private readonly loadIndex = new Map<string, number>();
  /** Buses shown in `feeder/buses`: those with a home load or a plot. */
  private reportedBuses: string[] = [];
  /** The table's wiring the solver was built for. */
  private wiringVersion: number;

  /**
   * @param sharedBattery - where the street's shared battery connects (its power is given to each solve).
   */
  constructor(
    readonly network: FeederNetwork,
    private readonly table: TableState,
    private readonly sharedBattery?: { bus: string; phase: 'A' | 'B' | 'C' | 'ABC' },
  ) {
    this.baseLoadCount = network.loads.length;
    this.sharedBatteryIndex = sharedBattery ? this.baseLoadCount + table.plots.length : undefined;
    for (const [index, load] of network.loads.entries()) this.loadIndex.set(load.name, index);
    this.wiringVersion = table.wiringVersion;
    this.solver = this.buildSolver();
  }

  /** A solver with the feeder's loads plus one load per plot at the bus and phase the plot is wired to now. */
  private buildSolver(): PowerFlowSolver {
    const plotLoads: LoadConnection[] = this.table.plots.map((plot) => ({
      name: `plot:${plot.plot}`,
      bus: plot.bus,
      phases: [plot.phase],
      model: 'constant-power',
      nominalVoltsLn: 230,
      pKw: 0,
      qKvar: 0,
    }));
    const battery = this.sharedBattery;
    if (battery) {
      plotLoads.push({
        name: 'shared-battery',
        bus: battery.bus,
        phases: battery.phase === 'ABC' ? ['A', 'B', 'C'] : [battery.phase],
        model: 'constant-power',
        nominalVoltsLn: 230,
        pKw: 0,
        qKvar: 0,
      });
    }
    const wanted = new Set([
      ...this.network.loads.map((load) => load.bus),
      ...this.table.plots.map((plot) => plot.bus),
    ]);
    this.reportedBuses = this.network.buses.map((bus) => bus.name).filter((name) => wanted.has(name));
    return new PowerFlowSolver(this.network, [...this.network.loads, ...plotLoads]);
  }

  /** Each home's demand now (its profile at the clock's minute plus the assets on its plot), before the power flow. */
  homeNetPowerKw(
    clock: Clock,
    plotPowerKw: Float64Array = this.table.plotPowerKw(),
  ): { home: string; netPKw: number }[] {
    const homes: { home: string; netPKw: number }[] = [];
    this.table.plots.forEach((plot, plotIndex) => {
      if (plot.home === undefined) return;
      homes.push({
        home: plot.home,
        netPKw: this.modelBaseLoadPKw(plot.plot, clock) + (plotPowerKw[plotIndex] ?? 0),
      });
    });
    return homes;
  }

  /** The table's power on each plot, plus the load the running street added on some (the red team's), kW. */
  plotPowerKw(addedPKw: ReadonlyMap<string, number> = new Map()): Float64Array {
    const power = this.table.plotPowerKw();
    this.table.plots.forEach((plot, plotIndex) => {
      power[plotIndex] = (power[plotIndex] ?? 0) + (addedPKw.get(plot.plot) ?? 0);
    });
    return power;
  }

  /** The modelled own demand of the home on `plotId` now (its base load's profile at the clock's minute), kW. */
  modelBaseLoadPKw(plotId: string, clock: Clock): number {
    const plot = this.table.plots.find((entry) => entry.plot === plotId);
    const baseIndex = plot?.baseLoad === undefined ? undefined : this.loadIndex.get(plot.baseLoad);
    const load = baseIndex === undefined ? undefined : this.network.loads[baseIndex];
    if (load === undefined) return 0;
    const profileMinute = clock.minuteOfDay === 0 ? 1440 : clock.minuteOfDay;
    return load.profile === undefined ? load.pKw : profilePowerKw(this.network, load, profileMinute).pKw;
  }

  /** The modelled PV output on `plotId` now: its online PV assets' power, kW (≤ 0). */
  modelPvPKw(plotId: string): number {
    return this.table
      .assetsOn(plotId)
      .filter((asset) => asset.kind === 'pv' && asset.online)
      .reduce((sum, asset) => sum + asset.pKw, 0);
  }

  /**
   * Sets every load for the clock's minute and the table as it is now (and the shared battery's power, kW
   * drawn), solves, and builds the payloads. A shadow run passes its own plot powers.
   */
  solveStep(
    clock: Clock,
    sharedBatteryPKw = 0,
    tablePlotPowerKw: Float64Array = this.table.plotPowerKw(),
  ): LiveFeederStep {
    if (this.table.wiringVersion !== this.wiringVersion) {
      // A plot was wired to another bus: its load moves there (rare, so a fresh solver is cheap enough).
      this.wiringVersion = this.table.wiringVersion;
      this.solver = this.buildSolver();
    }
    const profileMinute = clock.minuteOfDay === 0 ? 1440 : clock.minuteOfDay;
    const { loadPKw, loadQKvar } = this.solver;
    this.network.loads.forEach((load, index) => {
      const power = load.profile === undefined ? load : profilePowerKw(this.network, load, profileMinute);
      loadPKw[index] = power.pKw;
      loadQKvar[index] = power.qKvar;
    });
    const plotPowerKw = this.applyPins(tablePlotPowerKw);
    plotPowerKw.forEach((pKw, plotIndex) => {
      loadPKw[this.baseLoadCount + plotIndex] = pKw;
      loadQKvar[this.baseLoadCount + plotIndex] = pKw > 0 ? pKw * ASSET_Q_PER_P : 0;
    });
    if (this.sharedBatteryIndex !== undefined) {
      loadPKw[this.sharedBatteryIndex] = sharedBatteryPKw;
      loadQKvar[this.sharedBatteryIndex] = 0;
    }
    const result = this.solver.solve(`step ${clock.step}`);

    let maxLineLoadingPct = Number.NaN;
    for (const pct of result.lineLoadingPct) {
      if (!Number.isNaN(pct) && !(pct <= maxLineLoadingPct)) maxLineLoadingPct = pct;
    }
    const summary: FeederSummary = {
      step: clock.step,
      simTime: clock.simTime,
      feeder: this.network.name,
      converged: result.converged,
      iterations: result.iterations,
      substationPKw: result.substationPTotalKw,
      substationQKvar: result.substationQTotalKvar,
      transformerLoadingPct: result.transformerLoadingPct,
      lossesKw: result.lossesKw,
      vMin: { ...result.vMin },
      vMax: { ...result.vMax },
      busPhasesOutsideStatutory: result.busPhasesOutsideStatutory,
      ...(Number.isNaN(maxLineLoadingPct) ? {} : { maxLineLoadingPct }),
    };

    const busAssetPKw = new Map<string, number>();
    this.table.plots.forEach((plot, plotIndex) => {
      busAssetPKw.set(plot.bus, (busAssetPKw.get(plot.bus) ?? 0) + (plotPowerKw[plotIndex] ?? 0));
    });
    const busLoadPKw = new Map<string, number>();
    this.solver.loads.forEach((load, index) => {
      busLoadPKw.set(load.bus, (busLoadPKw.get(load.bus) ?? 0) + (loadPKw[index] ?? 0));
    });
    const volts = (bus: string, phase: number) =>
      result.busVoltsMag[(this.solver.topology.busIndex.get(bus) ?? 0) * 3 + phase] ?? Number.NaN;
    const buses: FeederBuses = {
      step: clock.step,
      simTime: clock.simTime,
      buses: this.reportedBuses.map((bus) => ({
        bus,
        vVolts: [volts(bus, 0), volts(bus, 1), volts(bus, 2)],
        loadPKw: busLoadPKw.get(bus) ?? 0,
        assetPKw: busAssetPKw.get(bus) ?? 0,
        plots: this.table.plots.filter((plot) => plot.bus === bus).map((plot) => plot.plot),
      })),
    };

    const lines: FeederLines = {
      step: clock.step,
      simTime: clock.simTime,
      lines: this.network.lines.map((line, lineIndex) => {
        const amps = result.lineCurrentAmps;
        const worstAmps = Math.max(
          amps[lineIndex * 3] ?? 0,
          amps[lineIndex * 3 + 1] ?? 0,
          amps[lineIndex * 3 + 2] ?? 0,
        );
        const pct = result.lineLoadingPct[lineIndex] ?? Number.NaN;
        // One decimal is plenty for people and keeps the IEEE street's 900 lines small on the wire.
        return {
          line: line.name,
          loadingPct: Number.isFinite(pct) ? round1(pct) : null,
          currentAmps: Number.isFinite(worstAmps) ? round1(worstAmps) : 0,
        };
      }),
    };

    const homes: Home[] = [];
    this.table.plots.forEach((plot, plotIndex) => {
      if (plot.home === undefined) return;
      const baseIndex = plot.baseLoad === undefined ? undefined : this.loadIndex.get(plot.baseLoad);
      const baseLoadPKw = baseIndex === undefined ? 0 : (loadPKw[baseIndex] ?? 0);
      const assets = this.table
        .assetsOn(plot.plot)
        .map((asset) => ({ asset: asset.asset, kind: asset.kind, pKw: asset.online ? asset.pKw : 0 }));
      homes.push({
        home: plot.home,
        plot: plot.plot,
        bus: plot.bus,
        phase: plot.phase,
        step: clock.step,
        baseLoadPKw,
        assets,
        netPKw: baseLoadPKw + (plotPowerKw[plotIndex] ?? 0),
        vVolts: volts(plot.bus, PHASES.indexOf(plot.phase)),
      });
    });
    return { summary, buses, lines, homes };
  }

  /**
   * Puts the table's pinned figures in the solver's loads: a pinned demand in the home's base load (or on its plot when
   * it has none), a pinned PV output on its plot in place of the PV assets' power. Returns the plot powers to use.
   */
  private applyPins(plotPowerKw: Float64Array): Float64Array {
    const pins = this.table.pinned;
    if (pins.size === 0) return plotPowerKw;
    const pinned = Float64Array.from(plotPowerKw);
    const { loadPKw, loadQKvar } = this.solver;
    this.table.plots.forEach((plot, plotIndex) => {
      const figures = pins.get(plot.plot);
      if (!figures) return;
      let plotKw = pinned[plotIndex] ?? 0;
      if (figures.pvPKw !== undefined) plotKw += figures.pvPKw - this.modelPvPKw(plot.plot);
      const baseIndex = plot.baseLoad === undefined ? undefined : this.loadIndex.get(plot.baseLoad);
      if (figures.baseLoadPKw !== undefined && baseIndex === undefined) plotKw += figures.baseLoadPKw;
      else if (figures.baseLoadPKw !== undefined && baseIndex !== undefined) {
        // At the base load's own power factor, as its profile would be.
        const load = this.network.loads[baseIndex];
        const qPerP = load === undefined || load.pKw === 0 ? ASSET_Q_PER_P : load.qKvar / load.pKw;
        loadPKw[baseIndex] = figures.baseLoadPKw;
        loadQKvar[baseIndex] = figures.baseLoadPKw * qPerP;
      }
      pinned[plotIndex] = plotKw;
    });
    return pinned;
  }
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}
