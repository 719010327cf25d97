import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeMeter } from '../live/fake-meter.js';
import { addDevice, type HubProcess, startHub, writeTestMap } from '../live/hub-process.js';
import { tempDir } from '../mqtt-helpers.js';
import { collectPageErrors, launchChromium, saveScreenshot } from './browser.js';

const data = tempDir('gridflex-dashboard-meter-');
let hub: HubProcess;
let meter: FakeMeter;
let browser: Browser;

beforeAll(async () => {
  const map = writeTestMap(data.dir);
  const { password } = addDevice(data.dir, 'meter-3', 'meter', 'plot-3', 'mqtt://127.0.0.1:1', [
    '--scenario',
    map,
  ]);
  hub = await startHub(['--scenario', map, '--data-dir', data.dir, '--step-ms', '100']);
  meter = await FakeMeter.connect(hub.mqttUrl, 'meter-3', password, 'plot-3');
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  meter?.end();
  await hub?.stop();
  data.remove();
});

describe('a home card with a meter board on its plot', () => {
  it('shows the metered power next to the model’s figure; homes without a meter show the model only', async () => {
    const page = await browser.newPage({ viewport: { width: 1024, height: 768 } });
    const errors = collectPageErrors(page);
    await page.goto(`${hub.httpUrl}/?ws=${encodeURIComponent(hub.wsUrl)}`);
    await page.locator('[data-connection="online"]').waitFor();
    await meter.reading(1.234);
    const line = page.locator('.home-card[data-home="home-3"] .metered[data-metered-kw="1.234"]');
    await line.waitFor();
    expect(await line.textContent()).toMatch(/^metered 1\.2 kW · model −?\d+\.\d kW$/);
    expect(await page.locator('.home-card[data-home="home-4"] .metered').count()).toBe(0);
    await saveScreenshot(page, 'live-home-meter-1024x768');
    await page.close();
    expect(errors).toEqual([]);
  });
});
