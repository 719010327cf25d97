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

/** A UTC time as `01/07/2026 12:00` (en-GB, day first), the form the clock's "Jump to" field reads. */
export function formatUkDateTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(date.getUTCDate())}/${two(date.getUTCMonth() + 1)}/${date.getUTCFullYear()} ${two(date.getUTCHours())}:${two(date.getUTCMinutes())}`;
}

/**
 * Reads a UTC date and time written the British way, `01/07/2026 12:00` (also `1/7/2026 9:05`), or as ISO
 * `2026-07-01T12:00`; says in words what is wrong otherwise.
 */
export function parseUkDateTime(text: string): { iso: string } | { problem: string } {
  const trimmed = text.trim();
  if (trimmed === '') return { problem: 'write a date and time, e.g. 01/07/2026 12:00 (UTC)' };
  const uk = /^(\d{1,2})\/(\d{1,2})\/(\d{4})[ T,]+(\d{1,2}):(\d{2})$/.exec(trimmed);
  const iso = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})$/.exec(trimmed);
  const parts = uk
    ? { day: uk[1], month: uk[2], year: uk[3], hour: uk[4], minute: uk[5] }
    : iso
      ? { day: iso[3], month: iso[2], year: iso[1], hour: iso[4], minute: iso[5] }
      : null;
  if (!parts)
    return { problem: `"${trimmed}" is not a date and time like 01/07/2026 12:00 (day/month/year, UTC)` };
  const [day, month, year, hour, minute] = [parts.day, parts.month, parts.year, parts.hour, parts.minute].map(
    Number,
  ) as [number, number, number, number, number];
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute));
  if (
    date.getUTCDate() !== day ||
    date.getUTCMonth() !== month - 1 ||
    date.getUTCHours() !== hour ||
    date.getUTCMinutes() !== minute
  ) {
    return {
      problem: `"${trimmed}" is not a real date and time (day ${day}, month ${month}, ${hour}:${String(minute).padStart(2, '0')})`,
    };
  }
  return { iso: date.toISOString() };
}
