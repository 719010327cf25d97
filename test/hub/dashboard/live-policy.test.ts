import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type LiveComparison,
  LiveComparisonSchema,
  type LivePolicy,
  LivePolicySchema,
} from '../../../protocol/gridflex.js';
import { addUser, type HubProcess, startHub, writeLiveMap } from '../live/hub-process.js';
import { connectClient, nextMessage, subscribe, tempDir } from '../mqtt-helpers.js';
import { collectPageErrors, launchChromium, saveScreenshot } from './browser.js';

const data = tempDir('gridflex-dashboard-policy-');
let hub: HubProcess;
let browser: Browser;
let operatorSecret: string;
/** Console errors and uncaught exceptions of every page the tests opened. */
const pageErrors: string[][] = [];

beforeAll(async () => {
  operatorSecret = addUser(data.dir, 'table-op', 'operator');
  hub = await startHub([
    '--scenario',
    writeLiveMap(data.dir, { policy: 'selfish' }),
    '--data-dir',
    data.dir,
    '--step-ms',
    '100',
  ]);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await hub?.stop();
  data.remove();
});

/** The hub's retained value on `topic`, as a late joiner reads it. */
async function retained(topic: string): Promise<unknown> {
  const client = await connectClient(hub.mqttUrl, {
    clientId: `policy-test-${Math.random().toString(16).slice(2, 8)}`,
  });
  try {
    const message = nextMessage(client, (received) => received === topic);
    await subscribe(client, topic);
    return JSON.parse((await message).payload.toString());
  } finally {
    client.end(true);
  }
}

const livePolicy = async (): Promise<LivePolicy> =>
  LivePolicySchema.parse(await retained('gridflex/v1/live/policy'));
const liveComparison = async (): Promise<LiveComparison> =>
  LiveComparisonSchema.parse(await retained('gridflex/v1/live/comparison'));

async function openDashboard(): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
  pageErrors.push(collectPageErrors(page));
  await page.goto(hub.httpUrl);
  await page.locator('[data-connection="online"]').waitFor();
  return page;
}

const runningStreets = (page: Page) =>
  page
    .locator('#comparison tr.running')
    .evaluateAll((rows) => rows.map((row) => row.getAttribute('data-street')));

/** The message line of a panel's form once it shows the hub's answer. */
async function hubAnswer(form: Locator): Promise<string> {
  const line = form.locator('.outcome.accepted, .outcome.refused');
  await line.waitFor();
  return (await line.textContent()) ?? '';
}

describe('the residents’ policy and the live what-if in a real browser', () => {
  it('shows everybody the running policy in words and the table beside every shadow run', async () => {
    const status = await livePolicy();
    expect(status.running).toBe('selfish');
    const page = await openDashboard();
    const running = page.locator('#policy [data-policy-running="selfish"]');
    await running.waitFor();
    expect(await running.textContent()).toBe(`The residents’ agents run: selfish — ${status.description}`);
    expect(status.description).toMatch(/each home/);
    expect(await page.locator('#policy [data-policy-next]').count()).toBe(0);

    // One row and one bar for the table, then one per shadow run; the table and the selfish shadow are marked.
    const streetKeys = ['table', ...status.shadows];
    await expect
      .poll(() =>
        page
          .locator('#comparison tr[data-street]')
          .evaluateAll((rows) => rows.map((row) => row.getAttribute('data-street'))),
      )
      .toEqual(streetKeys);
    expect(status.shadows).toEqual(expect.arrayContaining(['passive', 'cooperative', 'central']));
    expect(await runningStreets(page)).toEqual(['table', 'selfish']);
    expect(
      await page
        .locator('svg.peak-bars [data-bar]')
        .evaluateAll((bars) => bars.map((bar) => bar.getAttribute('data-bar'))),
    ).toEqual(streetKeys);
    await expect
      .poll(() => page.locator('#comparison [data-price-of-anarchy]').textContent())
      .toMatch(
        /^Price of anarchy so far: selfish agents’ bills are (the same as|\d+ % (higher|lower) than) under central \(×\d+\.\d\d\), their transformer peak (the same as|\d+ % (higher|lower) than) under central \(×\d+\.\d\d\)\.$/,
      );
    await page.close();
    expect(pageErrors.flat()).toEqual([]);
  });

  it('lets the operator switch selfish → cooperative from the page: next half-hour announced, then running', async () => {
    const page = await openDashboard();
    await page.getByLabel('username').fill('table-op');
    await page.getByLabel('password').fill(operatorSecret);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.locator('[data-session]').waitFor();
    await page.locator('[data-connection="online"]').waitFor();

    // Paused, the comparison holds still: the page shows exactly what the hub last published.
    const clock = page.locator('form[data-panel="clock"]');
    await clock.getByRole('button', { name: /Pause/ }).click();
    expect(await hubAnswer(clock)).toMatch(/^✓ Clock accepted by the hub/);
    const comparison = await liveComparison();
    const shown = (attribute: string) =>
      page
        .locator('#comparison tr[data-street]')
        .evaluateAll((rows, name) => rows.map((row) => Number(row.getAttribute(name))), attribute);
    const streets = [comparison.running, ...comparison.shadows];
    await expect.poll(() => shown('data-peak-kw')).toEqual(streets.map((street) => street.peakKw));
    expect(await shown('data-bills-gbp')).toEqual(streets.map((street) => street.billsGbp));
    expect(streets.every((street) => street.steps > 0 && street.peakKw > 0)).toBe(true);

    // The picker offers the hub's choices; the hub answers the switch, and the room sees what comes next.
    const form = page.locator('form[data-panel="policy"]');
    const status = await livePolicy();
    expect(await form.locator('select[name="policy"] option').allTextContents()).toEqual(
      status.available.map((choice) => choice.name),
    );
    await form.locator('select[name="policy"]').selectOption('cooperative');
    await form.getByRole('button', { name: 'Switch policy' }).click();
    expect(await hubAnswer(form)).toBe(
      '✓ Policy accepted by the hub: the table switches to cooperative at the next half-hour',
    );
    const next = page.locator('#policy [data-policy-next="cooperative"]');
    await next.waitFor();
    expect(await next.textContent()).toMatch(/^Switching to cooperative at the next half-hour: homes share/);
    expect(await page.locator('#policy [data-policy-running="selfish"]').count()).toBe(1);
    await saveScreenshot(page, 'live-policy-switching-1920x1080');

    // Asking again for what is already coming is refused, with the hub's reason.
    await form.getByRole('button', { name: 'Switch policy' }).click();
    await form.locator('.outcome.refused').waitFor();
    expect(await form.locator('.outcome').textContent()).toBe(
      '✕ Refused by the hub: the table already runs cooperative',
    );

    await clock.getByRole('button', { name: /Play/ }).click();
    await page.locator('#policy [data-policy-running="cooperative"]').waitFor();
    expect(await page.locator('#policy [data-policy-next]').count()).toBe(0);
    await expect.poll(() => runningStreets(page)).toEqual(['table', 'cooperative']);
    await page.locator('#feed li', { hasText: 'the residents’ agents now run cooperative' }).waitFor();
    await saveScreenshot(page, 'live-policy-cooperative-1920x1080');
    await page.close();
    expect(pageErrors.flat()).toEqual([]);
  });
});
