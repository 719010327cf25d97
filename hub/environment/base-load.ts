/**
 * Synthetic domestic base-load profiles for any day of the year, derived from a library of measured daily
 * profiles (the IEEE EU LV feeder's 100 one-minute profiles), deterministic from a seed. Pure: the file
 * reading is `loadBaseLoadLibrary(dir)` in ./load-base-load.ts.
 *
 * Method, for home h on day d:
 * - the home's annual energy is `annualKwh` (default the Ofgem TDCV, 2,700 kWh/yr), times a household
 *   factor uniform in [1 − householdSpread, 1 + householdSpread] drawn once per home (default spread 0);
 * - the annual energy is split over the days by a seasonal factor 1 + 0.22·cos(2π(d − 15)/365) (winter
 *   higher, as Elexon profile class 1) and a per-day noise factor (sd `dailyEnergySd`), normalised so the
 *   365 days sum exactly to the home's annual energy;
 * - the day's shape is one of the library profiles (each home draws from its own 5-profile repertoire, so a
 *   household stays recognisable), shifted circularly by up to ±`maxShiftMinutes` (and 45 min later at
 *   weekends), then scaled to the day's energy.
 * Each (seed, home, day) has its own random stream, so days can be generated in any order.
 *
 * API:
 *   interface BaseLoadLibrary { profilesKw: readonly Float64Array[] (1440 one-minute kW values each); source }
 *   createBaseLoadGenerator(library, options?: BaseLoadOptions) -> BaseLoadGenerator
 *     .dayKw(homeId, dayOfYear) -> Float64Array(1440)   one-minute kW
 *     .dayStepKwh(homeId, dayOfYear, stepMinutes = 30) -> Float64Array   kWh per step
 *     .dayEnergyKwh(homeId, dayOfYear) -> number
 *     .annualKwh(homeId) -> number
 *   seasonalFactor(dayOfYear) -> number (mean 1 over the year)
 *   minuteKwToStepKwh(minuteKw, stepMinutes) -> Float64Array
 *   TDCV_KWH_PER_YEAR = 2700
 */
import { createRng, type Rng } from '../random.js';
import { DAYS_PER_YEAR, MINUTES_PER_DAY, weekdayOfDay } from './calendar.js';

/** Ofgem typical domestic consumption value, electricity, kWh/yr (uk-energy-facts.md). */
export const TDCV_KWH_PER_YEAR = 2700;

/** Measured daily profiles to draw shapes from. */
export interface BaseLoadLibrary {
  /** One-minute kW, 1440 values per profile. */
  readonly profilesKw: readonly Float64Array[];
  /** Where they came from (for reports). */
  readonly source: string;
}

/** Options of the base-load generator. */
export interface BaseLoadOptions {
  /** Typical annual consumption of a home, kWh/yr (default 2700, TDCV). */
  annualKwh?: number;
  /** Seed of every random stream (default 1). */
  seed?: number;
  /** Households vary in annual energy uniformly by ± this fraction (default 0: every home uses annualKwh). */
  householdSpread?: number;
  /** Standard deviation of the day-to-day energy factor before normalisation (default 0.12). */
  dailyEnergySd?: number;
  /** Largest circular time shift of a day's shape, minutes (default 30). */
  maxShiftMinutes?: number;
}

/** Generates base-load days for homes. */
export interface BaseLoadGenerator {
  dayKw(homeId: string, dayOfYear: number): Float64Array;
  dayStepKwh(homeId: string, dayOfYear: number, stepMinutes?: number): Float64Array;
  dayEnergyKwh(homeId: string, dayOfYear: number): number;
  annualKwh(homeId: string): number;
}

const REPERTOIRE_SIZE = 5;
const WEEKEND_SHIFT_MINUTES = 45;

/** Seasonal weight of a day's energy, mean 1 over 365 days. */
export function seasonalFactor(dayOfYear: number): number {
  return 1 + 0.22 * Math.cos((2 * Math.PI * (dayOfYear - 15)) / DAYS_PER_YEAR);
}

/** Sums one-minute kW into kWh per step of `stepMinutes` (which must divide 1440). */
export function minuteKwToStepKwh(minuteKw: Float64Array, stepMinutes: number): Float64Array {
  if (!Number.isInteger(stepMinutes) || stepMinutes <= 0 || minuteKw.length % stepMinutes !== 0) {
    throw new RangeError(`stepMinutes ${stepMinutes} must be a positive divisor of ${minuteKw.length}`);
  }
  const steps = new Float64Array(minuteKw.length / stepMinutes);
  for (let minute = 0; minute < minuteKw.length; minute++) {
    const index = Math.floor(minute / stepMinutes);
    steps[index] = (steps[index] ?? 0) + (minuteKw[minute] ?? 0) / 60;
  }
  return steps;
}

function profileEnergyKwh(profile: Float64Array): number {
  let sum = 0;
  for (const kw of profile) sum += kw;
  return sum / 60;
}

/** A generator over a library (validated: at least one profile, 1440 non-negative values, some energy). */
export function createBaseLoadGenerator(
  library: BaseLoadLibrary,
  options: BaseLoadOptions = {},
): BaseLoadGenerator {
  const annualKwhOption = options.annualKwh ?? TDCV_KWH_PER_YEAR;
  const seed = options.seed ?? 1;
  const spread = options.householdSpread ?? 0;
  const dailySd = options.dailyEnergySd ?? 0.12;
  const maxShift = options.maxShiftMinutes ?? 30;
  if (!(annualKwhOption > 0)) throw new RangeError(`annualKwh must be positive, got ${annualKwhOption}`);
  if (!(spread >= 0 && spread < 1)) throw new RangeError(`householdSpread must be in [0, 1), got ${spread}`);
  if (library.profilesKw.length === 0) throw new RangeError('the base-load library has no profiles');
  library.profilesKw.forEach((profile, index) => {
    if (
      profile.length !== MINUTES_PER_DAY ||
      profileEnergyKwh(profile) <= 0 ||
      profile.some((kw) => kw < 0)
    ) {
      throw new RangeError(
        `base-load profile ${index + 1} must have 1440 non-negative values and some energy`,
      );
    }
  });
  const root = createRng(seed);
  const homes = new Map<string, { annualKwh: number; dayShares: Float64Array; repertoire: number[] }>();

  const home = (homeId: string) => {
    let state = homes.get(homeId);
    if (state) return state;
    const rng: Rng = root.fork(`base-load/${homeId}`);
    const annualKwh = annualKwhOption * (1 + spread * rng.uniform(-1, 1));
    const weights = new Float64Array(DAYS_PER_YEAR);
    let total = 0;
    for (let day = 0; day < DAYS_PER_YEAR; day++) {
      const weight = seasonalFactor(day) * Math.max(0.5, 1 + rng.normal(0, dailySd));
      weights[day] = weight;
      total += weight;
    }
    const dayShares = weights.map((weight) => weight / total);
    const repertoire = Array.from({ length: REPERTOIRE_SIZE }, () => rng.int(library.profilesKw.length));
    state = { annualKwh, dayShares, repertoire };
    homes.set(homeId, state);
    return state;
  };

  const dayEnergyKwh = (homeId: string, dayOfYear: number): number => {
    const state = home(homeId);
    const day = ((dayOfYear % DAYS_PER_YEAR) + DAYS_PER_YEAR) % DAYS_PER_YEAR;
    return state.annualKwh * (state.dayShares[day] ?? 0);
  };

  const dayKw = (homeId: string, dayOfYear: number): Float64Array => {
    const state = home(homeId);
    const rng = root.fork(`base-load/${homeId}/day/${dayOfYear}`);
    const profileIndex = state.repertoire[rng.int(state.repertoire.length)] ?? 0;
    const profile = library.profilesKw[profileIndex] ?? new Float64Array(MINUTES_PER_DAY);
    const weekendShift = weekdayOfDay(dayOfYear) >= 5 ? WEEKEND_SHIFT_MINUTES : 0;
    const shift = Math.round(rng.uniform(-maxShift, maxShift)) + weekendShift;
    const scale = dayEnergyKwh(homeId, dayOfYear) / profileEnergyKwh(profile);
    const out = new Float64Array(MINUTES_PER_DAY);
    for (let minute = 0; minute < MINUTES_PER_DAY; minute++) {
      const source = (((minute - shift) % MINUTES_PER_DAY) + MINUTES_PER_DAY) % MINUTES_PER_DAY;
      out[minute] = (profile[source] ?? 0) * scale;
    }
    return out;
  };

  return {
    dayKw,
    dayStepKwh: (homeId, dayOfYear, stepMinutes = 30) =>
      minuteKwToStepKwh(dayKw(homeId, dayOfYear), stepMinutes),
    dayEnergyKwh,
    annualKwh: (homeId) => home(homeId).annualKwh,
  };
}
