/** A home as the Street's participants share it: its spec, its agent, its contract and its state. */
import type { HomeForecast, Plan, Policy } from '../agents/index.js';
import type { HomeSpec, HomeState } from '../homes/index.js';
import type { Tariff } from '../market/tariff.js';

export interface StreetHome {
  readonly index: number;
  /** What the home is made of (live, it changes when assets are placed or lifted). */
  spec: HomeSpec;
  /** The agent that plans the home's devices. */
  policy: Policy;
  state: HomeState;
  /** The tariff the home is on, and since when (for exit fees). */
  tariff: Tariff;
  contractStartMinute: number;
  /** The plan being followed and the plan slot it was made in. */
  plan?: Plan;
  planSlot: number;
  /** Forecast buffers, reused by each plan (the longest horizon of the run's policies). */
  forecast: HomeForecast;
  /** Index of the home's bus-phase in the power flow's voltages (`bus * 3 + phase`). */
  voltageIndex: number;
  /** Line-to-neutral volts at the home from the last power flow. */
  voltsLn: number;
  /** Energy the home's supplier metered per step (import and export), kWh: what tariff reviews bill. */
  meteredImportKwh: Float64Array;
  meteredExportKwh: Float64Array;
}

/** Volts at which a home's load draws its nominal power, and what a home sees before the first solve. */
export const NOMINAL_VOLTS_LN = 230;

/** Forecast buffers for a horizon of `horizonSteps`. */
export function emptyForecast(horizonSteps: number): HomeForecast {
  return {
    baseLoadKw: new Float64Array(horizonSteps),
    pvAvailableKw: new Float64Array(horizonSteps),
    outdoorC: new Float64Array(horizonSteps),
    importPriceGbpPerKwh: new Float64Array(horizonSteps),
    exportPriceGbpPerKwh: new Float64Array(horizonSteps),
    carbonKgPerKwh: new Float64Array(horizonSteps),
    evAtHome: new Uint8Array(horizonSteps),
    evTripKwh: new Float64Array(horizonSteps),
    minuteOfDay: new Int32Array(horizonSteps),
  };
}
