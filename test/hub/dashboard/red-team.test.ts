import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LiveRedTeam, LiveRedTeamSchema } from '../../../protocol/gridflex.js';
import { addUser, type HubProcess, startHub, writeLiveMap } from '../live/hub-process.js';
import { connectClient, nextMessage, subscribe, tempDir } from '../mqtt-helpers.js';
import { collectPageErrors, launchChromium, saveScreenshot } from './browser.js';

const data = tempDir('gridflex-dashboard-red-team-');
let hub: HubProcess;
let browser: Browser;
let operatorSecret: string;
const pageErrors: string[][] = [];

beforeAll(async () => {
  operatorSecret = addUser(data.dir, 'table-op', 'operator');
  hub = await startHub([
    '--demo',
    '--scenario',
    writeLiveMap(data.dir, { policy: 'selfish' }, '2026-01-15T01:00:00Z'),
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

/** The hub's retained red team, as a late joiner reads it. */
async function retainedRedTeam(): Promise<LiveRedTeam> {
  const topic = 'gridflex/v1/live/red-team';
  const client = await connectClient(hub.mqttUrl, {
    clientId: `red-team-test-${Math.random().toString(16).slice(2, 8)}`,
  });
  try {
    const message = nextMessage(client, (received) => received === topic);
    await subscribe(client, topic);
    return LiveRedTeamSchema.parse(JSON.parse((await message).payload.toString()));
  } finally {
    client.end(true);
  }
}

async function operatorPage(): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
  pageErrors.push(collectPageErrors(page));
  await page.goto(hub.httpUrl);
  await page.locator('[data-connection="online"]').waitFor();
  await page.getByLabel('username').fill('table-op');
  await page.getByLabel('password').fill(operatorSecret);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.locator('[data-session]').waitFor();
  await page.locator('[data-connection="online"]').waitFor();
  return page;
}

/** The panel's message line once it shows an outcome (refused by the page or answered by the hub). */
async function outcome(form: Locator): Promise<string> {
  const line = form.locator('.outcome.accepted, .outcome.refused');
  await line.waitFor();
  return (await line.textContent()) ?? '';
}

describe('the red-team panel in a real browser', () => {
  it('lets the operator start an attack, shows it running and its damage beside the baseline', async () => {
    const page = await operatorPage();
    const form = page.locator('form[data-panel="red-team"]');
    const kinds = (await retainedRedTeam()).kinds;
    await expect
      .poll(() => form.locator('[data-kind]').evaluateAll((rows) => rows.map((row) => row.dataset.kind)))
      .toEqual(kinds.map((kind) => kind.kind));
    // Every kind can be ticked, with what it does.
    const lyingAgent = form.locator('[data-kind="lying-agent"]');
    expect(await lyingAgent.locator('input[name="kind"]').isEnabled()).toBe(true);
    expect(await lyingAgent.textContent()).toContain(
      `${kinds.find((kind) => kind.kind === 'lying-agent')?.description}.`,
    );

    const syncCharge = form.locator('[data-kind="sync-charge"]');
    await syncCharge.locator('input[name="kind"]').check();
    const fields = syncCharge.locator('input[name="fields-sync-charge"]');
    await fields.fill('{"at": 02:00}');
    await form.getByRole('button', { name: 'Apply' }).click();
    expect(await outcome(form)).toBe('Not sent: sync-charge: the fields are not JSON (e.g. {"at": "17:30"})');
    await fields.fill('{"at": "25:00"}');
    await form.getByRole('button', { name: 'Apply' }).click();
    await form.locator('.outcome.refused', { hasText: 'Refused by the hub' }).waitFor();
    expect(await outcome(form)).toMatch(/^✕ Refused by the hub: attacks\.0\.at: /);

    await fields.fill('{"at": "01:30", "durationMinutes": 60}');
    await form.getByRole('button', { name: 'Apply' }).click();
    await form.locator('.outcome.accepted').waitFor();
    expect(await outcome(form)).toBe(
      '✓ Red team accepted by the hub: from the next step the table runs attacks: sync-charge; defences: none',
    );
    const panel = page.locator('section', { has: form });
    const running = panel.locator('[data-red-team-running]');
    await expect
      .poll(() => running.textContent())
      .toBe('Running: attacks sync-charge; defences none. Attacking homes: home-3, home-5, home-7');
    await panel.locator('[data-red-team-damage]').waitFor();
    // The room sees it beside the residents' policy.
    expect(await page.locator('#policy [data-red-team-notice]').textContent()).toBe(
      'Red team on the table: attacks sync-charge; defences none',
    );

    // Paused, the panel holds still: it shows what the hub last published, beside the baseline.
    const clock = page.locator('form[data-panel="clock"]');
    await clock.getByRole('button', { name: /Pause/ }).click();
    await clock.locator('.outcome.accepted').waitFor();
    const status = await retainedRedTeam();
    const attacked = status.attacked as NonNullable<LiveRedTeam['attacked']>;
    const baseline = status.baseline as NonNullable<LiveRedTeam['baseline']>;
    const peakRow = panel.locator('[data-damage="transformer peak"] td');
    await expect
      .poll(() => peakRow.allTextContents())
      .toEqual([`${attacked.peakKw.toFixed(1)} kW`, `${baseline.peakKw.toFixed(1)} kW`]);
    expect(await panel.locator('[data-damage="honest homes’ bills"] td').allTextContents()).toEqual([
      `£${attacked.honestBillsGbp.toFixed(2)}`,
      `£${baseline.honestBillsGbp.toFixed(2)}`,
    ]);
    expect(await panel.locator('caption').textContent()).toBe(
      `The street under selfish since ${status.since?.slice(11, 16)} (simulated), over ${attacked.steps} steps`,
    );
    await saveScreenshot(page, 'live-red-team-1920x1080');

    // Stopping it: the boxes clear and the damage table goes.
    await clock.getByRole('button', { name: /Play/ }).click();
    await syncCharge.locator('input[name="kind"]').uncheck();
    await form.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(() => running.textContent()).toBe('Running: attacks none; defences none');
    expect(await panel.locator('[data-red-team-damage]').count()).toBe(0);
    expect(await page.locator('#policy [data-red-team-notice]').count()).toBe(0);
    await page.close();
    expect(pageErrors.flat()).toEqual([]);
  }, 90_000);

  it('lists a live flooding client with what it sent and what the broker took and refused, as the hub published it', async () => {
    const page = await operatorPage();
    const form = page.locator('form[data-panel="red-team"]');
    const flood = form.locator('[data-kind="flooding-client"]');
    await flood.locator('input[name="kind"]').check();
    await flood.locator('input[name="fields-flooding-client"]').fill('{"messagesPerSecond": 200}');
    await form.locator('[data-kind="rate-limit"] input[name="kind"]').check();
    await form.getByRole('button', { name: 'Apply' }).click();
    await form.locator('.outcome.accepted').waitFor();
    const line = page.locator('[data-red-team-clients] [data-client="redteam-flood"]');
    await expect.poll(() => line.textContent(), { timeout: 30_000 }).toMatch(/: sent [1-9]\d*, /);

    // Paused, the hub publishes no more steps: the line shows the counts of its last status.
    const clock = page.locator('form[data-panel="clock"]');
    await clock.getByRole('button', { name: /Pause/ }).click();
    await clock.locator('.outcome.accepted').waitFor();
    const client = (await retainedRedTeam()).clients.find((entry) => entry.board === 'redteam-flood');
    expect(client).toMatchObject({ kind: 'flooding-client' });
    const { sent, accepted, refused } = client as LiveRedTeam['clients'][number];
    expect(sent).toBeGreaterThan(0);
    await expect.poll(() => line.textContent()).toContain(`: sent ${sent}, the broker took ${accepted}`);
    expect(await line.textContent()).toContain(` and refused ${refused}`);
    expect(await line.textContent()).toMatch(
      /^flooding-client \(board redteam-flood\) publishes 200 msg\/s /,
    );

    await clock.getByRole('button', { name: /Play/ }).click();
    await flood.locator('input[name="kind"]').uncheck();
    await form.locator('[data-kind="rate-limit"] input[name="kind"]').uncheck();
    await form.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(() => line.count()).toBe(0);
    await page.close();
    expect(pageErrors.flat()).toEqual([]);
  }, 90_000);
});
