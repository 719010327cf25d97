/** Writes a run's results to a folder: metrics.json, per-step CSV series, the switching and decisions logs. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { clockLabel } from '../environment/calendar.js';
import { InputError } from '../errors.js';
import { marketOutputFiles } from '../market/modules.js';
import type { Metrics } from './metrics.js';
import type { RunSeries, YearResult } from './runner.js';

/** Names of the files {@link writeRunOutputs} writes. */
export const RUN_OUTPUT_FILES = {
  metrics: 'metrics.json',
  network: 'network.csv',
  homePower: 'homes-power-kw.csv',
  homeState: 'homes-state.csv',
  switching: 'switching-log.jsonl',
  decisions: 'decisions.jsonl',
  /** The passive baseline's network series (same columns as network.csv), for comparisons in the report. */
  passiveNetwork: 'passive-network.csv',
  voltageViolations: 'voltage-violations.csv',
  lineLoading: 'line-loading.csv',
} as const;

/**
 * Writes every output of `result`; `passive` (its baseline run, with series) adds passive-network.csv.
 */
export function writeRunOutputs(
  dir: string,
  result: YearResult,
  metrics: Metrics,
  passive?: YearResult,
): string[] {
  try {
    mkdirSync(dir, { recursive: true });
  } catch {
    throw new InputError('--out', `cannot create folder ${dir}`);
  }
  const written: string[] = [];
  const write = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    written.push(path);
  };
  write(RUN_OUTPUT_FILES.metrics, `${JSON.stringify(metrics, null, 2)}\n`);
  const series = result.series;
  if (series) {
    const time = (k: number) => clockLabel((result.startDay * 48 + k) * result.stepMinutes);
    const rows = (header: string[], cells: (k: number) => string[]) => {
      const lines = [header.join(',')];
      for (let k = 0; k < result.stepCount; k++) lines.push([String(k), time(k), ...cells(k)].join(','));
      return `${lines.join('\n')}\n`;
    };
    const networkRows = (of: RunSeries) =>
      rows(
        ['step', 'time', 'substation_kw', 'transformer_loading_pct', 'min_voltage_v', 'max_voltage_v'],
        (k) => [
          fixed(of.substationKw[k], 3),
          fixed(of.transformerLoadingPct[k], 2),
          fixed(of.minVoltageV[k], 2),
          fixed(of.maxVoltageV[k], 2),
        ],
      );
    write(RUN_OUTPUT_FILES.network, networkRows(series));
    if (passive?.series && passive.stepCount === result.stepCount) {
      write(RUN_OUTPUT_FILES.passiveNetwork, networkRows(passive.series));
    }
    const ids = result.homes.map((home) => home.home);
    write(
      RUN_OUTPUT_FILES.homePower,
      rows(['step', 'time', ...ids.map((id) => `${id}_kw`)], (k) =>
        series.homePKw.map((values) => fixed(values[k], 3)),
      ),
    );
    // State columns only for homes that have the state: SoC (battery, else EV) and indoor temperature.
    const stateColumns: { name: string; values: Float64Array; digits: number }[] = [];
    result.homes.forEach((home, index) => {
      if (home.assets.includes('battery') || home.assets.includes('ev')) {
        stateColumns.push({
          name: `${home.home}_soc_pct`,
          values: series.homeSocPct[index] as Float64Array,
          digits: 1,
        });
      }
      if (home.assets.includes('heat-pump')) {
        stateColumns.push({
          name: `${home.home}_indoor_c`,
          values: series.homeIndoorC[index] as Float64Array,
          digits: 2,
        });
      }
    });
    write(
      RUN_OUTPUT_FILES.homeState,
      rows(['step', 'time', ...stateColumns.map((column) => column.name)], (k) =>
        stateColumns.map((column) => fixed(column.values[k], column.digits)),
      ),
    );
  }
  const stress = result.networkStress;
  const hours = Array.from({ length: 24 }, (_, hour) => `h${String(hour).padStart(2, '0')}_min`);
  write(
    RUN_OUTPUT_FILES.voltageViolations,
    csv(
      ['bus', 'phase', 'under_min', 'over_min', ...hours],
      stress.voltageViolations.map((entry) => [
        entry.bus,
        entry.phase,
        String(entry.underMinutes),
        String(entry.overMinutes),
        ...entry.minutesByHour.map(String),
      ]),
    ),
  );
  write(
    RUN_OUTPUT_FILES.lineLoading,
    csv(
      ['line', 'from_bus', 'to_bus', 'max_loading_pct', 'overload_steps'],
      stress.lines.map((line) => [
        line.line,
        line.fromBus,
        line.toBus,
        fixed(line.maxLoadingPct, 2),
        String(line.overloadSteps),
      ]),
    ),
  );
  write(RUN_OUTPUT_FILES.switching, jsonLines(result.switchingLog));
  write(RUN_OUTPUT_FILES.decisions, jsonLines(result.decisions));
  for (const [name, text] of marketOutputFiles(result.market, result.startDay, result.stepMinutes))
    write(name, text);
  return written;
}

function fixed(value: number | undefined, digits: number): string {
  if (value === undefined || !Number.isFinite(value)) return '';
  const text = value.toFixed(digits);
  return /^-0\.?0*$/.test(text) ? text.slice(1) : text;
}

function csv(header: string[], rows: string[][]): string {
  return `${[header, ...rows].map((row) => row.join(',')).join('\n')}\n`;
}

function jsonLines(entries: readonly object[]): string {
  return entries.map((entry) => JSON.stringify(entry)).join('\n') + (entries.length > 0 ? '\n' : '');
}
