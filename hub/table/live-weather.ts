/**
 * The world around the live table's homes on its (winter) day, as simple daily shapes: the table has no
 * weather feed, and a shape people can read off the dashboard is what a workshop needs.
 */

/** A January day in England: about 0 °C before dawn, 6 °C mid-afternoon. */
export function outdoorC(minuteOfDay: number): number {
  return 3 + 3 * Math.sin((2 * Math.PI * (minuteOfDay - 9 * 60)) / 1440);
}

/** Illustrative GB winter grid carbon intensity: lowest at night, highest in the evening peak (kg/kWh). */
export function carbonKgPerKwh(minuteOfDay: number): number {
  if (minuteOfDay >= 16 * 60 && minuteOfDay < 20 * 60) return 0.25;
  if (minuteOfDay >= 7 * 60 && minuteOfDay < 16 * 60) return 0.19;
  return 0.15;
}

/**
 * The winter sun as a share of a panel's best output, 0 outside 08:00–16:00 (the same curve the demo's
 * simulated PV boards follow).
 */
export function sunShare(minuteOfDay: number): number {
  const hours = minuteOfDay / 60;
  return hours >= 8 && hours < 16 ? Math.sin((Math.PI * (hours - 8)) / 8) : 0;
}

/** How residents drive on the table's day: away for ten hours from the ready-by time, using 12 kWh. */
export const EV_TRIP = { awayMinutes: 10 * 60, tripKwh: 12 } as const;

/** Whether an EV whose resident wants it ready by `readyByMinute` is out driving at `minuteOfDay`. */
export function evAway(readyByMinute: number, minuteOfDay: number): boolean {
  const sinceLeaving = (minuteOfDay - readyByMinute + 1440) % 1440;
  return sinceLeaving < EV_TRIP.awayMinutes;
}

/** Minute of day the EV comes back. */
export function evBackMinute(readyByMinute: number): number {
  return (readyByMinute + EV_TRIP.awayMinutes) % 1440;
}
