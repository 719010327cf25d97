import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { InputError } from '../../../hub/errors.js';
import {
  type NewRun,
  parseRunId,
  RUNS_DB_FILE,
  RUNS_SCHEMA_VERSION,
  RunStore,
} from '../../../hub/runs/index.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'gridflex-runs-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function newRun(dir: string, overrides: Partial<NewRun> = {}): NewRun {
  const scenarioFile = join(dir, 'scenario.yaml');
  writeFileSync(scenarioFile, 'name: test\n');
  const outDir = join(dir, 'out');
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'metrics.json'), '{}');
  return {
    kind: 'run',
    scenarioFile,
    scenarioName: 'test street',
    seed: 7,
    parameters: { policy: 'selfish', days: 2 },
    headline: { billsGbp: 10, transformerPeakKw: 20 },
    outDir,
    ...overrides,
  };
}

describe('RunStore', () => {
  it('records a run with its scenario hash and version, lists newest first, and reads it back', () => {
    const dir = tempDir();
    const store = RunStore.open(join(dir, 'data'));
    const first = store.record(newRun(dir), '1.2.3', new Date('2026-01-01T00:00:00Z'));
    const second = store.record(newRun(dir, { headline: { billsGbp: 8 } }), '1.2.3');
    expect(first).toMatchObject({
      id: 1,
      createdAt: '2026-01-01T00:00:00.000Z',
      kind: 'run',
      scenarioName: 'test street',
      scenarioSha256: createHash('sha256').update('name: test\n').digest('hex'),
      seed: 7,
      version: '1.2.3',
      parameters: { policy: 'selfish', days: 2 },
      headline: { billsGbp: 10, transformerPeakKw: 20 },
      outDir: join(dir, 'out'),
    });
    expect(store.list().map((record) => record.id)).toEqual([second.id, first.id]);
    expect(store.get(first.id)).toEqual(first);
    store.close();
    // The file persists and reopens at the current schema version.
    const db = new Database(join(dir, 'data', RUNS_DB_FILE));
    expect(db.pragma('user_version', { simple: true })).toBe(RUNS_SCHEMA_VERSION);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
    const reopened = RunStore.open(join(dir, 'data'));
    expect(reopened.list()).toHaveLength(2);
    reopened.close();
  });

  it('gives the same hash for the same scenario bytes and a different one when the file changes', () => {
    const dir = tempDir();
    const store = RunStore.open(dir);
    const run = newRun(dir);
    const a = store.record(run, 'v');
    const b = store.record(run, 'v');
    writeFileSync(run.scenarioFile, 'name: changed\n');
    const c = store.record(run, 'v');
    store.close();
    expect(a.scenarioSha256).toBe(b.scenarioSha256);
    expect(c.scenarioSha256).not.toBe(a.scenarioSha256);
  });

  it('compares two runs: every headline figure of either, with b − a', () => {
    const dir = tempDir();
    const store = RunStore.open(dir);
    const a = store.record(newRun(dir, { headline: { billsGbp: 10.5, peakKw: 20 } }), 'v');
    const b = store.record(newRun(dir, { headline: { billsGbp: 9.25, lossesKwh: 3 } }), 'v');
    const { figures } = store.compare(a.id, b.id);
    store.close();
    expect(figures).toEqual([
      { name: 'billsGbp', label: 'bills (£)', a: 10.5, b: 9.25, difference: -1.25 },
      { name: 'peakKw', label: 'peakKw', a: 20, b: null, difference: null },
      { name: 'lossesKwh', label: 'network losses (kWh)', a: null, b: 3, difference: null },
    ]);
  });

  it('warns when two compared runs differ in length or scenario, and not when they compare like for like', () => {
    const dir = tempDir();
    const store = RunStore.open(dir);
    const twoDays = store.record(newRun(dir), 'v');
    const sameLength = store.record(newRun(dir, { parameters: { policy: 'passive', days: 2 } }), 'v');
    const aYear = store.record(newRun(dir, { parameters: { policy: 'passive', days: 365 } }), 'v');
    expect(store.compare(twoDays.id, sameLength.id).warnings).toEqual([]);
    expect(store.compare(twoDays.id, aYear.id).warnings).toEqual([
      'run 1 covers 2 days and run 3 365 days: bills, carbon, losses and bus-minutes are totals over the run, so their difference is mostly the length; compare runs of the same length',
    ]);
    const otherFile = join(dir, 'another.yaml');
    writeFileSync(otherFile, 'name: another\n');
    const other = store.record(
      { ...newRun(dir), scenarioFile: otherFile, scenarioName: 'another street' },
      'v',
    );
    expect(store.compare(twoDays.id, other.id).warnings).toEqual([
      'runs 1 and 4 ran different scenarios ("test street" and "another street")',
    ]);
    const summer = store.record(
      newRun(dir, { parameters: { policy: 'passive', startDay: 170, days: 2, warmUpDays: 7 } }),
      'v',
    );
    const winter = store.record(
      newRun(dir, { parameters: { policy: 'passive', startDay: 0, days: 2 } }),
      'v',
    );
    expect(store.compare(winter.id, summer.id).warnings).toEqual([
      'run 6 starts on day 0 of the year and run 5 on day 170: weather, daylight and prices differ by season; compare runs over the same days',
      'run 6 counts after a warm-up of 0 days and run 5 after 7: they start from different states',
    ]);
    // Runs recorded before the start day was (no startDay) are not warned about it.
    expect(store.compare(twoDays.id, winter.id).warnings).toEqual([]);
    store.close();
  });

  it('deletes the row, and the output folder only when asked and only if it holds the run marker', () => {
    const dir = tempDir();
    const store = RunStore.open(join(dir, 'data'));
    const kept = store.record(newRun(dir), 'v');
    expect(store.delete(kept.id)).toMatchObject({ filesRemoved: false });
    expect(existsSync(join(dir, 'out', 'metrics.json'))).toBe(true);
    expect(() => store.get(kept.id)).toThrow(/no such run/);

    const removed = store.record(newRun(dir), 'v');
    expect(store.delete(removed.id, { files: true })).toMatchObject({ filesRemoved: true });
    expect(existsSync(join(dir, 'out'))).toBe(false);

    // A folder without metrics.json (e.g. a mistyped --out of the home dir) is never removed.
    const unmarked = join(dir, 'precious');
    mkdirSync(unmarked);
    writeFileSync(join(unmarked, 'thesis.txt'), 'do not delete');
    const wrong = store.record(newRun(dir, { outDir: unmarked }), 'v');
    expect(() => store.delete(wrong.id, { files: true })).toThrow(/does not hold metrics.json/);
    expect(existsSync(join(unmarked, 'thesis.txt'))).toBe(true);
    expect(store.get(wrong.id).id).toBe(wrong.id);
    store.close();
  });

  it('refuses a history written by a newer schema and a file that is not SQLite, naming the file', () => {
    const dir = tempDir();
    const db = new Database(join(dir, RUNS_DB_FILE));
    db.pragma(`user_version = ${RUNS_SCHEMA_VERSION + 5}`);
    db.close();
    expect(() => RunStore.open(dir)).toThrow(/newer than this gridflex understands/);

    const other = tempDir();
    writeFileSync(join(other, RUNS_DB_FILE), 'this is not a database, just text long enough to matter');
    const error = (() => {
      try {
        RunStore.open(other);
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).where).toBe(join(other, RUNS_DB_FILE));
  });

  it('migrates a version-0 file (no table yet) in place', () => {
    const dir = tempDir();
    new Database(join(dir, RUNS_DB_FILE)).close();
    const store = RunStore.open(dir);
    expect(store.list()).toEqual([]);
    store.close();
  });

  it('parses run ids strictly', () => {
    expect(parseRunId('12')).toBe(12);
    for (const bad of ['0', '-1', '1.5', 'abc', '', '1e3', '99999999999999999'])
      expect(() => parseRunId(bad), bad).toThrow(InputError);
  });

  it('takes concurrent writers from several processes without losing a row', async () => {
    const dir = tempDir();
    const run = newRun(dir);
    const storeModule = new URL('../../../dist/hub/runs/store.js', import.meta.url).href;
    const script = `
      const { RunStore } = await import(${JSON.stringify(storeModule)});
      const store = RunStore.open(process.argv[1]);
      const run = JSON.parse(process.argv[2]);
      for (let i = 0; i < 25; i++) store.record(run, 'v');
      store.close();`;
    const writers = Array.from(
      { length: 4 },
      () =>
        new Promise<number | null>((done) => {
          const child = spawn(
            process.execPath,
            ['--input-type=module', '-e', script, join(dir, 'data'), JSON.stringify(run)],
            {
              stdio: ['ignore', 'ignore', 'inherit'],
            },
          );
          child.on('exit', done);
        }),
    );
    expect(await Promise.all(writers)).toEqual([0, 0, 0, 0]);
    const store = RunStore.open(join(dir, 'data'));
    const ids = store.list().map((record) => record.id);
    store.close();
    expect(ids).toHaveLength(100);
    expect(new Set(ids).size).toBe(100);
  });
});
