/**
 * A sweep: every combination of scenario variants (adoption levels, tariff mixes, rules) × policies, run on
 * all cores in worker threads. Each finished run is appended to `results.jsonl` at once, so a stopped sweep
 * resumes where it was; `results.csv` collects them in one table.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { PolicyNameSchema } from '../agents/policy-name-schema.js';
import { InputError } from '../errors.js';
import { parseYamlInput, readInputFile } from '../read-input.js';
import type { StudyPolicyOptions } from './street-context.js';
import { SweepThreads } from './sweep-threads.js';

/** One run of a sweep: a scenario with some keys replaced, under one policy. */
export interface SweepJob {
  /** Stable id from the overrides and policy, so a resumed sweep recognises finished runs. */
  id: string;
  overrides: Record<string, unknown>;
  policy: string;
}

/** What a worker thread is given for a job: all it needs to run it, as plain data (it also goes through Redis). */
export interface SweepJobMessage {
  job: SweepJob;
  /** Read by the worker: a queue worker on another machine reads it from its own checkout. */
  scenarioFile: string;
  days?: number;
  study: SweepStudyOptions;
}

/** What a worker sends back for a job. */
export interface SweepRow {
  id: string;
  policy: string;
  overrides: Record<string, unknown>;
  metrics: Record<string, number>;
  /** With a social graph: what spread along it day by day (results.jsonl only; the CSV has the last day). */
  social?: SweepSocialSeries;
  error?: string;
}

/** A run's adoption curve, the street's peak each day and the tariffs the homes end on. */
export interface SweepSocialSeries {
  /** The policy adoption spreads (cooperative unless the scenario says otherwise). */
  adoptedPolicy: string;
  adoptersPerDay: number[];
  peakKwPerDay: number[];
  /** Homes on each tariff at the end. */
  tariffsAtEnd: Record<string, number>;
}

const GridFileSchema = z
  .object({
    /** Dot paths into the scenario file, each with the values to try (e.g. `adoption.evPct: [30, 70]`). */
    vary: z.record(z.string().regex(/^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*$/), z.array(z.unknown()).min(1)),
    policies: z.array(PolicyNameSchema).min(1).default(['selfish']),
    /** Simulate only this many days of each variant. */
    days: z.number().int().positive().optional(),
  })
  .strict();

export type SweepGrid = z.infer<typeof GridFileSchema>;

/** Reads and validates a grid file (YAML). */
export function loadSweepGrid(file: string): SweepGrid {
  const parsed = GridFileSchema.safeParse(parseYamlInput(readInputFile(file, 'grid file'), file));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InputError(file, `${issue?.path.join('.') || '(top level)'}: ${issue?.message}`);
  }
  return parsed.data;
}

/** Every combination of the varied keys, times every policy, in a fixed order. */
export function expandGrid(grid: SweepGrid): SweepJob[] {
  let combinations: Record<string, unknown>[] = [{}];
  for (const [path, values] of Object.entries(grid.vary)) {
    combinations = combinations.flatMap((combination) =>
      values.map((value) => ({ ...combination, [path]: value })),
    );
  }
  return combinations.flatMap((overrides) =>
    grid.policies.map((policy) => ({
      id: `${Object.entries(overrides)
        .map(([path, value]) => `${path}=${JSON.stringify(value)}`)
        .join(';')}|${policy}`,
      overrides,
      policy,
    })),
  );
}

/** Sets `value` at a dot path in a plain object, creating objects on the way. */
export function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = target;
  keys.slice(0, -1).forEach((key) => {
    const next = node[key];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[key] = {};
    node = node[key] as Record<string, unknown>;
  });
  node[keys.at(-1) as string] = value;
}

/** The network and price settings every sweep run's policies use (see the PoA study). */
export type SweepStudyOptions = StudyPolicyOptions;

export interface SweepOptions {
  scenarioFile: string;
  study: SweepStudyOptions;
  grid: SweepGrid;
  outDir: string;
  /** Worker threads; default: every core. */
  workers?: number;
  /** Module that runs one job in a worker (default: ./sweep-worker.js beside this file). */
  workerModule?: URL;
  onRow?: (row: SweepRow, done: number, total: number) => void;
}

export interface SweepSummary {
  total: number;
  ranNow: number;
  resumed: number;
  failed: number;
  resultsCsv: string;
}

/** Runs the jobs not yet in `outDir/results.jsonl`, then writes `outDir/results.csv` with all of them. */
export async function runSweep(options: SweepOptions): Promise<SweepSummary> {
  const sweep = new SweepProgress(options);
  const workerCount = Math.max(1, Math.min(options.workers ?? availableParallelism(), sweep.pending.length));
  const threads = new SweepThreads(workerCount, options.workerModule);
  try {
    await Promise.all(
      sweep.pending.map(async (job) => sweep.record(await threads.run(sweep.messageFor(job)))),
    );
  } finally {
    await threads.close();
  }
  return sweep.finish();
}

/**
 * One sweep's jobs and where they stand: those already in `outDir/results.jsonl` (from a run that was
 * stopped) and those still to run. Each row is appended there as it comes; `finish` writes the table.
 * Local and queued sweeps (sweep-queue.ts) share it.
 */
export class SweepProgress {
  readonly jobs: SweepJob[];
  readonly pending: SweepJob[];
  private readonly resultsFile: string;
  private readonly finished: Map<string, SweepRow>;
  private failed = 0;

  constructor(private readonly options: SweepOptions) {
    mkdirSync(options.outDir, { recursive: true });
    this.jobs = expandGrid(options.grid);
    this.resultsFile = join(options.outDir, 'results.jsonl');
    this.finished = readFinishedRows(this.resultsFile);
    this.pending = this.jobs.filter((job) => !this.finished.has(job.id));
  }

  messageFor(job: SweepJob): SweepJobMessage {
    const { scenarioFile, study, grid } = this.options;
    return { job, scenarioFile, study, ...(grid.days !== undefined ? { days: grid.days } : {}) };
  }

  record(row: SweepRow): void {
    appendFileSync(this.resultsFile, `${JSON.stringify(row)}\n`);
    this.finished.set(row.id, row);
    if (row.error) this.failed++;
    this.options.onRow?.(row, this.finished.size, this.jobs.length);
  }

  finish(): SweepSummary {
    const resultsCsv = join(this.options.outDir, 'results.csv');
    const rows = this.jobs.map((job) => this.finished.get(job.id)).filter((row) => row !== undefined);
    writeFileSync(resultsCsv, rowsToCsv(rows));
    return {
      total: this.jobs.length,
      ranNow: this.pending.length,
      resumed: this.jobs.length - this.pending.length,
      failed: this.failed,
      resultsCsv,
    };
  }
}

function readFinishedRows(file: string): Map<string, SweepRow> {
  const rows = new Map<string, SweepRow>();
  if (!existsSync(file)) return rows;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    try {
      const row = JSON.parse(line) as SweepRow;
      // A failed run is tried again on resume.
      if (typeof row.id === 'string' && !row.error) rows.set(row.id, row);
    } catch {
      // A line cut short by a kill is simply run again.
    }
  }
  return rows;
}

/** One table: the varied keys, the policy, then every metric (union over rows, sorted). */
export function rowsToCsv(rows: readonly SweepRow[]): string {
  const overrideKeys = [...new Set(rows.flatMap((row) => Object.keys(row.overrides)))];
  const metricKeys = [...new Set(rows.flatMap((row) => Object.keys(row.metrics)))].sort();
  const cell = (value: unknown) => {
    const text = typeof value === 'string' ? value : JSON.stringify(value ?? '');
    return /[",\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
  };
  const lines = [[...overrideKeys, 'policy', ...metricKeys, 'error'].join(',')];
  for (const row of rows) {
    lines.push(
      [
        ...overrideKeys.map((key) => cell(row.overrides[key])),
        cell(row.policy),
        ...metricKeys.map((key) => (row.metrics[key] === undefined ? '' : String(row.metrics[key]))),
        cell(row.error ?? ''),
      ].join(','),
    );
  }
  return `${lines.join('\n')}\n`;
}
