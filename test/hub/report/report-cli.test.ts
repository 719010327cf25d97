import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'gridflex-report-cli-'));
const dataDir = join(dir, 'data');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function cli(...args: string[]) {
  const result = spawnSync(process.execPath, ['dist/hub/cli.js', ...args], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

beforeAll(() => {
  const run = cli(
    'run',
    '--scenario',
    'scenarios/table.yaml',
    '--days',
    '1',
    '--out',
    join(dir, 'run'),
    '--data-dir',
    dataDir,
  );
  expect(run.code, run.stderr).toBe(0);
}, 60_000);

describe('gridflex report', () => {
  it('writes one self-contained HTML file with the data embedded, and the CSVs', () => {
    const out = join(dir, 'out', 'report.html');
    const result = cli('report', '--run', join(dir, 'run'), '--out', out, '--csv', join(dir, 'csv'));
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(
      /^wrote .*report\.html \(\d+ KiB, 8 homes, 1 days\) in \d+ ms\nwrote .*report-homes\.csv and .*report-chart-series\.csv\n$/,
    );
    const html = readFileSync(out, 'utf8');
    // Everything inline: no script or stylesheet fetched from anywhere.
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+stylesheet/);
    const json = /<script type="application\/json" id="report-data">(.*?)<\/script>/s.exec(html)?.[1];
    expect(JSON.parse(json ?? 'null')).toMatchObject({
      format: 1,
      kind: 'run',
      scenario: 'Table street (8 homes)',
      days: 1,
    });
    expect(
      readFileSync(join(dir, 'csv', 'report-homes.csv'), 'utf8')
        .trim()
        .split('\n'),
    ).toHaveLength(9);
  });

  it('reports a run from the history by id', () => {
    const result = cli('report', '--id', '1', '--data-dir', dataDir, '--out', join(dir, 'by-id.html'));
    expect(result.code, result.stderr).toBe(0);
    expect(existsSync(join(dir, 'by-id.html'))).toBe(true);
  });

  it('refuses missing or conflicting sources and folders without run outputs', () => {
    expect(cli('report', '--out', join(dir, 'x.html')).stderr).toBe(
      'error: --run/--id: give either --run DIR or --id N (a run from gridflex runs list)\n',
    );
    const notARun = cli('report', '--run', dir, '--out', join(dir, 'x.html'));
    expect(notARun.code).toBe(2);
    expect(notARun.stderr).toBe(
      `error: ${dir}: holds none of metrics.json (gridflex run), poa.json (study poa), links.json (study links), results.json (study redteam), social.json (study sweep over social graphs)\n`,
    );
    expect(cli('report', '--id', '7', '--data-dir', dataDir, '--out', join(dir, 'x.html')).stderr).toBe(
      'error: run 7: no such run in the history\n',
    );
    expect(existsSync(join(dir, 'x.html'))).toBe(false);
  });
});
