import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeMeter, startMeterHub } from '../live/fake-meter.js';
import type { HubProcess } from '../live/hub-process.js';
import { tempDir } from '../mqtt-helpers.js';
import { collectPageErrors, launchChromium, saveScreenshot } from './browser.js';

const data = tempDir('gridflex-dashboard-meter-');
let hub: HubProcess;
let meter: FakeMeter;
let browser: Browser;

beforeAll(async () => {
  ({ hub, meter } = await startMeterHub(data.dir, 100));
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
