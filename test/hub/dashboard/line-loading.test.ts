import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakePad } from '../live/fake-pad.js';
import { addDevice, addUser, type HubProcess, startHub, writeTestMap } from '../live/hub-process.js';
import { connectClient, tempDir } from '../mqtt-helpers.js';
import { collectPageErrors, launchChromium, saveScreenshot } from './browser.js';

const data = tempDir('gridflex-line-colours-');
let hub: HubProcess;
let browser: Browser;
let padSecret = '';
let operatorSecret = '';

beforeAll(async () => {
  // The table street with thin service cables (40 A): one 7 kW EV (about 30 A) takes its cable from
  // "light" to "high", so the colour has to change.
  const feeder = join(data.dir, 'weak-street');
  cpSync(resolve('feeders/table-street'), feeder, { recursive: true });
  const ratings = join(feeder, 'LineRatings.csv');
  writeFileSync(ratings, readFileSync(ratings, 'utf8').replace('35_SAC_XSC,120', '35_SAC_XSC,40'));
  const map = writeTestMap(data.dir);
  writeFileSync(map, readFileSync(map, 'utf8').replace(/^feeder: .*$/m, `feeder: ${feeder}`));
  padSecret = addDevice(data.dir, 'pad-7', 'ev-pad', 'plot-7', 'mqtt://127.0.0.1:1', [
    '--scenario',
    map,
  ]).password;
  operatorSecret = addUser(data.dir, 'table-op', 'operator');
  hub = await startHub(['--scenario', map, '--data-dir', data.dir, '--step-ms', '40']);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await hub?.stop();
  data.remove();
});

/** A vertical line has an empty bounding box, which Playwright counts as hidden: wait for it in the DOM. */
const ATTACHED = { state: 'attached' } as const;

describe('street map line colours', () => {
  it('colours each line by its own loading and recolours it when an EV starts charging downstream', async () => {
    const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    const errors = collectPageErrors(page);
    await page.goto(hub.httpUrl);
    await page.locator('[data-connection="online"]').waitFor();
    const line17 = page.locator('svg.street line[data-line="LINE17"]');
    // Evening base load only: every cable light, each line coloured (none grey).
    await page.locator(`svg.street line[data-line="LINE17"][data-loading-class="light"]`).waitFor(ATTACHED);
    for (const line of await page.locator('svg.street line[data-line]').all()) {
      expect(await line.getAttribute('stroke')).not.toBe('#8a8a8a');
    }
    expect(await page.locator('.legend').textContent()).not.toContain('only the worst line');
    const lightColour = await line17.getAttribute('stroke');
    await saveScreenshot(page, 'line-loading-before-1920x1080');

    const pad = await FakePad.connect(hub.mqttUrl, 'pad-7', padSecret, 'plot-7');
    const operator = await connectClient(hub.mqttUrl, {
      clientId: 'table-op-1',
      username: 'table-op',
      password: operatorSecret,
    });
    try {
      await pad.holds('ev-2');
      // The loading moves every step (base load, EV ramp), so class, colour and title are read from one
      // rendered frame rather than one after another.
      const charging = await page.waitForFunction(
        () => {
          const line = document.querySelector('svg.street line[data-line="LINE17"]');
          const neighbour = document.querySelector('svg.street line[data-line="LINE11"]');
          const loadingClass = line?.getAttribute('data-loading-class');
          if (loadingClass !== 'high' && loadingClass !== 'overloaded') return undefined;
          return {
            stroke: line?.getAttribute('stroke'),
            title: line?.querySelector('title')?.textContent,
            neighbourClass: neighbour?.getAttribute('data-loading-class'),
          };
        },
        undefined,
        { polling: 'raf' },
      );
      const frame = await charging.jsonValue();
      // The colour itself changes with the loading (continuous, not only at the class edges)...
      expect(frame?.stroke).not.toBe(lightColour);
      // Only the EV's own service cable changed class; the neighbour across the street is still light.
      expect(frame?.neighbourClass).toBe('light');
      expect(frame?.title).toMatch(/% of rating, (high|overloaded)/);
      await saveScreenshot(page, 'line-loading-ev-on-plot-7-1920x1080');

      // The operator wires plot-7 to bus 12: home-7 is drawn there, and the EV now loads LINE12, not LINE17.
      await operator.publishAsync(
        'gridflex/control/v1/table/wire',
        JSON.stringify({ plot: 'plot-7', bus: '12', phase: 'B' }),
        { qos: 1 },
      );
      await page.locator('svg.street g.home[data-plot="plot-7"][data-wired-bus="12"]').waitFor();
      await page.locator(`svg.street line[data-line="LINE17"][data-loading-class="light"]`).waitFor(ATTACHED);
      await page
        .locator(
          `svg.street line[data-line="LINE12"]:is([data-loading-class="high"], [data-loading-class="overloaded"])`,
        )
        .waitFor(ATTACHED);
      await page
        .locator('#feed li', { hasText: 'plot-7 (home-7) rewired from bus 17 phase A to bus 12 phase B' })
        .waitFor();
      await page.locator('.home-card[data-home="home-7"] header', { hasText: 'bus 12B' }).waitFor();
      await saveScreenshot(page, 'line-loading-plot-7-wired-to-bus-12-1920x1080');
    } finally {
      operator.end(true);
      pad.client.end(true);
      await page.close();
    }
    expect(errors).toEqual([]);
  });
});
