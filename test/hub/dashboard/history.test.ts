import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, CLI, type HubProcess, startHub } from '../live/hub-process.js';
import { collectPageErrors, launchChromium, saveScreenshot } from './browser.js';

const dir = mkdtempSync(join(tmpdir(), 'gridflex-history-browser-'));
const dataDir = join(dir, 'data');
let browser: Browser;
let hub: HubProcess;
let page: Page;
let errors: string[];
const passwords: Record<string, string> = {};

function registerUser(username: string, role: string): void {
  passwords[username] = addUser(dataDir, username, role);
}

/** Logs in with the page's header form and waits until the page shows the session. */
async function logIn(username: string): Promise<void> {
  await page.getByLabel('username').fill(username);
  await page.getByLabel('password').fill(passwords[username] as string);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.locator('[data-session]').waitFor();
}

/** A session token from the API, as a script would get one. */
async function tokenOf(username: string): Promise<string> {
  const response = await fetch(`${hub.httpUrl}/api/login`, {
    method: 'POST',
    body: JSON.stringify({ username, password: passwords[username] }),
  });
  return ((await response.json()) as { token: string }).token;
}

const HINT = 'Log in as the operator (top right) to delete runs or run a scenario.';

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
  registerUser('facilitator', 'operator');
  registerUser('resident-1', 'resident:home-1');
  [browser, hub] = await Promise.all([launchChromium(), startHub(['--data-dir', dataDir])]);
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
    // Nobody is logged in: reading is open, deleting and uploading wait for the operator.
    expect(await page.isDisabled('tr[data-run-row="2"] >> text=Delete')).toBe(true);
    expect(await page.isDisabled('#start-run')).toBe(true);
    expect(await page.textContent('#runs-hint')).toBe(HINT);
    expect(await page.textContent('#upload-hint')).toBe(HINT);
    await page.check('input[data-run="1"]');
    await page.check('input[data-run="2"]');
    await page.click('#compare-button');
    await page.waitForSelector('#compare-table');
    const bills = await page
      .locator('#compare-table tr', { hasText: /^bills \(£\)/ })
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

  it('refuses deleting and uploading without an operator’s login (401) and to a resident (403)', async () => {
    const anonymous = await fetch(`${hub.httpUrl}/api/runs/2?files=true`, { method: 'DELETE' });
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toEqual({ error: 'log in as the operator to delete runs' });
    const resident = await tokenOf('resident-1');
    const refused = await fetch(`${hub.httpUrl}/api/runs/2?files=true`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${resident}` },
    });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual({
      error: 'resident-1 (resident:home-1) may not delete runs: log in as the operator',
    });
    const upload = await fetch(`${hub.httpUrl}/api/runs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${resident}`, 'content-type': 'application/json' },
      body: JSON.stringify({ fileName: 'x.yaml', yaml: readFileSync('scenarios/table.yaml', 'utf8') }),
    });
    expect(upload.status).toBe(403);
    await hub.logLine(/warn hub: DELETE \/api\/runs\/2\?files=true: refused \(401\): no session token/);
    await hub.logLine(/warn hub: POST \/api\/runs: refused \(403\): resident-1 \(resident:home-1\)/);
    expect(existsSync(join(dir, 'passive', 'metrics.json'))).toBe(true);

    // In the page, a resident's login leaves the controls disabled with the hint.
    await logIn('resident-1');
    expect(await page.textContent('[data-session]')).toBe('resident-1 (resident:home-1) ');
    expect(await page.isDisabled('tr[data-run-row="2"] >> text=Delete')).toBe(true);
    expect(await page.isDisabled('#start-run')).toBe(true);
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByLabel('username').waitFor();
    expect(errors).toEqual([]);
  });

  it('deletes a run with its files once the operator is logged in', async () => {
    await logIn('facilitator');
    expect(await page.locator('#runs-hint').count()).toBe(0);
    expect(await page.isDisabled('#start-run')).toBe(false);
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

  it('carries the login over to the live page, whose logout ends the session at the hub', async () => {
    const token = await page.evaluate(
      () => (JSON.parse(sessionStorage.getItem('gridflex.session') ?? '{}') as { token?: string }).token,
    );
    await page.goto(`${hub.httpUrl}/history.html`);
    await page.locator('[data-session="operator"]').waitFor();
    await page.click('nav.links a[href="./index.html"]');
    // Logged in on arrival: the operator's panels, over an MQTT connection made with the session's token.
    await page.locator('[data-session="operator"]').waitFor();
    await page.locator('form[data-panel="clock"]').waitFor();
    await page.locator('[data-connection="online"]').waitFor();
    await hub.logLine(/dashboard login: facilitator \(operator\)/);
    // The broker took the token for the operator's password: the operator's control is accepted.
    const clock = page.locator('form[data-panel="clock"]');
    await clock.getByRole('button', { name: /Pause/ }).click();
    await expect
      .poll(() => clock.locator('.outcome[role="status"]:not([hidden])').textContent())
      .toMatch(/^✓ Clock accepted by the hub: /);
    await saveScreenshot(page, 'history-login-carried-to-live-1920');
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByLabel('username').waitFor();
    const afterLogout = await fetch(`${hub.httpUrl}/api/runs/1`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(afterLogout.status).toBe(401);
    await page.click('nav.links a[href="./history.html"]');
    await page.locator('#runs-hint').waitFor();
    expect(await page.isDisabled('#start-run')).toBe(true);
    expect(errors).toEqual([]);
  });
});
