/** Number and time formatting for the dashboard: units always shown, precision that reads at a glance. */

const finite = (value: number) => Number.isFinite(value);

/** `3.2 kW` (one decimal), `−1.5 kW` for export; `—` when unknown. */
export function formatKw(pKw: number | null | undefined): string {
  if (pKw === null || pKw === undefined || !finite(pKw)) return '—';
  const rounded = Math.abs(pKw) < 0.05 ? 0 : pKw;
  return `${rounded.toFixed(1).replace('-', '−')} kW`;
}

/** `241.3 V`. */
export function formatVolts(volts: number | null | undefined): string {
  if (volts === null || volts === undefined || !finite(volts)) return '—';
  return `${volts.toFixed(1)} V`;
}

/** `66 %`. */
export function formatPct(pct: number | null | undefined, digits = 0): string {
  if (pct === null || pct === undefined || !finite(pct)) return '—';
  return `${pct.toFixed(digits)} %`;
}

/** `£1.23`. */
export function formatGbp(gbp: number | null | undefined): string {
  if (gbp === null || gbp === undefined || !finite(gbp)) return '—';
  return `${gbp < 0 ? '−' : ''}£${Math.abs(gbp).toFixed(2)}`;
}

/** `26.1 p/kWh` from £/kWh. */
export function formatPencePerKwh(gbpPerKwh: number | null | undefined): string {
  if (gbpPerKwh === null || gbpPerKwh === undefined || !finite(gbpPerKwh)) return '—';
  return `${(gbpPerKwh * 100).toFixed(1)} p/kWh`;
}

const SIM_TIME = new Intl.DateTimeFormat('en-GB', {
  weekday: 'short',
  day: 'numeric',
  month: 'short',
  hour: '2-digit',
  minute: '2-digit',
  timeZone: 'UTC',
});

/** Simulated time (UTC, as the simulation runs in GMT): `Thu 15 Jan, 18:06`. */
export function formatSimTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : SIM_TIME.format(date);
}

/** A minute of the day as `07:30`. */
export function formatMinuteOfDay(minute: number): string {
  const hours = Math.floor(minute / 60);
  return `${String(hours).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;
}

/** How long ago a wall-clock time was: `just now`, `12 s ago`, `3 min ago`, `2 h ago`. */
export function formatAgo(atMs: number, nowMs: number): string {
  const seconds = Math.max(0, Math.round((nowMs - atMs) / 1000));
  if (seconds < 2) return 'just now';
  if (seconds < 90) return `${seconds} s ago`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 90) return `${minutes} min ago`;
  return `${Math.round(minutes / 60)} h ago`;
}

/** A wall-clock time as `10:42:07`. */
export function formatWallTime(atMs: number): string {
  return new Date(atMs).toLocaleTimeString('en-GB', { hour12: false });
}
