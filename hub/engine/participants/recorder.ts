/**
 * The recorder: what a run reports, apart from the time loop (as pandapower's output writer). The bills
 * half books each home's step after the homes have stepped: its supplier's metered energy (net of what the
 * market module settled), its bill, carbon and the supplier's ledger. The network half books the power
 * flow: peak, extremes, breaches at the customers' connections, losses, stress and the series.
 */
import { MINUTES_PER_DAY } from '../../environment/calendar.js';
import { type FeederNetwork, STATUTORY_VOLTS } from '../../feeder/index.js';
import type { HomeStepResult } from '../../homes/index.js';
import type { SupplierLedger } from '../../market/supplier.js';
import type { SwitchLogEntry } from '../../market/switching.js';
import { standingChargeGbpPerDay } from '../../market/tariff.js';
import type { HomeSettlement } from '../../sim/market-step.js';
import { NetworkStressTracker } from '../../sim/network-stress.js';
import type { HomeOutcome, NetworkOutcome, RunSeries } from '../outcomes.js';
import type { StepFrame, StreetParticipant } from '../street.js';
import type { StreetHome } from '../street-home.js';
import type { StreetWorld } from '../world.js';

/**
 * Where a run's figures start: its first counted step and that step's minute of the year. Steps before it
 * are a warm-up: simulated, metered for the tariff reviews, and left out of every figure.
 */
export interface CountedSpan {
  step: number;
  minute: number;
}

/** Every step counts. */
const WHOLE_RUN: CountedSpan = { step: 0, minute: Number.NEGATIVE_INFINITY };

/**
 * Whether a switch belongs to the counted span: it counts where it takes effect (its exit fee is billed then); a
 * request that never completed, where it was processed or made.
 */
export function switchCounted(entry: SwitchLogEntry, counted: CountedSpan): boolean {
  return (entry.effectiveMinute ?? entry.processedMinute ?? entry.requestMinute) >= counted.minute;
}

/** Per-home outcomes, bills and supplier ledgers. */
export class BillsRecorder implements StreetParticipant {
  readonly name = 'bills';
  readonly outcomes: HomeOutcome[];

  constructor(
    private readonly homes: readonly StreetHome[],
    private readonly world: StreetWorld,
    private readonly ledgers: ReadonlyMap<string, SupplierLedger>,
    private readonly series: RunSeries | undefined,
    private readonly counted: CountedSpan = WHOLE_RUN,
  ) {
    this.outcomes = homes.map(emptyOutcome);
  }

  /** A completed switch: the exit fee is billed and late-switch compensation credited. */
  readonly switched = (home: StreetHome, entry: SwitchLogEntry): void => {
    if (!switchCounted(entry, this.counted)) return;
    const outcome = this.outcomes[home.index] as HomeOutcome;
    outcome.switches++;
    outcome.billGbp += entry.exitFeeGbp - entry.compensationGbp;
  };

  step(frame: StepFrame): void {
    const counting = frame.step >= this.counted.step;
    for (const home of this.homes) {
      const result = frame.results[home.index] as HomeStepResult;
      const settlement = frame.settlements[home.index] as HomeSettlement;
      // The shared battery's energy is settled inside the scheme, not by the supplier.
      const suppliedKwh = Math.max(0, result.importKwh - settlement.drawnKwh);
      const exportedKwh = Math.max(0, result.exportKwh - settlement.storedKwh);
      home.meteredImportKwh[frame.step] = suppliedKwh;
      home.meteredExportKwh[frame.step] = exportedKwh;
      if (!counting) continue;
      // The span's tariff at its start: a warm-up's switches are before it.
      if (frame.step === this.counted.step)
        (this.outcomes[home.index] as HomeOutcome).tariffAtStart = home.tariff.id;
      this.bill(home, frame, suppliedKwh, exportedKwh, settlement.billGbp);
      this.energy(home, frame, result);
      this.ledgers.get(home.tariff.supplierId)?.record(
        home.tariff,
        {
          importKwh: suppliedKwh,
          exportKwh: exportedKwh,
          wholesaleGbpPerKwh: this.world.wholesaleGbpPerKwh(frame.step),
        },
        frame.minuteOfYear,
        frame.stepMinutes,
      );
      if (this.series) recordHomeSeries(this.series, home, frame.step - this.counted.step, result.pKw);
    }
  }

  private bill(
    home: StreetHome,
    frame: StepFrame,
    suppliedKwh: number,
    exportedKwh: number,
    marketGbp: number,
  ) {
    const prices = this.world.prices(home.tariff);
    const outcome = this.outcomes[home.index] as HomeOutcome;
    const k = frame.step;
    outcome.billGbp +=
      suppliedKwh * (prices.importGbpPerKwh[k] ?? 0) -
      exportedKwh * (prices.exportGbpPerKwh[k] ?? 0) +
      (standingChargeGbpPerDay(home.tariff) * frame.stepMinutes) / MINUTES_PER_DAY +
      marketGbp;
  }

  private energy(home: StreetHome, frame: StepFrame, result: HomeStepResult): void {
    const outcome = this.outcomes[home.index] as HomeOutcome;
    const { dtHours } = frame;
    outcome.evShortfallKwh += frame.evShortfallKwh[home.index] ?? 0;
    outcome.importKwh += result.importKwh;
    outcome.exportKwh += result.exportKwh;
    outcome.carbonKg += result.importKwh * this.world.carbonKgPerKwh(frame.step);
    outcome.pvKwh += result.pvKw * dtHours;
    outcome.pvCurtailedKwh += result.pvCurtailedKw * dtHours;
    outcome.heatPumpKwh += result.heatPumpKw * dtHours;
    outcome.heatPumpHeatKwh += result.heatKw * dtHours;
    outcome.evChargeKwh += result.evKw * dtHours;
    outcome.baseLoadKwh += result.baseLoadKw * dtHours;
    const { spec, state } = home;
    if (spec.heatPump) {
      const { comfortMinC, comfortMaxC } = spec.preferences;
      const below = comfortMinC - state.indoorC;
      const above = state.indoorC - comfortMaxC;
      // A small tolerance so a thermostat that lands on the band's edge is not counted outside it.
      if (below > 1e-6) outcome.comfortDegreeHoursOutside += below * dtHours;
      if (above > 1e-6) outcome.comfortDegreeHoursOutside += above * dtHours;
    }
  }
}

/** The feeder's figures over the run. */
export class NetworkRecorder implements StreetParticipant {
  readonly name = 'network';
  readonly network: NetworkOutcome = {
    transformerPeakKw: Number.NEGATIVE_INFINITY,
    transformerPeakLoadingPct: 0,
    minVoltageV: Number.POSITIVE_INFINITY,
    maxVoltageV: Number.NEGATIVE_INFINITY,
    busMinutesOutsideStatutoryLimits: 0,
    lossesKwh: 0,
    transformerOverloadSteps: 0,
  };
  readonly stress: NetworkStressTracker;
  /** Voltage indices of the customers' connections: the statutory limits apply there. */
  private readonly customerStates: number[];

  constructor(
    feeder: FeederNetwork,
    homes: readonly StreetHome[],
    stepMinutes: number,
    private readonly series: RunSeries | undefined,
    private readonly counted: CountedSpan = WHOLE_RUN,
  ) {
    this.customerStates = [...new Set(homes.map((home) => home.voltageIndex))];
    this.stress = new NetworkStressTracker(feeder, this.customerStates, stepMinutes);
  }

  step(frame: StepFrame): void {
    const flow = frame.flow;
    if (!flow || frame.step < this.counted.step) return;
    const network = this.network;
    network.transformerPeakKw = Math.max(network.transformerPeakKw, flow.substationPTotalKw);
    network.transformerPeakLoadingPct = Math.max(
      network.transformerPeakLoadingPct,
      flow.transformerLoadingPct,
    );
    if (flow.transformerLoadingPct > 100) network.transformerOverloadSteps++;
    network.minVoltageV = Math.min(network.minVoltageV, flow.vMin.volts);
    network.maxVoltageV = Math.max(network.maxVoltageV, flow.vMax.volts);
    for (const state of this.customerStates) {
      const volts = flow.busVoltsMag[state] as number;
      if (volts < STATUTORY_VOLTS.min || volts > STATUTORY_VOLTS.max) {
        network.busMinutesOutsideStatutoryLimits += frame.stepMinutes;
      }
    }
    let transformerLossesKw = 0;
    for (const transformer of flow.transformers) transformerLossesKw += transformer.lossesKw;
    network.lossesKwh += (flow.lossesKw + transformerLossesKw) * frame.dtHours;
    this.stress.record(flow, frame.minuteOfYear);
    const series = this.series;
    if (series) {
      const k = frame.step - this.counted.step;
      series.substationKw[k] = flow.substationPTotalKw;
      series.transformerLoadingPct[k] = flow.transformerLoadingPct;
      series.minVoltageV[k] = flow.vMin.volts;
      series.maxVoltageV[k] = flow.vMax.volts;
    }
  }
}

/** Series buffers for a run of `stepCount` steps. */
export function emptySeries(homeCount: number, stepCount: number): RunSeries {
  const perHome = () => Array.from({ length: homeCount }, () => new Float64Array(stepCount));
  return {
    substationKw: new Float64Array(stepCount),
    transformerLoadingPct: new Float64Array(stepCount),
    minVoltageV: new Float64Array(stepCount),
    maxVoltageV: new Float64Array(stepCount),
    homePKw: perHome(),
    homeSocPct: perHome(),
    homeIndoorC: perHome(),
  };
}

function recordHomeSeries(series: RunSeries, home: StreetHome, k: number, pKw: number): void {
  const { spec, state } = home;
  (series.homePKw[home.index] as Float64Array)[k] = pKw;
  (series.homeSocPct[home.index] as Float64Array)[k] = spec.battery
    ? (100 * state.batterySocKwh) / spec.battery.capacityKwh
    : spec.ev
      ? (100 * state.evSocKwh) / spec.ev.capacityKwh
      : Number.NaN;
  (series.homeIndoorC[home.index] as Float64Array)[k] = spec.heatPump ? state.indoorC : Number.NaN;
}

function emptyOutcome(home: StreetHome): HomeOutcome {
  const { spec } = home;
  const assets: string[] = [];
  if (spec.pv) assets.push('pv');
  if (spec.battery) assets.push('battery');
  if (spec.ev) assets.push('ev');
  if (spec.heatPump) assets.push('heat-pump');
  return {
    home: spec.id,
    bus: spec.bus,
    phase: spec.phase,
    policy: home.policy.name,
    assets,
    tariffAtStart: home.tariff.id,
    tariffAtEnd: home.tariff.id,
    billGbp: 0,
    importKwh: 0,
    exportKwh: 0,
    carbonKg: 0,
    comfortDegreeHoursOutside: 0,
    evShortfallKwh: 0,
    switches: 0,
    cannotKeepCount: 0,
    pvKwh: 0,
    pvCurtailedKwh: 0,
    heatPumpKwh: 0,
    heatPumpHeatKwh: 0,
    evChargeKwh: 0,
    baseLoadKwh: 0,
  };
}
