/**
 * Clock times of day, defined once for the wire protocol and the hub: the "HH:MM" schema, its parse to
 * minutes after midnight, and the half-open window test every tariff band, network charge period and draw
 * window uses.
 */
import { z } from 'zod';

const CLOCK_PATTERN = /^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$/;

/** A local clock time "HH:MM" (00:00…24:00; 24:00 is the end of the day). */
export const ClockTimeSchema = z
  .string()
  .regex(CLOCK_PATTERN, 'expected a clock time "HH:MM" (00:00..24:00)');

// At most 1441 valid clock strings exist, so the cache is bounded; pricing a year looks them up millions of times.
const minutesByClock = new Map<string, number>();

/**
 * Minutes after midnight of a clock time "HH:MM" (00:00…24:00), e.g. "07:30" → 450.
 * Throws RangeError on anything else (callers pass schema-checked text).
 */
export function parseClock(text: string): number {
  let minutes = minutesByClock.get(text);
  if (minutes === undefined) {
    if (!CLOCK_PATTERN.test(text)) throw new RangeError(`expected a clock time "HH:MM", got "${text}"`);
    minutes = Number(text.slice(0, 2)) * 60 + Number(text.slice(3, 5));
    minutesByClock.set(text, minutes);
  }
  return minutes;
}

/**
 * Whether a minute of the day lies in the half-open window [fromMinutes, toMinutes). A window with
 * toMinutes < fromMinutes wraps past midnight; fromMinutes === toMinutes means the whole day.
 */
export function inWindow(minuteOfDay: number, fromMinutes: number, toMinutes: number): boolean {
  if (fromMinutes === toMinutes) return true;
  return fromMinutes < toMinutes
    ? minuteOfDay >= fromMinutes && minuteOfDay < toMinutes
    : minuteOfDay >= fromMinutes || minuteOfDay < toMinutes;
}

/** `inWindow` for a window given as clock times "HH:MM" (from, to). */
export function inClockWindow(minuteOfDay: number, from: string, to: string): boolean {
  return inWindow(minuteOfDay, parseClock(from), parseClock(to));
}
