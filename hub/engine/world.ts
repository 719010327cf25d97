/**
 * What a street's participants know of the world around the homes: the clock, prices, carbon, the
 * weather and each home's base load, sun and EV. A year run reads it from the representative year
 * (./year-world.ts); the live table from its own day and the market in force.
 */
import type { HomeStepInputs } from '../homes/index.js';
import type { Tariff } from '../market/tariff.js';
import type { StreetHome } from './street-home.js';

/** A tariff's prices per step of the run, £/kWh (import includes pass-through network charges). */
export interface PriceSeries {
  importGbpPerKwh: Float64Array;
  exportGbpPerKwh: Float64Array;
}

export interface StreetWorld {
  readonly stepMinutes: number;
  /** Steps in the run; series index by run step, and forecasts past the end wrap to its start. */
  readonly stepCount: number;
  minuteOfYear(step: number): number;
  wholesaleGbpPerKwh(step: number): number;
  carbonKgPerKwh(step: number): number;
  /** The tariff's prices over the run (made once per tariff). */
  prices(tariff: Tariff): PriceSeries;
  /** Copies the coming `horizonSteps` (from `step`) into the home's forecast buffers. */
  fillForecast(home: StreetHome, step: number, horizonSteps: number): void;
  /** What the home sees during `step` (its voltage is the last power flow's). */
  stepInputs(home: StreetHome, step: number): HomeStepInputs;
  /** Trip energy the home's EV takes when it leaves at `step` (0 when it does not leave), kWh. */
  evTripKwh(home: StreetHome, step: number): number;
}
