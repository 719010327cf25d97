/**
 * The calendar of the representative year, shared by environment, market and agents.
 *
 * Convention: a year of 365 days that starts on a Monday at 00:00, in GB clock time without
 * daylight saving (GMT all year; a design simplification documented in the year CSV). Time is
 * counted in minutes from that start ("minute of year"); a 30-minute step k starts at minute 30·k.
 *
 * API:
 *   STEP_MINUTES = 30, STEPS_PER_DAY = 48, DAYS_PER_YEAR = 365, STEPS_PER_YEAR = 17520, MINUTES_PER_DAY = 1440
 *   minuteOfDay(minuteOfYear), dayOfYear(minuteOfYear)  (0-based), dayOfWeek(minuteOfYear) (0 = Monday)
 *   isWorkingDay(dayIndex) (Mon–Fri), clockLabel(minuteOfYear) -> "day 12 07:30"
 */

export const STEP_MINUTES = 30;
export const MINUTES_PER_DAY = 1440;
export const STEPS_PER_DAY = MINUTES_PER_DAY / STEP_MINUTES;
export const DAYS_PER_YEAR = 365;
export const STEPS_PER_YEAR = DAYS_PER_YEAR * STEPS_PER_DAY;

/** Minute within the day, 0..1439 (works for minutes beyond one year too). */
export function minuteOfDay(minuteOfYear: number): number {
  return ((Math.floor(minuteOfYear) % MINUTES_PER_DAY) + MINUTES_PER_DAY) % MINUTES_PER_DAY;
}

/** 0-based day index since the start of the year. */
export function dayOfYear(minuteOfYear: number): number {
  return Math.floor(minuteOfYear / MINUTES_PER_DAY);
}

/** Day of the week of a minute of year, 0 = Monday … 6 = Sunday (the year starts on a Monday). */
export function dayOfWeek(minuteOfYear: number): number {
  return weekdayOfDay(dayOfYear(minuteOfYear));
}

/** Day of the week of a 0-based day index, 0 = Monday … 6 = Sunday. */
export function weekdayOfDay(dayIndex: number): number {
  return ((dayIndex % 7) + 7) % 7;
}

/** Monday to Friday (bank holidays are not modelled). */
export function isWorkingDay(dayIndex: number): boolean {
  return weekdayOfDay(dayIndex) < 5;
}

/** "HH:MM" of a minute of day. */
export function clockTime(minuteOfDayValue: number): string {
  const hours = Math.floor(minuteOfDayValue / 60);
  const minutes = minuteOfDayValue % 60;
  return `${String(hours).padStart(2, '0')}:${String(minutes).padStart(2, '0')}`;
}

/** A human label such as "day 12 (Fri) 07:30" (day is 1-based) for explanations and logs. */
export function clockLabel(minuteOfYear: number): string {
  const names = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
  return `day ${dayOfYear(minuteOfYear) + 1} (${names[dayOfWeek(minuteOfYear)]}) ${clockTime(minuteOfDay(minuteOfYear))}`;
}
