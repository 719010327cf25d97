import type { StorageSpec } from './storage.js';

/** When the resident drives: what their EV's charger sees over the simulated span. */
export interface EvPattern {
  /** 1 while the EV is plugged in at home, per step. */
  atHome: Uint8Array;
  /** Energy a trip takes from the battery, booked at the step the EV leaves (kWh), per step. */
  tripKwh: Float64Array;
  /** Steps at which the EV leaves; the resident wants the target charge by the start of each. */
  departureSteps: number[];
}

/** How the resident uses the car (all times local, minutes after midnight). */
export interface EvHabits {
  /** The resident wants the car ready by this time on trip days. */
  readyByMinute: number;
  /** Chance of a trip on a weekday / a weekend day. */
  weekdayTripProbability: number;
  weekendTripProbability: number;
  /** Time away, drawn uniformly from [min, max] hours. */
  awayHoursMin: number;
  awayHoursMax: number;
  /** Energy a trip takes, drawn uniformly from [min, max] kWh. */
  tripKwhMin: number;
  tripKwhMax: number;
}

/** Numbers drawn for each day, trip or not, so one day's outcome does not shift another's. */
const DRAWS_PER_DAY = 4;

/**
 * Draws a seeded trip pattern: on trip days the EV leaves up to an hour after the ready-by time and
 * comes back some hours later having used some energy. A trip never needs more than the target charge,
 * so the ready-by promise is enough to cover it. Each day of the year has its own draws, whatever day the
 * span starts on: a run from day 30 has the trips a run from day 0 has on days 30 on (and a warm-up changes
 * the span's state, not its trips).
 */
export function drawEvPattern(options: {
  habits: EvHabits;
  spec: StorageSpec;
  targetSocPct: number;
  stepMinutes: number;
  stepCount: number;
  /** Day of the year of step 0 (0 = 1 January, a Monday). */
  firstDayOfYear: number;
  /** Uniform [0, 1) source, seeded per home, its draws taken from the year's first day. */
  random: () => number;
}): EvPattern {
  const { habits, spec, stepMinutes, stepCount, random, firstDayOfYear } = options;
  for (let draw = 0; draw < DRAWS_PER_DAY * firstDayOfYear; draw++) random();
  const atHome = new Uint8Array(stepCount).fill(1);
  const tripKwh = new Float64Array(stepCount);
  const departureSteps: number[] = [];
  const stepsPerDay = Math.round(1440 / stepMinutes);
  const maxTripKwh = (spec.capacityKwh * options.targetSocPct) / 100;
  const dayCount = Math.ceil(stepCount / stepsPerDay);
  for (let day = 0; day < dayCount; day++) {
    const weekday = (firstDayOfYear + day) % 7;
    const probability = weekday >= 5 ? habits.weekendTripProbability : habits.weekdayTripProbability;
    // DRAWS_PER_DAY numbers every day.
    const tripDraw = random();
    const delayDraw = random();
    const awayDraw = random();
    const energyDraw = random();
    if (tripDraw >= probability) continue;
    const departMinute = habits.readyByMinute + delayDraw * 60;
    const awayMinutes = 60 * (habits.awayHoursMin + awayDraw * (habits.awayHoursMax - habits.awayHoursMin));
    const departStep = day * stepsPerDay + Math.ceil(departMinute / stepMinutes);
    const returnStep = day * stepsPerDay + Math.ceil((departMinute + awayMinutes) / stepMinutes);
    if (departStep >= stepCount) continue;
    departureSteps.push(departStep);
    tripKwh[departStep] = Math.min(
      maxTripKwh,
      habits.tripKwhMin + energyDraw * (habits.tripKwhMax - habits.tripKwhMin),
    );
    atHome.fill(0, departStep, Math.min(stepCount, returnStep));
  }
  return { atHome, tripKwh, departureSteps };
}
