/**
 * The live dashboard with an external broker that goes down (issue 21): the page says the broker is down (the
 * hub's `/api/state`, reached over HTTP while the page's MQTT connection is gone), and goes live again when the
 * broker is back; a hub stopped while its broker is down still exits. A real Mosquitto on loopback ports, stopped
 * and restarted by the test; a real Chromium.
 */
import type { ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, freePort, type HubProcess, startHub } from '../live/hub-process.js';
import { startMosquitto, stopMosquitto } from '../live/mosquitto-process.js';
import { tempDir } from '../mqtt-helpers.js';
import { collectPageErrors, launchChromium, saveScreenshot } from './browser.js';

const data = tempDir('gridflex-broker-down-');
let mosquitto: ChildProcess | undefined;
let conf: string;
let wsPort: number;
let hub: HubProcess;
let browser: Browser;

beforeAll(async () => {
  const port = await freePort();
  wsPort = await freePort();
  conf = execFileSync(
    process.execPath,
    [
      CLI,
      'mosquitto-config',
      '--data-dir',
      data.dir,
      '--port',
      String(port),
      '--ws-port',
      String(wsPort),
    ].concat(['--host', '127.0.0.1']),
    { encoding: 'utf8' },
  ).trim();
  mosquitto = await startMosquitto(conf);
  hub = await startHub(['--data-dir', data.dir, '--broker', `mqtt://127.0.0.1:${port}`, '--step-ms', '100']);
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await hub?.stop();
  if (mosquitto) await stopMosquitto(mosquitto);
  data.remove();
});

describe('the live dashboard when the external broker goes down', () => {
  it('shows the broker down while the hub runs on, and goes live again when it is back', async () => {
    const page = await browser.newPage();
    const errors = collectPageErrors(page);
    await page.goto(`${hub.httpUrl}/?ws=ws://127.0.0.1:${wsPort}`);
    await page.locator('[data-connection="online"]').waitFor();
    await page.locator('[data-sim-time]').waitFor();

    if (mosquitto) await stopMosquitto(mosquitto);
    const banner = page.locator('[data-broker-down]');
    await banner.waitFor();
    expect(await banner.textContent()).toMatch(/broker down since .*: the hub runs on and holds the clock/);
    await saveScreenshot(page, 'broker-down');

    mosquitto = await startMosquitto(conf);
    await page.locator('[data-connection="online"]').waitFor();
    await banner.waitFor({ state: 'detached' });
    // The browser logs each failed reconnect to the broker while it is down; nothing else may go wrong.
    const brokerGone = `WebSocket connection to 'ws://127.0.0.1:${wsPort}/' failed`;
    expect(errors.filter((error) => !error.startsWith(brokerGone))).toEqual([]);
    await page.close();
  });
});

describe('a hub whose external broker is down', () => {
  it('still stops on SIGTERM, not waiting for messages that cannot go out', async () => {
    if (mosquitto) await stopMosquitto(mosquitto);
    await hub.logLine(/broker down: the clock holds/);
    expect(await hub.stop()).toBe(0);
  });
});
