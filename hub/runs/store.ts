/**
 * The run history: one SQLite row per `gridflex run` and `gridflex study poa|sweep`, in the data dir.
 * WAL and a busy timeout let several processes (parallel runs, study workers) record at once; the schema
 * carries its version in `user_version` so later changes migrate old files in place.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { InputError } from '../errors.js';
import { headlineLabel } from './labels.js';
import { type ComparedFigure, type NewRun, RUN_KINDS, type RunKind, type RunRecord } from './run-record.js';

/**
 * The hub's and the CLI's default data dir: `$GRIDFLEX_DATA_DIR` when set (the test suite points it at its own
 * scratch folder, so no test can write into a user's history), else `.gridflex` in the current folder.
 */
export const DEFAULT_DATA_DIR = process.env.GRIDFLEX_DATA_DIR || '.gridflex';
/** The history's file inside the data dir. */
export const RUNS_DB_FILE = 'runs.sqlite';

/** Schema steps: entry i takes user_version i to i + 1. Append, never edit. */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE runs (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     created_at TEXT NOT NULL,
     kind TEXT NOT NULL,
     scenario_file TEXT NOT NULL,
     scenario_name TEXT NOT NULL,
     scenario_sha256 TEXT NOT NULL,
     seed INTEGER NOT NULL,
     version TEXT NOT NULL,
     parameters_json TEXT NOT NULL,
     headline_json TEXT NOT NULL,
     out_dir TEXT NOT NULL
   );
   CREATE INDEX runs_created_at ON runs (created_at);`,
];

/** The schema version this code writes. */
export const RUNS_SCHEMA_VERSION = MIGRATIONS.length;

interface RunRow {
  id: number;
  created_at: string;
  kind: string;
  scenario_file: string;
  scenario_name: string;
  scenario_sha256: string;
  seed: number;
  version: string;
  parameters_json: string;
  headline_json: string;
  out_dir: string;
}

/** Files that mark a folder as a run's outputs; `delete --files` removes only such folders. */
const OUTPUT_MARKERS: Record<RunKind, string> = {
  run: 'metrics.json',
  'study-poa': 'poa.json',
  'study-sweep': 'results.csv',
  'study-links': 'links.json',
  'study-redteam': 'results.json',
};

export class RunStore {
  private constructor(
    private readonly db: Database.Database,
    /** Path of the SQLite file. */
    readonly file: string,
  ) {}

  /** Opens (creating if needed) the history in `dataDir` and brings its schema up to date. */
  static open(dataDir: string): RunStore {
    const dir = resolve(dataDir);
    const file = join(dir, RUNS_DB_FILE);
    let db: Database.Database;
    try {
      mkdirSync(dir, { recursive: true });
      db = new Database(file);
    } catch (error) {
      throw new InputError(dataDir, `cannot open the run history ${file}: ${messageOf(error)}`);
    }
    try {
      db.pragma('busy_timeout = 10000');
      db.pragma('journal_mode = WAL');
      migrate(db, file);
    } catch (error) {
      db.close();
      if (error instanceof InputError) throw error;
      throw new InputError(file, `not a usable run history: ${messageOf(error)}`);
    }
    return new RunStore(db, file);
  }

  /** Records a run and returns its row. */
  record(run: NewRun, version: string, createdAt = new Date()): RunRecord {
    const scenarioFile = resolve(run.scenarioFile);
    const row = {
      created_at: createdAt.toISOString(),
      kind: run.kind,
      scenario_file: scenarioFile,
      scenario_name: run.scenarioName,
      scenario_sha256: fileSha256(scenarioFile),
      seed: run.seed,
      version,
      parameters_json: JSON.stringify(run.parameters),
      headline_json: JSON.stringify(run.headline),
      out_dir: resolve(run.outDir),
    };
    const { lastInsertRowid } = this.db
      .prepare(
        `INSERT INTO runs (created_at, kind, scenario_file, scenario_name, scenario_sha256, seed, version,
           parameters_json, headline_json, out_dir)
         VALUES (@created_at, @kind, @scenario_file, @scenario_name, @scenario_sha256, @seed, @version,
           @parameters_json, @headline_json, @out_dir)`,
      )
      .run(row);
    return this.get(Number(lastInsertRowid));
  }

  /** Every run, newest first. */
  list(): RunRecord[] {
    return (this.db.prepare('SELECT * FROM runs ORDER BY id DESC').all() as RunRow[]).map(toRecord);
  }

  /** The run with this id; an InputError naming the id when there is none. */
  get(id: number): RunRecord {
    const row = this.db.prepare('SELECT * FROM runs WHERE id = ?').get(id) as RunRow | undefined;
    if (!row) throw new InputError(`run ${id}`, 'no such run in the history');
    return toRecord(row);
  }

  /**
   * Deletes a run's row and, with `files`, its output folder (only if it holds the run's marker file,
   * so a mistyped or shared folder is never removed). Returns whether the folder was removed.
   */
  delete(id: number, options: { files?: boolean } = {}): { record: RunRecord; filesRemoved: boolean } {
    const record = this.get(id);
    let filesRemoved = false;
    if (options.files && existsSync(record.outDir)) {
      const marker = join(record.outDir, OUTPUT_MARKERS[record.kind]);
      if (!statSync(record.outDir).isDirectory() || !existsSync(marker)) {
        throw new InputError(
          record.outDir,
          `not removed: it does not hold ${OUTPUT_MARKERS[record.kind]}, so it may not be this run's folder`,
        );
      }
      rmSync(record.outDir, { recursive: true, force: true });
      filesRemoved = true;
    }
    this.db.prepare('DELETE FROM runs WHERE id = ?').run(id);
    return { record, filesRemoved };
  }

  /** Two runs' headline figures side by side, in the order they first appear. */
  compare(
    idA: number,
    idB: number,
  ): { a: RunRecord; b: RunRecord; figures: ComparedFigure[]; warnings: string[] } {
    const a = this.get(idA);
    const b = this.get(idB);
    const names = [...new Set([...Object.keys(a.headline), ...Object.keys(b.headline)])];
    const figures = names.map((name) => {
      const valueA = a.headline[name] ?? null;
      const valueB = b.headline[name] ?? null;
      return {
        name,
        label: headlineLabel(name),
        a: valueA,
        b: valueB,
        difference: valueA === null || valueB === null ? null : roundTo4(valueB - valueA),
      };
    });
    return { a, b, figures, warnings: comparisonWarnings(a, b) };
  }

  close(): void {
    this.db.close();
  }
}

/**
 * Why two runs' figures may not compare like for like, in words: different lengths (bills, carbon and
 * bus-minutes are totals over the run), different days of the year or warm-ups, or different scenarios. Empty
 * when they compare like for like.
 */
export function comparisonWarnings(a: RunRecord, b: RunRecord): string[] {
  const warnings: string[] = [...spanWarnings(a, b)];
  const daysA = a.parameters.days;
  const daysB = b.parameters.days;
  if (typeof daysA === 'number' && typeof daysB === 'number' && daysA !== daysB) {
    warnings.push(
      `run ${a.id} covers ${dayCount(daysA)} and run ${b.id} ${dayCount(daysB)}: bills, carbon, losses and bus-minutes are totals over the run, so their difference is mostly the length; compare runs of the same length`,
    );
  }
  if (a.scenarioSha256 !== b.scenarioSha256) {
    warnings.push(
      a.scenarioName === b.scenarioName
        ? `runs ${a.id} and ${b.id} ran different versions of the scenario "${a.scenarioName}" (the files differ)`
        : `runs ${a.id} and ${b.id} ran different scenarios ("${a.scenarioName}" and "${b.scenarioName}")`,
    );
  }
  return warnings;
}

/** "1 day", "7 days". */
const dayCount = (value: number) => `${value} day${value === 1 ? '' : 's'}`;

/** Runs recorded with their start day (since `--start-day`) that start on other days, or warm up differently. */
function spanWarnings(a: RunRecord, b: RunRecord): string[] {
  const warnings: string[] = [];
  const [startA, startB] = [a.parameters.startDay, b.parameters.startDay];
  if (typeof startA === 'number' && typeof startB === 'number' && startA !== startB) {
    warnings.push(
      `run ${a.id} starts on day ${startA} of the year and run ${b.id} on day ${startB}: weather, daylight and prices differ by season; compare runs over the same days`,
    );
  }
  const warmUp = (run: RunRecord) =>
    typeof run.parameters.warmUpDays === 'number' ? run.parameters.warmUpDays : 0;
  if (warmUp(a) !== warmUp(b)) {
    warnings.push(
      `run ${a.id} counts after a warm-up of ${dayCount(warmUp(a))} and run ${b.id} after ${warmUp(b)}: they start from different states`,
    );
  }
  return warnings;
}

/** Parses a run id given by a user (CLI argument, URL segment). */
export function parseRunId(text: string, where = 'run id'): number {
  if (!/^[1-9][0-9]{0,14}$/.test(text.trim())) {
    throw new InputError(where, `expected a positive whole number, found "${text.slice(0, 40)}"`);
  }
  return Number(text.trim());
}

/** The running gridflex version, from the package.json next to dist/. */
export function gridflexVersion(packageRoot: string): string {
  try {
    const pkg = JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    return 'unknown';
  }
}

function migrate(db: Database.Database, file: string): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > MIGRATIONS.length) {
    throw new InputError(
      file,
      `run history schema version ${version} is newer than this gridflex understands (${MIGRATIONS.length}); upgrade gridflex`,
    );
  }
  // One transaction per step, so two processes opening a new file at once do not both migrate.
  for (let step = version; step < MIGRATIONS.length; step++) {
    db.transaction(() => {
      const current = db.pragma('user_version', { simple: true }) as number;
      if (current !== step) return;
      db.exec(MIGRATIONS[step] as string);
      db.pragma(`user_version = ${step + 1}`);
    }).immediate();
  }
}

function toRecord(row: RunRow): RunRecord {
  return {
    id: row.id,
    createdAt: row.created_at,
    kind: (RUN_KINDS as readonly string[]).includes(row.kind) ? (row.kind as RunKind) : 'run',
    scenarioFile: row.scenario_file,
    scenarioName: row.scenario_name,
    scenarioSha256: row.scenario_sha256,
    seed: row.seed,
    version: row.version,
    parameters: JSON.parse(row.parameters_json) as Record<string, unknown>,
    headline: JSON.parse(row.headline_json) as Record<string, number>,
    outDir: row.out_dir,
  };
}

function fileSha256(file: string): string {
  try {
    return createHash('sha256').update(readFileSync(file)).digest('hex');
  } catch {
    return '';
  }
}

function roundTo4(value: number): number {
  const rounded = Math.round(value * 1e4) / 1e4;
  return Object.is(rounded, -0) ? 0 : rounded;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
