/**
 * The world of a year run: the scenario's representative year (weather, wholesale prices, carbon), each
 * home's synthetic base load, its panels' output and its EV's trips, and every tariff's prices per step.
 */

import {
  type BaseLoadLibrary,
  createBaseLoadGenerator,
  TDCV_KWH_PER_YEAR,
} from '../environment/base-load.js';
import { MINUTES_PER_DAY, STEPS_PER_DAY } from '../environment/calendar.js';
import type { RepresentativeYear } from '../environment/year.js';
import { drawEvPattern, type EvPattern, type HomeStepInputs, pvAvailableKw } from '../homes/index.js';
import { type Rates, rates, type Tariff } from '../market/tariff.js';
import type { Rng } from '../random.js';
import type { ResolvedHome, Scenario } from '../scenarios/resolve.js';
import type { StreetHome } from './street-home.js';
import type { StreetWorld } from './world.js';

/** The span a run simulates: its first day of the year and the number of days. */
export interface RunSpan {
  startDay: number;
  days: number;
}

/** One home's series over the run. */
interface HomeSeries {
  baseLoadKw: Float64Array;
  pvAvailableKw: Float64Array;
  ev?: EvPattern;
}

/** Base-load series per base-load library and span (read-only once made): runs on the same inputs share them. */
const baseLoadCaches = new WeakMap<BaseLoadLibrary, Map<string, Float64Array>>();

export class YearWorld implements StreetWorld {
  readonly stepMinutes: number;
  /** A year run plans at its own step. */
  readonly planStepMinutes: number;
  readonly stepCount: number;
  private readonly firstStep: number;
  private readonly carbon: Float64Array;
  private readonly priceCache = new Map<string, Rates>();
  private readonly homeSeries: HomeSeries[];

  /**
   * @param rng - the run's random stream; each home's EV pattern draws from its own fork of it.
   */
  constructor(
    scenario: Scenario,
    private readonly year: RepresentativeYear,
    baseLoadLibrary: BaseLoadLibrary,
    private readonly span: RunSpan,
    rng: Rng,
  ) {
    this.stepMinutes = scenario.stepMinutes;
    this.planStepMinutes = scenario.stepMinutes;
    this.stepCount = span.days * STEPS_PER_DAY;
    this.firstStep = span.startDay * STEPS_PER_DAY;
    if (this.firstStep + this.stepCount > year.stepCount) {
      throw new RangeError(
        `the year has ${year.stepCount} steps; the run needs ${this.firstStep + this.stepCount}`,
      );
    }
    this.carbon = new Float64Array(this.stepCount);
    for (let k = 0; k < this.stepCount; k++) {
      this.carbon[k] = (year.carbonGPerKwh[this.firstStep + k] ?? 0) / 1000;
    }
    const baseLoads = baseLoadSeries(scenario, baseLoadLibrary, span);
    this.homeSeries = scenario.homes.map((resolved) =>
      this.seriesOf(resolved, baseLoads(resolved), rng.fork(`home-${resolved.spec.id}`)),
    );
  }

  minuteOfYear(step: number): number {
    return (this.firstStep + step) * this.stepMinutes;
  }

  wholesaleGbpPerKwh(step: number): number {
    return this.year.wholesaleGbpPerKwh[this.firstStep + step] ?? 0;
  }

  carbonKgPerKwh(step: number): number {
    return this.carbon[step] ?? 0;
  }

  prices(tariff: Tariff): Rates {
    let prices = this.priceCache.get(tariff.id);
    if (!prices) {
      prices = rates(tariff, this.minuteOfYear(0), this.stepCount, this.stepMinutes, (k) =>
        this.wholesaleGbpPerKwh(k),
      );
      this.priceCache.set(tariff.id, prices);
    }
    return prices;
  }

  fillForecast(home: StreetHome, step: number, horizonSteps: number): void {
    const forecast = home.forecast;
    const series = this.homeSeries[home.index] as HomeSeries;
    const prices = this.prices(home.tariff);
    for (let t = 0; t < horizonSteps; t++) {
      const j = (step + t) % this.stepCount;
      const g = this.firstStep + j;
      forecast.baseLoadKw[t] = series.baseLoadKw[j] ?? 0;
      forecast.pvAvailableKw[t] = series.pvAvailableKw[j] ?? 0;
      forecast.outdoorC[t] = this.year.outdoorTempC[g] ?? 0;
      forecast.importPriceGbpPerKwh[t] = prices.importGbpPerKwh[j] ?? 0;
      forecast.exportPriceGbpPerKwh[t] = prices.exportGbpPerKwh[j] ?? 0;
      forecast.carbonKgPerKwh[t] = this.carbon[j] ?? 0;
      forecast.evAtHome[t] = series.ev?.atHome[j] ?? 1;
      forecast.evTripKwh[t] = series.ev?.tripKwh[j] ?? 0;
      forecast.minuteOfDay[t] = (g * this.stepMinutes) % MINUTES_PER_DAY;
    }
  }

  stepInputs(home: StreetHome, step: number): HomeStepInputs {
    const series = this.homeSeries[home.index] as HomeSeries;
    const g = this.firstStep + step;
    return {
      dtHours: this.stepMinutes / 60,
      baseLoadKw: series.baseLoadKw[step] ?? 0,
      irradianceWPerM2: this.year.irradianceWPerM2[g] ?? 0,
      outdoorC: this.year.outdoorTempC[g] ?? 0,
      voltsLn: home.voltsLn,
      evAtHome: (series.ev?.atHome[step] ?? 1) === 1,
      evTripKwh: series.ev?.tripKwh[step] ?? 0,
    };
  }

  evTripKwh(home: StreetHome, step: number): number {
    return this.homeSeries[home.index]?.ev?.tripKwh[step] ?? 0;
  }

  private seriesOf(resolved: ResolvedHome, baseLoadKw: Float64Array, homeRng: Rng): HomeSeries {
    const spec = resolved.spec;
    const pvKw = new Float64Array(this.stepCount);
    if (spec.pv) {
      for (let k = 0; k < this.stepCount; k++) {
        pvKw[k] = pvAvailableKw(spec.pv, this.year.irradianceWPerM2[this.firstStep + k] ?? 0);
      }
    }
    const ev =
      spec.ev && resolved.evHabits
        ? drawEvPattern({
            habits: resolved.evHabits,
            spec: spec.ev,
            targetSocPct: spec.preferences.evTargetSocPct,
            stepMinutes: this.stepMinutes,
            stepCount: this.stepCount,
            firstDayOfYear: this.span.startDay,
            random: homeRng.fork('ev').next,
          })
        : undefined;
    return { baseLoadKw, pvAvailableKw: pvKw, ...(ev ? { ev } : {}) };
  }
}

/** Each home's base load over the span, kW per step (they do not depend on the policy, so runs share them). */
function baseLoadSeries(
  scenario: Scenario,
  library: BaseLoadLibrary,
  span: RunSpan,
): (resolved: ResolvedHome) => Float64Array {
  const generator = createBaseLoadGenerator(library, { seed: scenario.seed });
  let cache = baseLoadCaches.get(library);
  if (!cache) {
    cache = new Map();
    baseLoadCaches.set(library, cache);
  }
  const known = cache;
  const stepMinutes = scenario.stepMinutes;
  return (resolved) => {
    const { id } = resolved.spec;
    const annualKwh = resolved.baseLoad.annualKwh;
    const key = `${id}|${annualKwh}|${span.startDay}|${span.days}|${scenario.seed}|${stepMinutes}`;
    const cached = known.get(key);
    if (cached) return cached;
    const series = new Float64Array(span.days * STEPS_PER_DAY);
    const scale = annualKwh / TDCV_KWH_PER_YEAR / (stepMinutes / 60);
    for (let d = 0; d < span.days; d++) {
      const stepKwh = generator.dayStepKwh(id, span.startDay + d, stepMinutes);
      for (let s = 0; s < STEPS_PER_DAY; s++) series[d * STEPS_PER_DAY + s] = (stepKwh[s] ?? 0) * scale;
    }
    known.set(key, series);
    return series;
  };
}
