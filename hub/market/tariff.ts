/**
 * Tariffs as data, and the pure pricing of energy under them.
 *
 * A tariff is a validated object (zod schema `TariffSchema`, loaded from YAML by ./catalogue.ts).
 * Rates in the data are in pence (as GB tariffs are quoted); every function returns pounds (£).
 * Time is "minute of year" (see hub/environment/calendar.ts: the year starts on a Monday, GMT).
 * A step is priced at the band in force at its start minute (bands sit on :00/:30, steps divide 30 min).
 *
 * Rate schedules (`RateSchedule`, used for import and for export):
 *   flat         unitRatePencePerKwh
 *   time-of-use  bands [{from "HH:MM", to "HH:MM" (wraps midnight when to <= from), days, unitRatePencePerKwh}]
 *                + otherTimesPencePerKwh; bands must not overlap
 *   dynamic      price = wholesale (p/kWh) × wholesaleMultiplier + adderPencePerKwh
 *                        + peakPremiumPencePerKwh inside [peakFrom, peakTo) on peakDays,
 *                then min(capPencePerKwh), then max(floorPencePerKwh) if a floor is given
 * Network charges (`NetworkChargeSchedule`): red/amber/green DUoS bands in p/kWh of import. A tariff
 * that carries `networkCharges` passes them through to the bill (shown as networkChargeGbp);
 * otherwise they are the supplier's cost (see ./supplier.ts).
 *
 * API:
 *   importPriceGbpPerKwh(tariff, minuteOfYear, wholesaleGbpPerKwh): number
 *   exportPriceGbpPerKwh(tariff, minuteOfYear, wholesaleGbpPerKwh): number      (0 without export terms)
 *   networkChargeGbpPerKwh(schedule | undefined, minuteOfYear): number
 *   networkBandAt(schedule, minuteOfYear): 'red' | 'amber' | 'green'
 *   timeBandAt(schedule, minuteOfYear): TimeBand | undefined      (the time-of-use band in force)
 *   standingChargeGbpPerDay(tariff): number
 *   rates(tariff, fromMinuteOfYear, steps, stepMinutes, wholesaleGbpPerKwh?(step)): Rates
 *     {importGbpPerKwh (unit rate + pass-through network charge), exportGbpPerKwh}: Float64Array per step
 *   rateGbpPerKwh(schedule, minuteOfYear, wholesaleGbpPerKwh): number
 *   billForSeries(tariff, steps: BillStep[], stepMinutes, startMinuteOfYear = 0): Bill
 *     Bill = {energyGbp, standingGbp, networkChargeGbp, exportCreditGbp, totalGbp, importKwh, exportKwh, days}
 *     totalGbp = energyGbp + standingGbp + networkChargeGbp − exportCreditGbp;
 *     standing charge is pro rata: steps × stepMinutes / 1440 days.
 *   parseTariff(value, where): Tariff                 (throws InputError)
 */
import { z } from 'zod';
import { ClockTimeSchema, inClockWindow, parseClock } from '../../protocol/clock.js';
import { dayOfWeek, MINUTES_PER_DAY, minuteOfDay } from '../environment/calendar.js';
import { InputError } from '../errors.js';

/** Which days a band applies to. */
export const DaysSchema = z.enum(['all', 'weekdays', 'weekends']);
export type Days = z.infer<typeof DaysSchema>;

export const TimeBandSchema = z
  .object({
    /** A label for explanations, e.g. "night" or "peak". */
    name: z.string().min(1).optional(),
    from: ClockTimeSchema,
    /** End (exclusive); a band with to <= from wraps past midnight. */
    to: ClockTimeSchema,
    days: DaysSchema.default('all'),
    unitRatePencePerKwh: z.number().finite(),
  })
  .strict();
export type TimeBand = z.infer<typeof TimeBandSchema>;

export const FlatRateSchema = z
  .object({ shape: z.literal('flat'), unitRatePencePerKwh: z.number().finite() })
  .strict();

export const TimeOfUseRateSchema = z
  .object({
    shape: z.literal('time-of-use'),
    bands: z.array(TimeBandSchema).min(1),
    /** Rate outside every band. */
    otherTimesPencePerKwh: z.number().finite(),
  })
  .strict();

export const DynamicRateSchema = z
  .object({
    shape: z.literal('dynamic'),
    wholesaleMultiplier: z.number().finite(),
    adderPencePerKwh: z.number().finite().default(0),
    peakPremiumPencePerKwh: z.number().finite().default(0),
    peakFrom: ClockTimeSchema.default('16:00'),
    peakTo: ClockTimeSchema.default('19:00'),
    peakDays: DaysSchema.default('all'),
    /** Upper cap on the unit rate (e.g. 100 p/kWh). */
    capPencePerKwh: z.number().finite(),
    /** Optional lower bound (e.g. 0 for an export tariff that never charges); none means prices may go negative. */
    floorPencePerKwh: z.number().finite().optional(),
  })
  .strict();

/** How a unit rate is set over time (shared by import and export terms). */
export const RateScheduleSchema = z.discriminatedUnion('shape', [
  FlatRateSchema,
  TimeOfUseRateSchema,
  DynamicRateSchema,
]);
export type RateSchedule = z.infer<typeof RateScheduleSchema>;
export type TariffShape = RateSchedule['shape'];
export const TARIFF_SHAPES: readonly TariffShape[] = ['flat', 'time-of-use', 'dynamic'];

export const NetworkBandSchema = z.enum(['red', 'amber', 'green']);
export type NetworkBand = z.infer<typeof NetworkBandSchema>;

/** DUoS-style network charge bands (p/kWh of import); times outside every period are green. */
export const NetworkChargeScheduleSchema = z
  .object({
    name: z.string().min(1),
    redPencePerKwh: z.number().finite().nonnegative(),
    amberPencePerKwh: z.number().finite().nonnegative(),
    greenPencePerKwh: z.number().finite().nonnegative(),
    periods: z.array(
      z
        .object({
          band: z.enum(['red', 'amber']),
          from: ClockTimeSchema,
          to: ClockTimeSchema,
          days: DaysSchema.default('weekdays'),
        })
        .strict(),
    ),
  })
  .strict();
export type NetworkChargeSchedule = z.infer<typeof NetworkChargeScheduleSchema>;

/** Assets a home must have to be eligible for a tariff. */
export const EligibilitySchema = z.enum(['ev', 'heat-pump', 'pv', 'battery', 'smart-meter']);
export type Eligibility = z.infer<typeof EligibilitySchema>;

export const TariffSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'expected a lower-case id such as "flat-cap"'),
    name: z.string().min(1),
    supplierId: z.string().min(1),
    /** A free label for people: standard, economy-7, ev, heat-pump, dynamic, export. */
    category: z.string().min(1).default('standard'),
    import: RateScheduleSchema,
    standingChargePencePerDay: z.number().finite().nonnegative(),
    /** Export terms (e.g. Smart Export Guarantee); absent means exports earn nothing. */
    export: RateScheduleSchema.optional(),
    /** Network charges passed through to the customer's bill; absent means included in the unit rates. */
    networkCharges: NetworkChargeScheduleSchema.optional(),
    /** Fee for leaving before the end of a fixed term (the regulator may waive it, see ./regulator.ts). */
    exitFeeGbp: z.number().finite().nonnegative().default(0),
    /** Fixed-term length; 0 = variable (no term, no exit fee). */
    contractMonths: z.number().int().nonnegative().default(0),
    requires: z.array(EligibilitySchema).default([]),
  })
  .strict()
  .superRefine((tariff, context) => {
    for (const [key, schedule] of [
      ['import', tariff.import],
      ['export', tariff.export],
    ] as const) {
      if (schedule?.shape !== 'time-of-use' || !clockTimesValid(schedule.bands)) continue;
      const overlap = findBandOverlap(schedule.bands);
      if (overlap) context.addIssue({ code: 'custom', path: [key, 'bands'], message: overlap });
    }
  });
export type Tariff = z.infer<typeof TariffSchema>;

/** Validates one tariff object; errors name `where` and the path inside the tariff. */
export function parseTariff(value: unknown, where: string): Tariff {
  const result = TariffSchema.safeParse(value);
  if (!result.success) throw new InputError(where, formatZodIssues(result.error));
  return result.data;
}

/** One line per issue: `path: message`. */
export function formatZodIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`)
    .join('; ');
}

function daysMatch(days: Days, weekday: number): boolean {
  if (days === 'all') return true;
  return days === 'weekdays' ? weekday < 5 : weekday >= 5;
}

/**
 * A band's days refer to the day its window starts: a Friday 23:00–07:00 weekday band covers
 * Saturday 00:00–07:00 too.
 */
function bandCovers(band: { from: string; to: string; days: Days }, minuteOfYear: number): boolean {
  const minute = minuteOfDay(minuteOfYear);
  if (!inClockWindow(minute, band.from, band.to)) return false;
  const startsPreviousDay = parseClock(band.from) > minute;
  const weekday = dayOfWeek(startsPreviousDay ? minuteOfYear - MINUTES_PER_DAY : minuteOfYear);
  return daysMatch(band.days, weekday);
}

/** Whether every band's times parse (zod still runs the refinement after a bad time; that is reported on its own). */
function clockTimesValid(bands: readonly TimeBand[]): boolean {
  return bands.every(
    (band) => ClockTimeSchema.safeParse(band.from).success && ClockTimeSchema.safeParse(band.to).success,
  );
}

function findBandOverlap(bands: readonly TimeBand[]): string | undefined {
  const week = 7 * MINUTES_PER_DAY;
  for (let minute = 0; minute < week; minute += 1) {
    const covering = bands.filter((band) => bandCovers(band, minute));
    if (covering.length > 1) {
      const names = covering.map((band) => band.name ?? `${band.from}-${band.to}`).join(' and ');
      return `bands ${names} overlap`;
    }
  }
  return undefined;
}

const MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY;

/** Index into a week of minutes (0 = Monday 00:00); prices repeat weekly. */
function minuteOfWeek(minuteOfYear: number): number {
  return dayOfWeek(minuteOfYear) * MINUTES_PER_DAY + minuteOfDay(minuteOfYear);
}

/** Evaluates `valueAt` once per minute of the week (minute k of the table = Monday 00:00 + k). */
function weekTable(valueAt: (minuteOfYear: number) => number): Float64Array {
  const table = new Float64Array(MINUTES_PER_WEEK);
  // The year starts on a Monday, so minute k of the year's first week is minute k of the week.
  for (let minute = 0; minute < MINUTES_PER_WEEK; minute++)
    table[minute] = valueAt(minute + MINUTES_PER_WEEK);
  return table;
}

// Time-only lookups are precomputed per schedule object (schedules are immutable data once parsed).
const weekTables = new WeakMap<object, Float64Array>();
function cachedWeekTable(key: object, valueAt: (minuteOfYear: number) => number): Float64Array {
  let table = weekTables.get(key);
  if (!table) {
    table = weekTable(valueAt);
    weekTables.set(key, table);
  }
  return table;
}

/** The time-of-use band in force at a minute of year (undefined outside every band, or for other shapes). */
export function timeBandAt(schedule: RateSchedule, minuteOfYear: number): TimeBand | undefined {
  if (schedule.shape !== 'time-of-use') return undefined;
  return schedule.bands.find((band) => bandCovers(band, minuteOfYear));
}

/** The unit rate of a schedule at a minute of year, £/kWh. */
export function rateGbpPerKwh(
  schedule: RateSchedule,
  minuteOfYear: number,
  wholesaleGbpPerKwh: number,
): number {
  switch (schedule.shape) {
    case 'flat':
      return schedule.unitRatePencePerKwh / 100;
    case 'time-of-use': {
      const table = cachedWeekTable(schedule, (minute) => {
        const band = timeBandAt(schedule, minute);
        return (band?.unitRatePencePerKwh ?? schedule.otherTimesPencePerKwh) / 100;
      });
      return table[minuteOfWeek(minuteOfYear)] ?? 0;
    }
    case 'dynamic': {
      const peakTable = cachedWeekTable(schedule, (minute) =>
        bandCovers({ from: schedule.peakFrom, to: schedule.peakTo, days: schedule.peakDays }, minute) ? 1 : 0,
      );
      const inPeak = peakTable[minuteOfWeek(minuteOfYear)] === 1;
      let pence =
        wholesaleGbpPerKwh * 100 * schedule.wholesaleMultiplier +
        schedule.adderPencePerKwh +
        (inPeak ? schedule.peakPremiumPencePerKwh : 0);
      pence = Math.min(pence, schedule.capPencePerKwh);
      if (schedule.floorPencePerKwh !== undefined) pence = Math.max(pence, schedule.floorPencePerKwh);
      return pence / 100;
    }
  }
}

/** Import unit rate, £/kWh, of the step starting at `minuteOfYear`. */
export function importPriceGbpPerKwh(
  tariff: Tariff,
  minuteOfYear: number,
  wholesaleGbpPerKwh: number,
): number {
  return rateGbpPerKwh(tariff.import, minuteOfYear, wholesaleGbpPerKwh);
}

/** Export payment rate, £/kWh (0 when the tariff has no export terms). */
export function exportPriceGbpPerKwh(
  tariff: Tariff,
  minuteOfYear: number,
  wholesaleGbpPerKwh: number,
): number {
  return tariff.export ? rateGbpPerKwh(tariff.export, minuteOfYear, wholesaleGbpPerKwh) : 0;
}

/** The network charge band in force at a minute of year. */
export function networkBandAt(schedule: NetworkChargeSchedule, minuteOfYear: number): NetworkBand {
  return schedule.periods.find((period) => bandCovers(period, minuteOfYear))?.band ?? 'green';
}

/** Network charge, £/kWh of import, at a minute of year (0 without a schedule). */
export function networkChargeGbpPerKwh(
  schedule: NetworkChargeSchedule | undefined,
  minuteOfYear: number,
): number {
  if (!schedule) return 0;
  const table = cachedWeekTable(schedule, (minute) => {
    const band = networkBandAt(schedule, minute);
    const pence =
      band === 'red'
        ? schedule.redPencePerKwh
        : band === 'amber'
          ? schedule.amberPencePerKwh
          : schedule.greenPencePerKwh;
    return pence / 100;
  });
  return table[minuteOfWeek(minuteOfYear)] ?? 0;
}

/** Unit rates of consecutive steps, £/kWh. */
export interface Rates {
  /** Import unit rate plus the pass-through network charge (if the tariff carries one). */
  readonly importGbpPerKwh: Float64Array;
  /** Export payment rate (0 without export terms). */
  readonly exportGbpPerKwh: Float64Array;
}

/**
 * The rates of `steps` consecutive steps of `stepMinutes`, the first starting at `fromMinuteOfYear`.
 * `wholesaleGbpPerKwh(step)` (step counted from 0) feeds dynamic rates; without it wholesale is 0.
 */
export function rates(
  tariff: Tariff,
  fromMinuteOfYear: number,
  steps: number,
  stepMinutes: number,
  wholesaleGbpPerKwh?: (step: number) => number,
): Rates {
  const importGbpPerKwh = new Float64Array(steps);
  const exportGbpPerKwh = new Float64Array(steps);
  for (let step = 0; step < steps; step++) {
    const minute = fromMinuteOfYear + step * stepMinutes;
    const wholesale = wholesaleGbpPerKwh ? wholesaleGbpPerKwh(step) : 0;
    importGbpPerKwh[step] =
      importPriceGbpPerKwh(tariff, minute, wholesale) + networkChargeGbpPerKwh(tariff.networkCharges, minute);
    exportGbpPerKwh[step] = exportPriceGbpPerKwh(tariff, minute, wholesale);
  }
  return { importGbpPerKwh, exportGbpPerKwh };
}

/** Standing charge, £/day. */
export function standingChargeGbpPerDay(tariff: Tariff): number {
  return tariff.standingChargePencePerDay / 100;
}

/** Metered energy of one step. */
export interface BillStep {
  /** Energy drawn from the grid in the step, kWh (>= 0). */
  readonly importKwh: number;
  /** Energy sent to the grid in the step, kWh (>= 0). */
  readonly exportKwh: number;
  /** Wholesale day-ahead price of the step, £/kWh (used by dynamic rates). */
  readonly wholesaleGbpPerKwh: number;
}

/** A bill over a series of steps, £ (all components >= 0 except energy on negative dynamic prices). */
export interface Bill {
  /** Σ importKwh × import unit rate. */
  readonly energyGbp: number;
  /** Standing charge × days covered (pro rata). */
  readonly standingGbp: number;
  /** Σ importKwh × pass-through network rate (0 unless the tariff carries networkCharges). */
  readonly networkChargeGbp: number;
  /** Σ exportKwh × export rate. */
  readonly exportCreditGbp: number;
  /** energy + standing + network − export credit. */
  readonly totalGbp: number;
  readonly importKwh: number;
  readonly exportKwh: number;
  readonly days: number;
}

/**
 * The bill for consecutive steps of `stepMinutes`, the first starting at `startMinuteOfYear`.
 * Throws RangeError on negative or non-finite energy (a programming error upstream, not user input).
 */
export function billForSeries(
  tariff: Tariff,
  steps: readonly BillStep[],
  stepMinutes: number,
  startMinuteOfYear = 0,
): Bill {
  if (!(stepMinutes > 0)) throw new RangeError(`stepMinutes must be positive, got ${stepMinutes}`);
  let energyGbp = 0;
  let networkChargeGbp = 0;
  let exportCreditGbp = 0;
  let importKwh = 0;
  let exportKwh = 0;
  steps.forEach((step, index) => {
    if (!(step.importKwh >= 0) || !(step.exportKwh >= 0)) {
      throw new RangeError(`step ${index}: importKwh and exportKwh must be finite and >= 0`);
    }
    const minute = startMinuteOfYear + index * stepMinutes;
    energyGbp += step.importKwh * importPriceGbpPerKwh(tariff, minute, step.wholesaleGbpPerKwh);
    networkChargeGbp += step.importKwh * networkChargeGbpPerKwh(tariff.networkCharges, minute);
    exportCreditGbp += step.exportKwh * exportPriceGbpPerKwh(tariff, minute, step.wholesaleGbpPerKwh);
    importKwh += step.importKwh;
    exportKwh += step.exportKwh;
  });
  const days = (steps.length * stepMinutes) / MINUTES_PER_DAY;
  const standingGbp = days * standingChargeGbpPerDay(tariff);
  return {
    energyGbp,
    standingGbp,
    networkChargeGbp,
    exportCreditGbp,
    totalGbp: energyGbp + standingGbp + networkChargeGbp - exportCreditGbp,
    importKwh,
    exportKwh,
    days,
  };
}
