/**
 * The report's social-graph section from a real sweep: `gridflex study sweep` over the shipped topology grid
 * (scenarios/studies/social-report-table-grid.yaml) on the table street writes social.json, `gridflex report`
 * draws it, and headless Chromium shows per topology the figures of the sweep's own rows (results.jsonl) and
 * the answer, hub and clusters, that those figures give.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SweepRow } from '../../../hub/study/sweep.js';
import { collectPageErrors, launchChromium, saveScreenshot } from '../dashboard/browser.js';
import { CLI } from '../live/hub-process.js';
import { tempDir } from '../mqtt-helpers.js';

const GRID = 'scenarios/studies/social-report-table-grid.yaml';
const LIMIT_KW = 15;
const temp = tempDir('gridflex-social-report-');
const sweepDir = join(temp.dir, 'sweep');
const reportFile = join(temp.dir, 'report.html');
let rows: SweepRow[];
let browser: Browser;

beforeAll(async () => {
  const cli = (...args: string[]) => execFileSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  cli(
    'study',
    'sweep',
    '--scenario',
    'scenarios/table.yaml',
    '--grid',
    GRID,
    '--limit-kw',
    String(LIMIT_KW),
    '--workers',
    '2',
    '--out',
    sweepDir,
    '--data-dir',
    join(temp.dir, 'data'),
  );
  cli('report', '--run', sweepDir, '--out', reportFile, '--csv', join(temp.dir, 'csv'));
  rows = readFileSync(join(sweepDir, 'results.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as SweepRow);
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  temp.remove();
});

interface CanvasTexts {
  canvasTexts: { canvas: HTMLCanvasElement; text: string; align: string; baseline: string }[];
}

/** Runs in the page before its scripts: keeps every text drawn on a canvas, with its canvas and alignment. */
function recordCanvasText(): void {
  const texts: CanvasTexts['canvasTexts'] = [];
  (window as unknown as CanvasTexts).canvasTexts = texts;
  const fillText = CanvasRenderingContext2D.prototype.fillText;
  CanvasRenderingContext2D.prototype.fillText = function (this: CanvasRenderingContext2D, text, ...at) {
    texts.push({ canvas: this.canvas, text, align: this.textAlign, baseline: this.textBaseline });
    fillText.call(this, text, ...at);
  };
}

/** The sweep's row of a topology, by its generator and its distinguishing parameter. */
function rowOf(kind: string, key: string, value: unknown): SweepRow {
  const row = rows.find((candidate) => {
    const graph = candidate.overrides.socialGraph as Record<string, unknown>;
    return graph.kind === kind && JSON.stringify(graph[key]) === JSON.stringify(value);
  });
  if (!row) throw new Error(`no ${kind} row with ${key} ${JSON.stringify(value)}`);
  return row;
}

const survives = (row: SweepRow) =>
  row.metrics.adoptersAtEnd === row.metrics.homes && (row.metrics.lastDayPeakKw as number) <= LIMIT_KW;

describe('the report’s social-graph section', () => {
  it('shows each topology’s figures from the sweep’s rows, and the answer they give', async () => {
    expect(rows).toHaveLength(5);
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    const errors = collectPageErrors(page);
    await page.addInitScript(recordCanvasText);
    await page.goto(pathToFileURL(reportFile).href);
    await page.waitForSelector('body[data-report-ready="true"]');
    const section = page.locator('section#social-graph');
    const tableRows = section.locator('table.data tbody tr');
    expect(await tableRows.count()).toBe(rows.length);
    const labels = ['ring (k 1)', 'hub-dominated (influencers home-1)', 'hub-dominated (influencers home-5)'];
    const sweepRows = [rowOf('ring', 'k', 1), rowOf('hub-dominated', 'influencers', ['home-1'])];
    sweepRows.push(rowOf('hub-dominated', 'influencers', ['home-5']));
    for (const [index, row] of sweepRows.entries()) {
      const cells = await tableRows.nth(index).locator('td').allTextContents();
      const m = row.metrics as Record<string, number>;
      expect(cells.slice(0, 4)).toEqual([
        labels[index],
        `${m.adoptersAtEnd} of ${m.homes}`,
        String(m.socialEdges),
        String(m.tariffCopies),
      ]);
      expect(cells.slice(5, 10)).toEqual([
        `£${m.socialCostGbp?.toFixed(2)}`,
        `£${m.billsGbp?.toFixed(2)}`,
        `${m.transformerPeakKw?.toFixed(1)} kW`,
        `${m.lastDayPeakKw?.toFixed(1)} kW`,
        `${m.peakAboveLimitKw?.toFixed(1)} kW`,
      ]);
    }
    // The answer follows from the rows: the seed home as the influencer carries the street, another does not.
    const answer = await section.locator('ul.social-answer li').allTextContents();
    const hub = answer.find((sentence) => sentence.startsWith('Adding a hub (influencer)')) as string;
    const [seedHub, otherHub] = [sweepRows[1] as SweepRow, sweepRows[2] as SweepRow];
    expect(survives(seedHub)).toBe(true);
    expect(survives(otherHub)).toBe(false);
    expect(hub).toContain(
      `survives in ${labels[1]}, not in ${labels[2]} (${otherHub.metrics.adoptersAtEnd} of 8)`,
    );
    const clusters = answer.find((sentence) => sentence.startsWith('Cutting clusters')) as string;
    const cut = rowOf('clustered', 'interP', 0);
    expect(clusters).toContain(`interP 0): ${cut.metrics.adoptersAtEnd} of 8`);
    expect(survives(cut)).toBe(false);
    expect(await section.locator('.uplot canvas').count()).toBe(3);
    // uPlot draws its ticks on the canvas: the adoption chart's day ticks are whole days, 1 to 7.
    const dayTicks = await section
      .locator('.uplot canvas')
      .first()
      .evaluate((canvas) =>
        (window as unknown as CanvasTexts).canvasTexts
          .filter((drawn) => drawn.canvas === canvas && drawn.align === 'center' && drawn.baseline === 'top')
          .map((drawn) => drawn.text)
          .filter((text) => text !== 'day'),
      );
    expect(new Set(dayTicks)).toEqual(new Set(['1', '2', '3', '4', '5', '6', '7']));
    await saveScreenshot(page, 'report-social-graph');
    expect(errors).toEqual([]);
  }, 60_000);

  it('the run history offers the report of the sweep (gridflex report --id, and the history page by its headline)', () => {
    const cli = (...args: string[]) => execFileSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
    const data = join(temp.dir, 'data');
    const shown = JSON.parse(cli('runs', 'show', '1', '--json', '--data-dir', data)) as {
      kind: string;
      headline: Record<string, number>;
    };
    expect(shown.kind).toBe('study-sweep');
    expect(shown.headline.topologies).toBe(rows.length);
    const out = join(temp.dir, 'by-id.html');
    expect(cli('report', '--id', '1', '--data-dir', data, '--out', out)).toMatch(
      /social-graph sweep, 7 days/,
    );
    expect(readFileSync(out, 'utf8')).toBe(readFileSync(reportFile, 'utf8'));
  });

  it('its rows CSV has each topology’s adoption day by day, ending on the sweep’s adopters', () => {
    const lines = readFileSync(join(temp.dir, 'csv', 'report-rows.csv'), 'utf8')
      .trim()
      .split('\n');
    const header = (lines[0] as string).split(',');
    expect(header.filter((name) => name.startsWith('adopters_day_'))).toHaveLength(7);
    const ring = (lines[1] as string).split(',');
    expect(ring[0]).toBe('ring (k 1)');
    const lastDay = Number(ring[header.indexOf('adopters_day_7')]);
    expect(lastDay).toBe(rowOf('ring', 'k', 1).metrics.adoptersAtEnd);
    expect(Number(ring[header.indexOf('social_cost_gbp')])).toBe(rowOf('ring', 'k', 1).metrics.socialCostGbp);
  });
});
