import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'gridflex-runs-cli-'));
const dataDir = join(dir, 'data');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function cli(...args: string[]) {
  const result = spawnSync(process.execPath, ['dist/hub/cli.js', ...args], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('gridflex runs', () => {
  it('records runs and a PoA study, then lists, shows, compares and deletes them', () => {
    // Two days: over one, with the EVs starting at their targets, selfish's bill was £0.09 above passive's.
    const selfish = cli(
      'run',
      '--scenario',
      'scenarios/table.yaml',
      '--days',
      '2',
      '--policy',
      'selfish',
      '--out',
      join(dir, 'selfish'),
      '--data-dir',
      dataDir,
    );
    expect(selfish.code, selfish.stderr).toBe(0);
    expect(selfish.stdout).toContain(`recorded as run 1 in ${join(dataDir, 'runs.sqlite')}`);
    const passive = cli(
      'run',
      '--scenario',
      'scenarios/table.yaml',
      '--days',
      '2',
      '--policy',
      'passive',
      '--out',
      join(dir, 'passive'),
      '--data-dir',
      dataDir,
    );
    expect(passive.code, passive.stderr).toBe(0);
    const poa = cli(
      'study',
      'poa',
      '--scenario',
      'scenarios/table.yaml',
      '--days',
      '1',
      '--workers',
      '1',
      '--out',
      join(dir, 'poa'),
      '--data-dir',
      dataDir,
    );
    expect(poa.code, poa.stderr).toBe(0);
    expect(poa.stdout).toContain('recorded as run 3');

    const list = cli('runs', 'list', '--data-dir', dataDir, '--json');
    expect(list.code, list.stderr).toBe(0);
    const records = JSON.parse(list.stdout) as {
      id: number;
      kind: string;
      parameters: { policy?: string };
    }[];
    expect(records.map((record) => [record.id, record.kind, record.parameters.policy])).toEqual([
      [3, 'study-poa', undefined],
      [2, 'run', 'passive'],
      [1, 'run', 'selfish'],
    ]);
    const table = cli('runs', 'list', '--data-dir', dataDir);
    expect(table.stdout).toMatch(/^id\s+created \(UTC\)\s+kind/);
    expect(table.stdout).toContain('PoA ');
    // Money with the sign before the pound and a true minus (the selfish run saves against passive).
    expect(table.stdout).toMatch(/bills £\d+\.\d\d \(−£\d+\.\d\d vs passive\)/);

    const show = cli('runs', 'show', '1', '--data-dir', dataDir);
    expect(show.stdout).toContain('run 1 (run)');
    expect(show.stdout).toMatch(/sha256 [0-9a-f]{12}/);
    expect(show.stdout).toMatch(/billsGbp\s+\d/);

    const compare = cli('runs', 'compare', '2', '1', '--data-dir', dataDir, '--json');
    expect(compare.code, compare.stderr).toBe(0);
    const { figures } = JSON.parse(compare.stdout) as {
      figures: { name: string; a: number; b: number; difference: number }[];
    };
    const bills = figures.find((figure) => figure.name === 'billsGbp');
    // The selfish run's saving against passive is the difference between the two runs' bills.
    const saving = figures.find((figure) => figure.name === 'billsVsPassiveGbp');
    expect(bills?.difference).toBeCloseTo(saving?.b ?? Number.NaN, 3);
    expect(cli('runs', 'compare', '2', '1', '--data-dir', dataDir).stdout).toMatch(
      /figure\s+a \(run 2\)\s+b \(run 1\)\s+b − a/,
    );
    // Runs of the same street and length compare like for like: no warning.
    expect(cli('runs', 'compare', '2', '1', '--data-dir', dataDir).stdout).not.toContain('warning');

    const deleted = cli('runs', 'delete', '1', '--files', '--data-dir', dataDir);
    expect(deleted.code, deleted.stderr).toBe(0);
    expect(deleted.stdout).toContain(`deleted run 1 and its folder ${join(dir, 'selfish')}`);
    expect(existsSync(join(dir, 'selfish'))).toBe(false);
    expect(cli('runs', 'delete', '2', '--data-dir', dataDir).stdout).toBe('deleted run 2\n');
    expect(existsSync(join(dir, 'passive', 'metrics.json'))).toBe(true);
  });

  it('records a sweep as one run with its counts', () => {
    const grid = join(dir, 'grid.yaml');
    writeFileSync(
      grid,
      'vary:\n  defaults.tariff: [flat-cap, dynamic-half-hourly]\npolicies: [passive]\ndays: 1\n',
    );
    const sweep = cli(
      'study',
      'sweep',
      '--scenario',
      'scenarios/table.yaml',
      '--grid',
      grid,
      '--workers',
      '1',
      '--out',
      join(dir, 'sweep'),
      '--data-dir',
      dataDir,
    );
    expect(sweep.code, sweep.stderr).toBe(0);
    const recorded = /recorded as run (\d+) in /.exec(sweep.stdout);
    expect(recorded).not.toBeNull();
    const record = JSON.parse(
      cli('runs', 'show', recorded?.[1] ?? '', '--data-dir', dataDir, '--json').stdout,
    );
    expect(record).toMatchObject({
      kind: 'study-sweep',
      headline: { runs: 2, failed: 0 },
      outDir: join(dir, 'sweep'),
    });
    expect(record.parameters.grid).toMatchObject({ policies: ['passive'], days: 1 });
  });

  it('refuses bad ids and unknown runs with exit code 2 and a clear message', () => {
    const bad = cli('runs', 'show', '1;DROP TABLE runs', '--data-dir', dataDir);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('error: run id: expected a positive whole number, found "1;DROP TABLE runs"\n');
    const missing = cli('runs', 'compare', '3', '999', '--data-dir', dataDir);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe('error: run 999: no such run in the history\n');
  });

  it('warns when compared runs differ in length', () => {
    const history = join(dir, 'lengths');
    for (const days of ['1', '2']) {
      const run = cli(
        'run',
        '--scenario',
        'scenarios/table.yaml',
        '--days',
        days,
        '--out',
        join(dir, `days-${days}`),
        '--data-dir',
        history,
      );
      expect(run.code, run.stderr).toBe(0);
    }
    const compare = cli('runs', 'compare', '1', '2', '--data-dir', history);
    expect(compare.code, compare.stderr).toBe(0);
    expect(compare.stdout.split('\n')[2]).toBe(
      'warning: run 1 covers 1 day and run 2 2 days: bills, carbon, losses and bus-minutes are totals over the run, so their difference is mostly the length; compare runs of the same length',
    );
  });

  it('refuses a data dir it cannot use before running anything', () => {
    const aFile = join(dir, 'a-file');
    writeFileSync(aFile, 'not a folder');
    const result = cli(
      'run',
      '--scenario',
      'scenarios/table.yaml',
      '--days',
      '1',
      '--out',
      join(dir, 'never'),
      '--data-dir',
      join(aFile, 'data'),
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`error: ${join(aFile, 'data')}: cannot open the run history`);
    expect(existsSync(join(dir, 'never'))).toBe(false);
  });
});
