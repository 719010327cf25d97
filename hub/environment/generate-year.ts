/**
 * Deterministic generator of a UK-like representative year (pure; `gridflex data year` writes it).
 *
 * API:
 *   generateYear(options?: {seed?: number; latitudeDeg?: number; longitudeDeg?: number}) -> RepresentativeYear
 *   yearCsvComments(options) -> string[]   the comment lines the CLI writes above the header
 *   DEFAULT_YEAR_SEED = 1
 *
 * Method (each process draws from its own stream of hub/random.ts, so one change does not shift the others):
 * - Solar: clear-sky global horizontal irradiance from the sun's elevation at 52°N, 1.5°W (Cooper
 *   declination, equation of time ignored; Haurwitz clear-sky model 1098·cosZ·exp(−0.059/cosZ)) at the
 *   middle of each step, times the Kasten–Czeplak cloud factor 1 − 0.75·C^3.4. Cloud cover C is a daily
 *   AR(1) process around a seasonal mean (0.75 in winter, 0.55 in summer) plus half-hourly variation.
 * - Temperature: seasonal mean 10 − 6.3·cos(2π(d − 18)/365) °C, a daily AR(1) anomaly (sd ≈ 2.8 °C,
 *   persistence 0.75), and a diurnal cycle peaking at 15:00 whose amplitude grows on clear days.
 * - Wind: a half-hourly AR(1) index (persistence ≈ 0.985) turned into a capacity factor with a seasonal
 *   mean of about 0.45 in winter and 0.25 in summer.
 * - Wholesale (£/MWh) follows residual demand in a stylised GB system: demand (GW) with a winter premium,
 *   a morning ramp, an evening peak at 17:30 and lower weekends; minus wind (30 GW fleet), solar
 *   (16 GW fleet) and 5 GW nuclear. Price = 25 + 2.6·residual + 0.09·max(0, residual − 18)² + noise,
 *   falling steeply (and below zero) when residual demand is under 6 GW.
 * - Carbon (g/kWh): residual demand is met by gas (≈ 390 g/kWh) and a must-run mix (biomass, imports:
 *   ≈ 60 g/kWh over 8 GW); intensity = emissions / demand, so it is low on windy nights and sunny middays.
 * Values are rounded to the CSV's decimals so the in-memory year equals the year read back from the CSV.
 */
import { createRng } from '../random.js';
import { DAYS_PER_YEAR, STEP_MINUTES, STEPS_PER_DAY, STEPS_PER_YEAR, weekdayOfDay } from './calendar.js';
import { type RepresentativeYear, YEAR_CSV_DECIMALS } from './year.js';

export const DEFAULT_YEAR_SEED = 1;

const WIND_FLEET_GW = 26;
const SOLAR_FLEET_GW = 16;
const PRICE_INTERCEPT = 48;
const PRICE_SLOPE = 2.1;
const NEGATIVE_BELOW_GW = 2;
/** Biomass, imports and other dispatchable non-gas generation. */
const MUST_RUN_GW = 6;
const MUST_RUN_G_PER_KWH = 200;

/** Options of the year generator. */
export interface GenerateYearOptions {
  /** Seed of every random stream (integer). */
  seed?: number;
  /** Site latitude for the solar geometry, degrees north. */
  latitudeDeg?: number;
  /** Site longitude, degrees east (GB clock time is solar time at 0°). */
  longitudeDeg?: number;
}

const DEG = Math.PI / 180;

function round(value: number, decimals: number): number {
  const scale = 10 ** decimals;
  // + 0 turns -0 into 0 so that the value equals what the CSV reads back.
  return Math.round(value * scale) / scale + 0;
}

/** Cosine of the solar zenith angle at a fractional day of year and hour (GMT). */
function cosZenith(dayOfYear: number, hourGmt: number, latitudeDeg: number, longitudeDeg: number): number {
  const declination = 23.45 * DEG * Math.sin((2 * Math.PI * (284 + dayOfYear + 1)) / 365);
  const solarHour = hourGmt + longitudeDeg / 15;
  const hourAngle = (solarHour - 12) * 15 * DEG;
  const latitude = latitudeDeg * DEG;
  return (
    Math.sin(latitude) * Math.sin(declination) +
    Math.cos(latitude) * Math.cos(declination) * Math.cos(hourAngle)
  );
}

/** Seasonal weight: 1 in midwinter (mid-January), 0 in midsummer. */
function winterness(day: number): number {
  return 0.5 + 0.5 * Math.cos((2 * Math.PI * (day - 15)) / 365);
}

/** National demand (GW) shape: winter premium, morning ramp, evening peak, lower weekends. */
function demandGw(day: number, hour: number, temperatureC: number): number {
  const weekend = weekdayOfDay(day) >= 5;
  const overnight = 20;
  const daytime = hour >= 7 && hour < 23 ? 7 * Math.min(1, (hour - 6) / 2) : 0;
  const eveningPeak = 6 * Math.exp(-((hour - 17.5) ** 2) / 3);
  const lateFade = hour >= 21 ? -3 * Math.min(1, (hour - 21) / 2) : 0;
  const heating = 0.35 * Math.max(0, 14 - temperatureC);
  const seasonal = 4 * winterness(day);
  const total = overnight + daytime + eveningPeak + lateFade + heating + seasonal;
  return weekend ? total - (hour >= 7 ? 3.5 : 1) : total;
}

/** The UK-like representative year for a seed. */
export function generateYear(options: GenerateYearOptions = {}): RepresentativeYear {
  const seed = options.seed ?? DEFAULT_YEAR_SEED;
  const latitudeDeg = options.latitudeDeg ?? 52;
  const longitudeDeg = options.longitudeDeg ?? -1.5;
  const root = createRng(seed);
  const cloudRng = root.fork('cloud');
  const temperatureRng = root.fork('temperature');
  const windRng = root.fork('wind');
  const priceRng = root.fork('price');

  const irradianceWPerM2 = new Float64Array(STEPS_PER_YEAR);
  const outdoorTempC = new Float64Array(STEPS_PER_YEAR);
  const wholesaleGbpPerKwh = new Float64Array(STEPS_PER_YEAR);
  const carbonGPerKwh = new Float64Array(STEPS_PER_YEAR);

  let cloudAnomaly = 0;
  let temperatureAnomaly = 0;
  let windIndex = 0;
  for (let day = 0; day < DAYS_PER_YEAR; day++) {
    const winter = winterness(day);
    cloudAnomaly = 0.6 * cloudAnomaly + cloudRng.normal(0, 0.22);
    const dailyCloud = Math.min(1, Math.max(0, 0.75 + 0.1 * winter + cloudAnomaly));
    temperatureAnomaly = 0.75 * temperatureAnomaly + temperatureRng.normal(0, 1.85);
    const seasonalTempC = 10 - 6.3 * Math.cos((2 * Math.PI * (day - 18)) / 365);
    const diurnalAmplitudeC = 1.2 + 4.2 * (1 - dailyCloud) * (0.6 + 0.4 * (1 - winter));

    for (let slot = 0; slot < STEPS_PER_DAY; slot++) {
      const step = day * STEPS_PER_DAY + slot;
      const hour = ((slot + 0.5) * STEP_MINUTES) / 60;

      const cloud = Math.min(1, Math.max(0, dailyCloud + cloudRng.normal(0, 0.12)));
      const cosZ = cosZenith(day, hour, latitudeDeg, longitudeDeg);
      const clearSky = cosZ > 0.01 ? 1098 * cosZ * Math.exp(-0.059 / cosZ) : 0;
      const irradiance = clearSky * (1 - 0.75 * cloud ** 3.4);

      const diurnal = Math.cos((2 * Math.PI * (hour - 15)) / 24);
      const temperature =
        seasonalTempC + temperatureAnomaly + diurnalAmplitudeC * diurnal + temperatureRng.normal(0, 0.25);

      windIndex = 0.985 * windIndex + windRng.normal(0, 0.17);
      const windMean = 0.25 + 0.2 * winter;
      const windCapacityFactor = Math.min(0.95, Math.max(0.02, windMean + 0.22 * windIndex));

      const demand = demandGw(day, hour, temperature);
      const residualGw =
        demand - WIND_FLEET_GW * windCapacityFactor - SOLAR_FLEET_GW * (irradiance / 1000) - 5;
      let priceGbpPerMwh =
        PRICE_INTERCEPT +
        PRICE_SLOPE * residualGw +
        0.12 * Math.max(0, residualGw - 16) ** 2 +
        15 * winter +
        priceRng.normal(0, 5);
      if (residualGw < NEGATIVE_BELOW_GW) priceGbpPerMwh -= 12 * (NEGATIVE_BELOW_GW - residualGw);
      priceGbpPerMwh = Math.max(-150, priceGbpPerMwh);

      const gasGw = Math.max(0, residualGw - MUST_RUN_GW);
      const carbon = (gasGw * 390 + MUST_RUN_GW * MUST_RUN_G_PER_KWH) / demand + priceRng.normal(0, 4);

      irradianceWPerM2[step] = round(Math.max(0, irradiance), YEAR_CSV_DECIMALS.irradiance_w_per_m2);
      outdoorTempC[step] = round(temperature, YEAR_CSV_DECIMALS.outdoor_temp_c);
      wholesaleGbpPerKwh[step] = round(priceGbpPerMwh, YEAR_CSV_DECIMALS.wholesale_gbp_per_mwh) / 1000;
      carbonGPerKwh[step] = round(Math.min(400, Math.max(40, carbon)), YEAR_CSV_DECIMALS.carbon_g_per_kwh);
    }
  }
  return {
    stepMinutes: STEP_MINUTES,
    stepCount: STEPS_PER_YEAR,
    irradianceWPerM2,
    outdoorTempC,
    wholesaleGbpPerKwh,
    carbonGPerKwh,
    source: `gridflex data year --seed ${seed}`,
  };
}

/** The comment lines written above the CSV header: method, units and conventions. */
export function yearCsvComments(options: GenerateYearOptions = {}): string[] {
  const seed = options.seed ?? DEFAULT_YEAR_SEED;
  return [
    `GridFlex representative UK-like year, generated by: gridflex data year --seed ${seed}`,
    'Synthetic (hub/environment/generate-year.ts documents the method); not measured data.',
    `Site ${options.latitudeDeg ?? 52} N ${options.longitudeDeg ?? -1.5} E; 365 days from a Monday; GMT clock time, no daylight saving.`,
    'Columns: step (0-based), day (1-based), time (step start, HH:MM), irradiance_w_per_m2 (global horizontal, step mean),',
    'outdoor_temp_c, wholesale_gbp_per_mwh (day-ahead, may be negative), carbon_g_per_kwh (grid intensity).',
  ];
}
