import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RunStore } from '../../../hub/runs/index.js';
import type { LinksStudyResult } from '../../../hub/study/links-study.js';
import { tempDir } from '../mqtt-helpers.js';

const scratch = tempDir('gridflex-links-study-');
afterAll(() => scratch.remove());

const study = (args: string[]) =>
  spawnSync('node', ['dist/hub/cli.js', 'study', 'links', '--scenario', 'scenarios/table.yaml', ...args], {
    encoding: 'utf8',
  });

describe('gridflex study links', () => {
  it('runs cooperative control over latency × loss, writes the table, the figures and the chart, and records it', () => {
    const out = join(scratch.dir, 'study');
    const dataDir = join(scratch.dir, 'history');
    const result = study([
      ...['--latency', '0,2', '--loss', '0,0.3', '--days', '1', '--limit-kw', '15', '--workers', '1'],
      ...['--out', out, '--data-dir', dataDir],
    ]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const figures = JSON.parse(readFileSync(join(out, 'links.json'), 'utf8')) as LinksStudyResult;
    expect(figures.rows.map((row) => [row.latency, row.loss])).toEqual([
      [0, 0],
      [0, 0.3],
      [2, 0],
      [2, 0.3],
    ]);
    const [clean, ...constrained] = figures.rows;
    expect(clean?.missingProposals).toBe(0);
    for (const row of constrained) expect(row.missingProposals).toBeGreaterThan(0);
    // Social cost is bills plus £150 for each kW of peak above the 15 kW limit.
    for (const row of figures.rows)
      expect(row.socialCostGbp).toBeCloseTo(row.billsGbp + 150 * row.peakAboveLimitKw, 1);
    expect(readFileSync(join(out, 'links.md'), 'utf8')).toContain('| 2 | 0.3 |');
    const chart = readFileSync(join(out, 'links.svg'), 'utf8');
    expect(chart.match(/<polyline/g)).toHaveLength(4);
    expect(chart).toMatch(
      /<title>Social cost and peak above the [\d.]+ kW limit against agentCoordinator latency/,
    );
    expect(readFileSync(join(out, 'results.csv'), 'utf8').split('\n')[0]).toContain('missingProposals');
    const history = RunStore.open(dataDir);
    const [record, ...others] = history.list();
    history.close();
    expect(others).toEqual([]);
    expect(record).toMatchObject({
      kind: 'study-links',
      outDir: out,
      scenarioName: 'Table street (8 homes)',
    });
    expect(record?.headline).toEqual({
      days: 1,
      runs: 4,
      failed: 0,
      cleanLinksSocialCostGbp: clean?.socialCostGbp,
      worstSocialCostGbp: Math.max(...figures.rows.map((row) => row.socialCostGbp)),
      worstPeakAboveLimitKw: Math.max(...figures.rows.map((row) => row.peakAboveLimitKw)),
    });

    // The HTML report of the study, with its rows as CSV (the rows its charts draw).
    const written = spawnSync(
      'node',
      ['dist/hub/cli.js', 'report', '--run', out, '--out', join(out, 'report.html'), '--csv', out],
      { encoding: 'utf8' },
    );
    expect(written.stdout, written.stderr).toMatch(/^wrote .*report\.html \(\d+ KiB, links study, 1 days\)/);
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('"kind":"study-links"');
    const csvRows = readFileSync(join(out, 'report-rows.csv'), 'utf8').trim().split('\n').slice(1);
    expect(csvRows.map((row) => row.split(',').slice(0, 3).map(Number))).toEqual(
      figures.rows.map((row) => [row.latency, row.loss, row.socialCostGbp]),
    );
  }, 300_000);

  it('refuses a bad flag naming it', () => {
    const out = join(scratch.dir, 'bad');
    const loss = study(['--loss', '0,1.5', '--out', out]);
    expect(loss.status).toBe(2);
    expect(loss.stderr).toContain('--loss');
    const link = study(['--link', 'hubDashboard', '--out', out]);
    expect(link.status).toBe(2);
    expect(link.stderr).toContain(
      '--link: expected one of agentCoordinator, deviceHub, found "hubDashboard"',
    );
  });
});
