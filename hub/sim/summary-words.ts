/**
 * The run's network in words for the CLI's summary: the voltage range with the minutes outside the statutory
 * band, and the lines against their ratings, so a breach is never hidden behind a range of numbers; and the
 * study's comparison of cooperative with central.
 */
import { STATUTORY_VOLTS } from '../feeder/index.js';
import { INVERTER_MAX_PASSES } from '../homes/index.js';
import type { NetworkStress } from './network-stress.js';

/**
 * Pounds with a true minus and the sign before the £: "−£9.37", "+£1.20" (`signed`), "£0.00"; `digits`
 * after the point (3 for prices per kWh: "−£0.012").
 */
export function formatGbp(gbp: number, signed = false, digits = 2): string {
  const text = Math.abs(gbp).toFixed(digits);
  const zero = Number(text) === 0;
  const sign = gbp < 0 && !zero ? '\u2212' : signed && gbp > 0 && !zero ? '+' : '';
  return `${sign}£${text}`;
}

/** A signed change with a true minus: "−7.16", "+1.42". */
export function formatChange(value: number, digits = 2): string {
  const text = Math.abs(value).toFixed(digits);
  if (Number(text) === 0) return (0).toFixed(digits);
  return `${value < 0 ? '\u2212' : '+'}${text}`;
}

const count = (value: number) => Math.round(value).toLocaleString('en-GB');

/** "voltage 235.1–257.3 V: 123,480 bus-minutes outside 216.2–253 V (… under, … over) at 12 connections". */
export function voltageInWords(
  network: { minVoltageV: number; maxVoltageV: number; busMinutesOutsideStatutoryLimits: number },
  stress: NetworkStress,
): string {
  const range = `voltage ${network.minVoltageV.toFixed(1)}–${network.maxVoltageV.toFixed(1)} V`;
  const band = `${STATUTORY_VOLTS.min}–${STATUTORY_VOLTS.max} V`;
  if (network.busMinutesOutsideStatutoryLimits <= 0) return `${range}, all within the statutory ${band}`;
  const under = stress.voltageViolations.reduce((sum, entry) => sum + entry.underMinutes, 0);
  const over = stress.voltageViolations.reduce((sum, entry) => sum + entry.overMinutes, 0);
  const connections = stress.voltageViolations.filter(
    (entry) => entry.underMinutes + entry.overMinutes > 0,
  ).length;
  const split = [under > 0 ? `${count(under)} under` : '', over > 0 ? `${count(over)} over` : '']
    .filter((part) => part !== '')
    .join(', ');
  return `${range}: BREACH, ${count(network.busMinutesOutsideStatutoryLimits)} bus-minutes outside the statutory ${band} (${split}) at ${connections} connection${connections === 1 ? '' : 's'}`;
}

/** "lines: 39 of 120 over their rating, worst LINE12 at 187 % (40 steps over)" or "lines: all within …". */
export function linesInWords(stress: NetworkStress): string {
  const rated = stress.lines.filter((line) => Number.isFinite(line.maxLoadingPct));
  if (rated.length === 0) return 'lines: none of this feeder has a rating';
  const worst = rated.reduce((a, b) => (b.maxLoadingPct > a.maxLoadingPct ? b : a));
  const over = rated.filter((line) => line.overloadSteps > 0).length;
  const at = `${worst.line} at ${worst.maxLoadingPct.toFixed(0)} % of its rating`;
  if (over === 0) return `lines: all ${rated.length} rated lines within their rating, most loaded ${at}`;
  return `lines: BREACH, ${over} of ${rated.length} rated lines over their rating, worst ${at} (${worst.overloadSteps} step${worst.overloadSteps === 1 ? '' : 's'} over)`;
}

/** The steps whose PV inverters had not settled with the power flow (hub/homes/inverter-loop.ts), in words; none: no line. */
export function unsettledInWords(steps: number): string[] {
  return steps > 0
    ? [
        `inverters not settled with the flow within ${INVERTER_MAX_PASSES} passes in ${steps} step${steps === 1 ? '' : 's'} (each keeps its last pass)`,
      ]
    : [];
}

/** Cooperative's social cost beside central's in words, from poa.json's cooperativeGapPct (negative: below). */
export function cooperativeAgainstCentral(gapPct: number): string {
  const pct = Math.abs(gapPct).toFixed(2);
  if (pct === '0.00') return "cooperative at central's social cost";
  return `cooperative ${pct} % ${gapPct < 0 ? 'below' : 'above'} central`;
}

/** "28 days from day 0", "7 days from day 170 after 3 days' warm-up": the span a run or study counts. */
export function spanInWords(run: { startDay: number; days: number; warmUpDays?: number }): string {
  const warmUp = run.warmUpDays
    ? ` after ${run.warmUpDays} ${run.warmUpDays === 1 ? "day's" : "days'"} warm-up`
    : '';
  return `${run.days} day${run.days === 1 ? '' : 's'} from day ${run.startDay}${warmUp}`;
}
