import type { HomeForecast } from '../agents/policy.js';
import { type FeederNetwork, profilePowerKw } from '../feeder/index.js';
import type { MarketRedTeam } from './live-market.js';
import { carbonKgPerKwh, EV_TRIP, evAway, outdoorC, sunShare } from './live-weather.js';

const MINUTE_MS = 60_000;
/** How long a pinned sensor's reading persists in a forecast: its weight falls by a factor e every hour ahead. */
const PERSISTENCE_MINUTES = 60;

/**
 * What the agents need from the market: prices ahead for their forecasts, the price now, and its rules; for
 * a home, on the tariff that home is on (without one, the street's).
 */
export interface PriceSource {
  priceSeries(
    start: Date,
    stepMinutes: number,
    count: number,
    home?: string,
  ): { importGbp: Float64Array; exportGbp: Float64Array };
  pricesAt(simTime: Date, home?: string): { importPriceGbpPerKwh: number; exportPriceGbpPerKwh: number };
  /** The regulator's randomised start delay, which smart chargers apply when a charging block starts. */
  readonly rules: { randomisedStartDelayMinutes: number };
  /** The live market's side the operator's red team reaches (absent: prices with no market behind them). */
  readonly redTeam?: MarketRedTeam;
}

/** Options of {@link homeForecast}. */
export interface HomeForecastOptions {
  network: FeederNetwork;
  /** The feeder load (Loads.csv) that is the home's own demand, if any. */
  baseLoad?: string;
  start: Date;
  stepMinutes: number;
  steps: number;
  prices: PriceSource;
  /** The home, for the tariff it is on. */
  home: string;
  /** What the home's panels give now (the first step), and their best output seen (for the winter sun curve). */
  pvNowKw: number;
  pvBestKw: number;
  /** The resident's ready-by time when an EV is on the plot, else null. */
  evReadyByMinute: number | null;
  /**
   * Hardware in the loop: what the home's pinned sensors read now (PV output ≥ 0, own demand), kW. The forecast
   * starts from the reading and blends into the model's figure ahead (persistence, see {@link persistenceBlend}).
   */
  pinned?: { pvKw?: number; baseLoadKw?: number };
}

/**
 * A persistence forecast blended into the model: the sensor's reading now, weighted e^(−minutes ahead / 60),
 * and the model's figure for that time for the rest.
 */
export function persistenceBlend(sensorKw: number, modelKw: number, minutesAhead: number): number {
  const weight = Math.exp(-minutesAhead / PERSISTENCE_MINUTES);
  return weight * sensorKw + (1 - weight) * modelKw;
}

/**
 * What a table home's agent expects over its horizon: its base load from the feeder profile, PV from the
 * panels' best output on the winter sun curve, the winter day's weather and carbon, the prices in force (and
 * a pending switch), and its EV's trip (away from the ready-by time for ten hours). A pinned sensor's reading
 * takes the place of the PV or the base load now and fades into them ahead.
 */
export function homeForecast(options: HomeForecastOptions): HomeForecast {
  const { network, steps, stepMinutes, evReadyByMinute: readyBy } = options;
  const { importGbp, exportGbp } = options.prices.priceSeries(
    options.start,
    stepMinutes,
    steps,
    options.home,
  );
  const forecast: HomeForecast = {
    baseLoadKw: new Float64Array(steps),
    pvAvailableKw: new Float64Array(steps),
    outdoorC: new Float64Array(steps),
    importPriceGbpPerKwh: importGbp,
    exportPriceGbpPerKwh: exportGbp,
    carbonKgPerKwh: new Float64Array(steps),
    evAtHome: new Uint8Array(steps),
    evTripKwh: new Float64Array(steps),
    minuteOfDay: new Int32Array(steps),
  };
  const baseLoad =
    options.baseLoad === undefined ? undefined : network.loads.find((load) => load.name === options.baseLoad);
  const { pvKw: pinnedPvKw, baseLoadKw: pinnedLoadKw } = options.pinned ?? {};
  for (let t = 0; t < steps; t++) {
    const time = new Date(options.start.getTime() + t * stepMinutes * MINUTE_MS);
    const minute = time.getUTCHours() * 60 + time.getUTCMinutes();
    forecast.minuteOfDay[t] = minute;
    const modelLoadKw =
      baseLoad?.profile === undefined
        ? 0
        : profilePowerKw(network, baseLoad, minute === 0 ? 1440 : minute).pKw;
    const modelPvKw = t === 0 ? options.pvNowKw : options.pvBestKw * sunShare(minute);
    const minutesAhead = t * stepMinutes;
    forecast.baseLoadKw[t] =
      pinnedLoadKw === undefined ? modelLoadKw : persistenceBlend(pinnedLoadKw, modelLoadKw, minutesAhead);
    forecast.pvAvailableKw[t] =
      pinnedPvKw === undefined ? modelPvKw : persistenceBlend(pinnedPvKw, modelPvKw, minutesAhead);
    forecast.outdoorC[t] = outdoorC(minute);
    forecast.carbonKgPerKwh[t] = carbonKgPerKwh(minute);
    if (readyBy !== null) {
      forecast.evAtHome[t] = evAway(readyBy, minute) ? 0 : 1;
      // The trip is booked at the step in which the car leaves, so the ready-by bound falls just before it.
      const leaves = (readyBy - minute + 1440) % 1440 < stepMinutes;
      if (leaves && t > 0) forecast.evTripKwh[t] = EV_TRIP.tripKwh;
    }
  }
  return forecast;
}
