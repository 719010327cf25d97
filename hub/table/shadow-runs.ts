/**
 * Figures of one street on the live table over the session, the same way for the running street (from
 * the published power flow) and for each shadow run (the same table under another policy, with its own
 * power flow and shared battery): the transformer's peak, the voltage extremes and the homes' bills so far.
 */
import type { Clock, FeederSummary } from '../../protocol/gridflex.js';
import type { PriceSource } from './home-forecast.js';
import type { LiveFeeder, LiveFeederStep } from './live-feeder.js';
import type { LivePolicyStreet, LiveStepInputs } from './live-street.js';
import type { LiveSharedBattery } from './shared-battery.js';
import type { TableState } from './table-state.js';

const MINUTE_MS = 60_000;

/** What a street has done since it started. */
export interface StreetFigures {
  policy: string;
  steps: number;
  /** Largest import at the substation, kW. */
  peakKw: number;
  /** Lowest and highest voltage anywhere on the feeder, V. */
  minVolts: number;
  maxVolts: number;
  /** Steps with a bus-phase outside 216.2–253 V. */
  stepsOutsideStatutory: number;
  /** The table homes' energy at their meters priced at the tariff in force (standing charges left out), £. */
  billsGbp: number;
}

/** Books a street's figures step by step. */
export class StreetBook {
  readonly figures: StreetFigures;

  constructor(policy: string) {
    this.figures = {
      policy,
      steps: 0,
      peakKw: 0,
      minVolts: Number.POSITIVE_INFINITY,
      maxVolts: 0,
      stepsOutsideStatutory: 0,
      billsGbp: 0,
    };
  }

  /**
   * One step: the power flow's summary and each home's net power (the step labelled `now` ran from one
   * step earlier, so its energy is priced at its start, as the residents' boosts are).
   */
  record(
    summary: FeederSummary,
    homeNetPKw: readonly { home: string; netPKw: number }[],
    prices: PriceSource,
    clock: Clock,
  ): void {
    const figures = this.figures;
    figures.steps += 1;
    figures.peakKw = Math.max(figures.peakKw, summary.substationPKw);
    figures.minVolts = Math.min(figures.minVolts, summary.vMin.volts);
    figures.maxVolts = Math.max(figures.maxVolts, summary.vMax.volts);
    if (summary.busPhasesOutsideStatutory > 0) figures.stepsOutsideStatutory += 1;
    const stepStart = new Date(Date.parse(clock.simTime) - clock.stepMinutes * MINUTE_MS);
    const hours = clock.stepMinutes / 60;
    for (const { home, netPKw } of homeNetPKw) {
      const price = prices.pricesAt(stepStart, home);
      figures.billsGbp +=
        netPKw > 0
          ? netPKw * hours * price.importPriceGbpPerKwh
          : netPKw * hours * price.exportPriceGbpPerKwh;
    }
  }
}

/** The same table under another policy: its own street, power flow and shared battery. */
export class ShadowRun {
  readonly book: StreetBook;
  /**
   * While true, `street` is the table's running street, which has already stepped on the same inputs (the
   * running policy's shadow run until the first switch: the same street, planned once).
   */
  mirrors = false;

  constructor(
    private ownStreet: LivePolicyStreet,
    private readonly feeder: LiveFeeder,
    readonly battery: LiveSharedBattery | null,
    private readonly table: TableState,
  ) {
    this.book = new StreetBook(ownStreet.policyName);
  }

  get street(): LivePolicyStreet {
    return this.ownStreet;
  }

  /** A mirror goes on with a street of its own (a copy of the running street's), its figures and battery kept. */
  continueWith(street: LivePolicyStreet): void {
    this.ownStreet = street;
    this.mirrors = false;
  }

  /** Steps the shadow street on the table's inputs (a mirror has nothing to do: the running street has). */
  async stepStreet(inputs: LiveStepInputs): Promise<void> {
    if (!this.mirrors) await this.street.step(inputs);
  }

  /**
   * Once the street has stepped ({@link stepStreet}), solves the shadow run's own power flow, books it and
   * returns it.
   */
  solve(inputs: LiveStepInputs, clock: Clock): LiveFeederStep {
    const plotPowerKw = plotPowersWith(this.table, this.street.assetPowerKw);
    const batteryKw =
      this.battery?.step(inputs.now, inputs.stepMinutes, this.feeder.homeNetPowerKw(clock, plotPowerKw)) ?? 0;
    const flow = this.feeder.solveStep(clock, batteryKw, plotPowerKw);
    this.book.record(flow.summary, flow.homes, inputs.prices, clock);
    return flow;
  }
}

/**
 * The table's plot powers with the controllable assets at a street's powers: PV and other measured loads as
 * their boards report them, EVs, heat pumps and batteries as the street ran them (0 when it did not).
 */
export function plotPowersWith(table: TableState, assetPowerKw: ReadonlyMap<string, number>): Float64Array {
  const position = new Map(table.plots.map((plot, index) => [plot.plot, index]));
  const power = new Float64Array(table.plots.length);
  for (const asset of table.assets) {
    if (!asset.online || asset.plot === null) continue;
    const index = position.get(asset.plot);
    if (index === undefined) continue;
    const controllable = asset.kind === 'ev' || asset.kind === 'heat-pump' || asset.kind === 'battery';
    power[index] = (power[index] ?? 0) + (controllable ? (assetPowerKw.get(asset.asset) ?? 0) : asset.pKw);
  }
  return power;
}
