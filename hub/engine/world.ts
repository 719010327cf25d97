/**
 * What a street's participants know of the world around the homes: the clock, prices, carbon, the
 * weather and each home's base load, sun and EV. A year run reads it from the representative year
 * (./year-world.ts); the live table from its own day and the market in force.
 */
import type { HomeStepInputs } from '../homes/index.js';
import type { Rates, Tariff } from '../market/tariff.js';
import type { ForecastSource } from './participants/residents.js';
import type { StreetHome } from './street-home.js';

/** What each home sees during a step: its inputs and its EV's departures. */
export interface InputSource {
  /** What the home sees during `step` (its voltage is the last power flow's). */
  stepInputs(home: StreetHome, step: number): HomeStepInputs;
  /** Trip energy the home's EV takes when it leaves at `step` (0 when it does not leave), kWh. */
  evTripKwh(home: StreetHome, step: number): number;
}

/** The world of a run over a fixed span of steps (a year run, a study). */
export interface StreetWorld extends ForecastSource, InputSource {
  readonly stepMinutes: number;
  /** Steps in the run; series index by run step, and forecasts past the end wrap to its start. */
  readonly stepCount: number;
  minuteOfYear(step: number): number;
  wholesaleGbpPerKwh(step: number): number;
  carbonKgPerKwh(step: number): number;
  /** The tariff's prices over the run (made once per tariff). */
  prices(tariff: Tariff): Rates;
}
