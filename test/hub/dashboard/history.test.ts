import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, type HubProcess, startHub } from '../live/hub-process.js';
import { collectPageErrors, launchChromium, saveScreenshot } from './browser.js';

const dir = mkdtempSync(join(tmpdir(), 'gridflex-history-browser-'));
const dataDir = join(dir, 'data');
let browser: Browser;
let hub: HubProcess;
let page: Page;
let errors: string[];

function run(policy: string): void {
  execFileSync(process.execPath, [
    CLI,
    'run',
    '--scenario',
    'scenarios/table.yaml',
    '--days',
    '1',
    '--policy',
    policy,
    '--out',
    join(dir, policy),
    '--data-dir',
    dataDir,
  ]);
}

beforeAll(async () => {
  run('selfish');
  run('passive');
  [browser, hub] = await Promise.all([
    launchChromium(),
    startHub(['--data-dir', dataDir, '--mqtt-port', '0', '--ws-port', '0', '--http-port', '0']),
  ]);
  page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
  errors = collectPageErrors(page);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await hub?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const rows = () => page.locator('#runs-table tbody tr');

describe('run history in a real browser', () => {
  it('lists the recorded runs and compares two side by side', async () => {
    await page.goto(`${hub.httpUrl}/history.html`);
    await expect.poll(() => rows().count()).toBe(2);
    expect(await rows().first().textContent()).toMatch(
      /^2.*run.*Table street \(8 homes\).*passive.*1.*bills £/,
    );
    expect(await page.isDisabled('#compare-button')).toBe(true);
    await page.check('input[data-run="1"]');
    await page.check('input[data-run="2"]');
    await page.click('#compare-button');
    await page.waitForSelector('#compare-table');
    const bills = await page
      .locator('#compare-table tr', { hasText: /^billsGbp/ })
      .locator('td')
      .allTextContents();
    const [, a, b, difference] = bills;
    expect(Number(difference?.replace('−', '-'))).toBeCloseTo(Number(b) - Number(a), 2);
    expect(await page.textContent('#compare-title')).toBe('Run 1 and run 2 side by side');
    await saveScreenshot(page, 'history-compare-1920');
    await page.setViewportSize({ width: 1024, height: 768 });
    await saveScreenshot(page, 'history-compare-1024');
    await page.setViewportSize({ width: 1920, height: 1080 });
    expect(errors).toEqual([]);
  });

  it('opens a run\u2019s report from the list', async () => {
    await page.click('tr[data-run-row="1"] >> text=Report');
    await page.waitForSelector('body[data-report-ready="true"]');
    expect(await page.textContent('#report-subtitle')).toMatch(/^run 1 · policy selfish/);
    await page.goBack();
    await expect.poll(() => rows().count()).toBe(2);
    expect(errors).toEqual([]);
  });

  it('deletes a run with its files', async () => {
    await page.click('tr[data-run-row="2"] >> text=Delete');
    await page.check('#delete-files-2');
    await page.click('tr[data-run-row="2"] >> text=Yes, delete');
    await expect.poll(() => rows().count()).toBe(1);
    expect(await page.textContent('#runs-message')).toBe('Deleted run 2 and its files.');
    expect(existsSync(join(dir, 'passive'))).toBe(false);
    expect(existsSync(join(dir, 'selfish', 'metrics.json'))).toBe(true);
    expect(errors).toEqual([]);
  });

  it('refuses malformed scenario uploads with a message naming the line or path', async () => {
    const upload = async (name: string, text: string, expected: RegExp) => {
      await page.setInputFiles('#scenario-file', { name, mimeType: 'text/yaml', buffer: Buffer.from(text) });
      await page.click('#start-run');
      await expect.poll(() => page.textContent('#upload-message')).toMatch(expected);
      expect(await page.getAttribute('#upload-message', 'class')).toBe('message error');
    };
    await upload(
      'broken.yaml',
      'name: Broken\nfeeder: feeders/table-street\nhomes: [\n  - id: a\n',
      /^broken\.yaml:\d+: not valid YAML: /,
    );
    await saveScreenshot(page, 'history-upload-error-1920');
    const wrongType = readFileSync('scenarios/table.yaml', 'utf8').replace('seed: 7', 'seed: seven');
    await upload('wrong-seed.yaml', wrongType, /^wrong-seed\.yaml: seed: expected number/);
    await upload(
      'no-such-feeder.yaml',
      'name: x\nfeeder: feeders/nowhere\nmarket: {}\n',
      /^no-such-feeder\.yaml: /,
    );
    // The only console errors are the browser's notes on the refused requests.
    expect(errors.every((error) => /status of 400/.test(error))).toBe(true);
    errors.length = 0;
    await hub.logLine(/POST \/api\/runs: refused \(400\): broken\.yaml:\d+: not valid YAML/);
    expect(await rows().count()).toBe(1);
  });

  it('runs an uploaded scenario for the chosen days and lists it', async () => {
    await page.setInputFiles('#scenario-file', {
      name: 'my-street.yaml',
      mimeType: 'text/yaml',
      buffer: readFileSync('scenarios/table.yaml'),
    });
    await page.fill('#scenario-days', '1');
    await page.click('#start-run');
    await page.waitForSelector('#new-run-report', { timeout: 60_000 });
    expect(await page.textContent('#upload-message')).toMatch(/^Finished: my-street\.yaml is run 3\./);
    await expect.poll(() => rows().count()).toBe(2);
    expect(await rows().first().textContent()).toMatch(
      /^3.*run.*Table street \(8 homes\).*my-street\.yaml.*scenario\s*1/,
    );
    await saveScreenshot(page, 'history-after-upload-1920');
    await page.click('#new-run-report');
    await page.waitForSelector('body[data-report-ready="true"]');
    expect(await page.textContent('#report-subtitle')).toMatch(/^run 3 · policy scenario · 1 day · seed 7/);
    expect(errors).toEqual([]);
  });
});
