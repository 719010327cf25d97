import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, type HubProcess, startHub } from '../live/hub-process.js';
import { collectPageErrors, launchChromium, saveScreenshot } from './browser.js';

const dir = mkdtempSync(join(tmpdir(), 'gridflex-report-browser-'));
const dataDir = join(dir, 'data');
const runDir = join(dir, 'run');
const reportFile = join(dir, 'report.html');
let browser: Browser;
let hub: HubProcess;

/** Every section a run's report has, by id. */
const RUN_SECTIONS = ['costs', 'distribution', 'network', 'carbon', 'shared', 'suppliers', 'switching'];

beforeAll(async () => {
  execFileSync(process.execPath, [
    CLI,
    'run',
    '--scenario',
    'scenarios/table.yaml',
    '--days',
    '2',
    '--out',
    runDir,
    '--data-dir',
    dataDir,
  ]);
  execFileSync(process.execPath, [CLI, 'report', '--run', runDir, '--out', reportFile]);
  execFileSync(process.execPath, [
    CLI,
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
  ]);
  execFileSync(process.execPath, [CLI, 'report', '--run', join(dir, 'poa'), '--out', join(dir, 'poa.html')]);
  [browser, hub] = await Promise.all([launchChromium(), startHub(['--data-dir', dataDir])]);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await hub?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Waits for the report to be drawn and checks what every run report shows. */
async function expectRunReport(page: Page): Promise<void> {
  await page.waitForSelector('body[data-report-ready="true"]');
  // The run was two days: the title says so (not "Year report").
  expect(await page.textContent('#report-title')).toBe('2-day report: Table street (8 homes)');
  // The headline names the most loaded line beside the transformer (its loading and how many lines went over).
  const worst = readFileSync(join(runDir, 'line-loading.csv'), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((row) => row.split(','))
    .sort((x, y) => Number(y[3]) - Number(x[3]))[0] as string[];
  expect(await page.locator('.key-figure', { hasText: 'Most loaded line' }).textContent()).toMatch(
    new RegExp(
      `^Most loaded line${Number(worst[3]).toFixed(0)} % of rating${worst[0]} \\(bus ${worst[1]}–${worst[2]}\\); every line within its rating \\(\\d+ rated\\)$`,
    ),
  );
  for (const id of RUN_SECTIONS) expect(await page.locator(`section#${id}`).count(), id).toBe(1);
  // uPlot charts: bills, deciles, four network charts, carbon; each a drawn canvas with a non-zero size.
  const canvases = await page
    .locator('.uplot canvas')
    .evaluateAll((elements) =>
      elements.map((canvas) => (canvas as HTMLCanvasElement).width * (canvas as HTMLCanvasElement).height),
    );
  expect(canvases.length).toBe(7);
  for (const area of canvases) expect(area).toBeGreaterThan(0);
  // One row per home in the cost table, with the passive bill, the bill and the saving.
  expect(await page.locator('#costs table.data tbody tr').count()).toBe(8);
  expect(await page.locator('#costs table.data tbody tr').first().textContent()).toMatch(
    /home-1.*£\d+\.\d\d.*£\d+\.\d\d/,
  );
  expect(await page.textContent('#network')).toMatch(
    /All 8 customer connections stayed within|connections went outside the band/,
  );
}

describe('year report in a real browser', () => {
  it('the take-away HTML opens standalone from file:// with no network and shows the charts', async () => {
    const size = statSync(reportFile).size;
    expect(size).toBeLessThan(400 * 1024);
    const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    const errors = collectPageErrors(page);
    const network: string[] = [];
    await page.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith('file:') || url.startsWith('data:') || url.startsWith('blob:'))
        return route.continue();
      network.push(url);
      return route.abort();
    });
    await page.goto(pathToFileURL(reportFile).href);
    await expectRunReport(page);
    // Standalone: no links back into the dashboard, no server download button.
    expect(await page.locator('.dashboard-only').isVisible()).toBe(false);
    expect(await page.locator('#download-html').count()).toBe(0);
    await saveScreenshot(page, 'report-standalone-1920');
    await page.setViewportSize({ width: 1024, height: 768 });
    await page.waitForTimeout(100);
    await saveScreenshot(page, 'report-standalone-1024');
    const csv = await Promise.all([page.waitForEvent('download'), page.click('#download-homes-csv')]);
    const homesCsv = readFileSync((await csv[0].path()) as string, 'utf8')
      .trim()
      .split('\n');
    expect(homesCsv[0]).toMatch(/^home,bus,phase,policy,assets,/);
    expect(homesCsv).toHaveLength(9);
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('#report-actions').isVisible()).toBe(false);
    const pdf = await page.pdf({ format: 'A4', landscape: true, printBackground: true });
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    await page.emulateMedia({ media: 'screen' });
    expect(network).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('the hub serves the report of a run from the history, with a download of the single file', async () => {
    const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    const errors = collectPageErrors(page);
    await page.goto(`${hub.httpUrl}/report.html?run=1`);
    await expectRunReport(page);
    expect(await page.textContent('#report-subtitle')).toMatch(/^run 1 · policy scenario · 2 days · seed 7/);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-html')]);
    expect(download.suggestedFilename()).toBe('gridflex-report-run-1.html');
    const html = readFileSync((await download.path()) as string, 'utf8');
    expect(html).toContain('<script type="application/json" id="report-data">');
    expect(html).not.toMatch(/<script[^>]+src=/);
    await saveScreenshot(page, 'report-hub-1920');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('a PoA study\u2019s report compares the policies', async () => {
    const page = await browser.newPage({ viewport: { width: 1024, height: 768 } });
    const errors = collectPageErrors(page);
    await page.goto(pathToFileURL(join(dir, 'poa.html')).href);
    await page.waitForSelector('body[data-report-ready="true"]');
    expect(await page.locator('.key-figure').first().textContent()).toMatch(/^Price of anarchy\d\.\d{3}/);
    expect(await page.locator('#poa table.data tbody tr td:first-child').allTextContents()).toEqual([
      'passive',
      'selfish',
      'cooperative',
      'central',
    ]);
    expect(await page.locator('#poa .uplot canvas').count()).toBe(2);
    // Every column of the policies table is on a tablet's screen (long headings wrap instead).
    const overflowPx = await page
      .locator('#poa .table-wrap')
      .evaluate((wrap) => wrap.scrollWidth - wrap.clientWidth);
    expect(overflowPx).toBeLessThanOrEqual(0);
    // Savings can be negative, so the Gini can pass 1: the report says what that means.
    expect(await page.textContent('#poa')).toContain('above 1: some homes pay more than with no control');
    await saveScreenshot(page, 'report-poa-1024');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('a bad run id shows a clear message and the hub stays up', async () => {
    const page = await browser.newPage({ viewport: { width: 1024, height: 768 } });
    await page.goto(`${hub.httpUrl}/report.html?run=999`);
    await expect
      .poll(() => page.textContent('#report-status'))
      .toBe('Cannot show this report: run 999: no such run in the history');
    await page.goto(`${hub.httpUrl}/report.html?run=1%27%3B--`);
    await expect
      .poll(() => page.textContent('#report-status'))
      .toMatch(/Cannot show this report: "1';--" is not a run id/);
    await page.close();
    expect(hub.process.exitCode).toBeNull();
    await hub.logLine(/refused \(404\): run 999: no such run/);
  });
});
