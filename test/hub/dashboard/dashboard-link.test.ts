/**
 * The hub–dashboard link (the table map's `links.hubDashboard`) through a real hub: a real MQTT-over-WebSocket
 * client, as a dashboard is, gets each step's clock at least the latency after the hub published it and misses
 * some steps, while a board's MQTT-over-TCP connection to the same broker gets every step; the live dashboard in
 * headless Chromium shows the delay and the loss it measures. A hub without the link loses no step.
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClockSchema } from '../../../protocol/gridflex.js';
import { CLI, type HubProcess, startHub, writeTestMap } from '../live/hub-process.js';
import { connectClient, subscribe, tempDir } from '../mqtt-helpers.js';
import { collectPageErrors, launchChromium, saveScreenshot } from './browser.js';

const LATENCY_MS = 2000;
const STEPS = 25;
let browser: Browser;
const clients: MqttClient[] = [];

beforeAll(async () => {
  browser = await launchChromium();
});

afterAll(async () => {
  for (const client of clients) client.end(true);
  await browser?.close();
});

/** A hub on the test map with `links` appended to it (none if empty), and its data dir. */
async function hubWith(links: string): Promise<{ hub: HubProcess; remove: () => void }> {
  const data = tempDir('gridflex-dashboard-link-');
  const map = writeTestMap(data.dir);
  if (links) appendFileSync(map, `\nlinks:\n${links}`);
  const hub = await startHub(['--scenario', map, '--data-dir', data.dir, '--step-ms', '100']);
  return { hub, remove: data.remove };
}

/** The next `count` clocks the hub sent live (not the retained one): each step and its age on arrival. */
async function liveClocks(url: string, count: number): Promise<{ step: number; delayMs: number }[]> {
  const client = await connectClient(url);
  clients.push(client);
  const clocks: { step: number; delayMs: number }[] = [];
  const done = new Promise<void>((resolve) => {
    client.on('message', (topic, payload, packet) => {
      if (topic !== 'gridflex/v1/clock' || packet.retain) return;
      const clock = ClockSchema.parse(JSON.parse(payload.toString()));
      if (clock.publishedAtMs === undefined) return;
      clocks.push({ step: clock.step, delayMs: Date.now() - clock.publishedAtMs });
      if (clocks.length === count) resolve();
    });
  });
  await subscribe(client, 'gridflex/v1/clock', 0);
  await done;
  client.end(true);
  return clocks;
}

/** Steps between the first and last clock that never arrived. */
function lostSteps(clocks: { step: number }[]): number {
  const steps = clocks.map((clock) => clock.step);
  for (let index = 1; index < steps.length; index++)
    expect(steps[index], 'in order').toBeGreaterThan(steps[index - 1] as number);
  return (steps.at(-1) as number) - (steps[0] as number) + 1 - steps.length;
}

/** The page's link figures once it has judged at least `steps` steps. */
async function pageLink(hub: HubProcess, name: string): Promise<{ delayMs: number; lossPct: number }> {
  const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
  const errors = collectPageErrors(page);
  await page.goto(hub.httpUrl);
  await page.waitForFunction(
    (steps) =>
      /of the last (\d+) steps/.exec(
        document.querySelector('span.link')?.getAttribute('title') ?? '',
      )?.[1] !== undefined &&
      Number(
        /of the last (\d+) steps/.exec(document.querySelector('span.link')?.getAttribute('title') ?? '')?.[1],
      ) >= steps,
    STEPS,
    { timeout: 60_000 },
  );
  const link = page.locator('span.link');
  const figures = {
    delayMs: Number(await link.getAttribute('data-link-delay-ms')),
    lossPct: Number(await link.getAttribute('data-link-loss-pct')),
  };
  expect(await link.textContent()).toMatch(/^link: \d+(\.\d)? m?s late · \d+ % lost$/);
  await saveScreenshot(page, name);
  expect(errors).toEqual([]);
  await page.close();
  return figures;
}

describe('the hub–dashboard link', () => {
  it('delays and drops what a WebSocket (dashboard) connection gets, not a board’s, and the dashboard shows it', async () => {
    const { hub, remove } = await hubWith(
      `  hubDashboard: { latencyMs: ${LATENCY_MS}, jitterMs: 200, loss: 0.3 }\n`,
    );
    try {
      const [dashboard, board] = await Promise.all([
        liveClocks(hub.wsUrl, STEPS),
        liveClocks(hub.mqttUrl, STEPS),
      ]);
      expect(Math.min(...dashboard.map((clock) => clock.delayMs))).toBeGreaterThanOrEqual(LATENCY_MS);
      expect(lostSteps(dashboard)).toBeGreaterThan(0);
      expect(lostSteps(board)).toBe(0);
      const shown = await pageLink(hub, 'dashboard-link');
      expect(shown.delayMs).toBeGreaterThanOrEqual(LATENCY_MS);
      expect(shown.lossPct).toBeGreaterThan(0);
    } finally {
      await hub.stop();
      remove();
    }
  }, 120_000);

  it('without a hubDashboard link a dashboard gets every step', async () => {
    const { hub, remove } = await hubWith('');
    try {
      const dashboard = await liveClocks(hub.wsUrl, STEPS);
      expect(lostSteps(dashboard)).toBe(0);
      expect((await pageLink(hub, 'dashboard-no-link')).lossPct).toBe(0);
    } finally {
      await hub.stop();
      remove();
    }
  }, 120_000);

  it('is refused naming the field when it is out of range, or when the dashboards use an external broker', () => {
    const data = tempDir('gridflex-dashboard-link-bad-');
    try {
      const hub = (links: string, ...flags: string[]) => {
        const map = writeTestMap(data.dir);
        appendFileSync(map, `\nlinks:\n${links}`);
        const args = [CLI, 'hub', '--scenario', map, '--data-dir', join(data.dir, 'bad'), ...flags];
        return spawnSync(process.execPath, args, { encoding: 'utf8', timeout: 30_000 });
      };
      const badLoss = hub('  hubDashboard: { loss: 2 }\n');
      expect(badLoss.status).toBe(2);
      expect(badLoss.stderr).toContain('links.hubDashboard.loss');
      const external = hub('  hubDashboard: { latencyMs: 100 }\n', '--broker', 'mqtt://127.0.0.1:1');
      expect(external.status).toBe(2);
      expect(external.stderr).toContain(
        "links.hubDashboard: the hub shapes the dashboards' link in its own broker, and with --broker the dashboards connect to that one",
      );
    } finally {
      data.remove();
    }
  });
});
