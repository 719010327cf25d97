import { readFileSync, writeFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHOW_MIN_FONT_VH } from '../../../hub/dashboard/web/live/show.ts';
import { FakePad } from '../live/fake-pad.js';
import { addDevice, type HubProcess, startHub, writeTestMap } from '../live/hub-process.js';
import { tempDir } from '../mqtt-helpers.js';
import { collectPageErrors, launchChromium, saveScreenshot } from './browser.js';

const data = tempDir('gridflex-dashboard-show-');
let hub: HubProcess;
let browser: Browser;
let padSecret = '';
const pageErrors: string[][] = [];

const SIZES = [
  { width: 1280, height: 720 },
  { width: 1920, height: 1080 },
] as const;

beforeAll(async () => {
  // The shipped table street, selfish agents with shadow runs of every policy, the EVs off the table (the
  // test's pad puts one on plot-7).
  const map = writeTestMap(data.dir);
  writeFileSync(
    map,
    `${readFileSync(map, 'utf8').replace(/(kind: ev, [^}]*?)plot: plot-\d+, /g, '$1')}\nlive:\n  policy: selfish\n`,
  );
  padSecret = addDevice(data.dir, 'pad-7', 'ev-pad', 'plot-7', 'mqtt://127.0.0.1:1', [
    '--scenario',
    map,
  ]).password;
  hub = await startHub(['--scenario', map, '--data-dir', data.dir, '--step-ms', '100']);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await hub?.stop();
  data.remove();
});

async function openShow(size: { width: number; height: number }): Promise<Page> {
  const page = await browser.newPage({ viewport: size });
  pageErrors.push(collectPageErrors(page));
  await page.goto(`${hub.httpUrl}/?show=1`);
  await page.locator('.show-time[data-sim-time]').waitFor();
  await page.locator('.show-street svg.street [data-flow-line]').first().waitFor({ state: 'attached' });
  await page.locator('.show-comparison [data-bar]').first().waitFor();
  return page;
}

/**
 * Everything the projector view shows that is clipped or off screen: the page scrolls, an element's box leaves
 * the viewport, or a box's content is larger than the box (cut off by overflow: hidden).
 */
function clippedElements(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const problems: string[] = [];
    const root = document.scrollingElement ?? document.documentElement;
    if (root.scrollWidth > innerWidth || root.scrollHeight > innerHeight)
      problems.push(
        `the page scrolls: ${root.scrollWidth}×${root.scrollHeight} in ${innerWidth}×${innerHeight}`,
      );
    const name = (element: Element) =>
      `${element.tagName.toLowerCase()}.${element.getAttribute('class') ?? ''} "${(element.textContent ?? '').slice(0, 40)}"`;
    for (const element of document.querySelectorAll('#show *')) {
      const box = element.getBoundingClientRect();
      if (box.width === 0 && box.height === 0) continue;
      if (box.left < -0.5 || box.top < -0.5 || box.right > innerWidth + 0.5 || box.bottom > innerHeight + 0.5)
        problems.push(
          `off screen: ${name(element)} at ${Math.round(box.left)},${Math.round(box.top)}–${Math.round(box.right)},${Math.round(box.bottom)}`,
        );
      if (element instanceof HTMLElement && getComputedStyle(element).overflow !== 'visible') {
        if (element.scrollHeight > element.clientHeight + 1 || element.scrollWidth > element.clientWidth + 1)
          problems.push(
            `content cut off in ${name(element)}: ${element.scrollWidth}×${element.scrollHeight} in ${element.clientWidth}×${element.clientHeight}`,
          );
      }
    }
    // Text inside the street drawing must stay inside the drawing.
    for (const svg of document.querySelectorAll('#show svg')) {
      const frame = svg.getBoundingClientRect();
      for (const text of svg.querySelectorAll('text')) {
        const box = text.getBoundingClientRect();
        if (box.width === 0) continue;
        if (
          box.left < frame.left - 0.5 ||
          box.right > frame.right + 0.5 ||
          box.top < frame.top - 0.5 ||
          box.bottom > frame.bottom + 0.5
        )
          problems.push(`text outside its drawing: "${text.textContent}"`);
      }
    }
    return problems;
  });
}

/** The smallest rendered font of any visible text on the view, in CSS px (SVG text scaled as drawn). */
function smallestFontPx(page: Page): Promise<{ px: number; text: string }> {
  return page.evaluate(() => {
    let smallest = { px: Number.POSITIVE_INFINITY, text: '' };
    for (const element of document.querySelectorAll('#show *')) {
      const own = [...element.childNodes].some(
        (node) => node.nodeType === Node.TEXT_NODE && node.textContent?.trim(),
      );
      if (!own) continue;
      const box = element.getBoundingClientRect();
      if (box.width === 0 || box.height === 0) continue;
      let px = Number.parseFloat(getComputedStyle(element).fontSize);
      if (element instanceof SVGGraphicsElement) px *= element.getScreenCTM()?.a ?? 1;
      if (px < smallest.px) smallest = { px, text: element.textContent ?? '' };
    }
    return smallest;
  });
}

describe('projector mode (/?show=1)', () => {
  it('fits 1280×720 and 1920×1080 with nothing clipped, no text under the stated minimum, and moving power flow', async () => {
    for (const size of SIZES) {
      const page = await openShow(size);
      expect(await clippedElements(page)).toEqual([]);
      const smallest = await smallestFontPx(page);
      // The stated minimum: 2.5 % of the screen height (18 px at 720, 27 px at 1080).
      expect(SHOW_MIN_FONT_VH).toBe(2.5);
      expect(smallest.px, `smallest text: "${smallest.text}"`).toBeGreaterThanOrEqual(
        (size.height * SHOW_MIN_FONT_VH) / 100 - 0.5,
      );
      // The flow dots are animated: a running CSS animation on each, moving the way the power goes.
      // One synchronous read in the page: a locator's evaluateAll finds the lines first, and a render in between
      // may have removed one whose flow fell under the drawn minimum (seen: a detached line, no animation).
      const flows = await page.evaluate(() =>
        [...document.querySelectorAll('.show-street [data-flow-line]')].map((line) => ({
          running: line.getAnimations().some((animation) => animation.playState === 'running'),
          direction: line.getAttribute('data-flow-direction'),
          kw: Number(line.getAttribute('data-flow-kw')),
        })),
      );
      expect(flows.length).toBeGreaterThan(0);
      for (const flow of flows) {
        expect(flow.running).toBe(true);
        expect(flow.direction).toBe(flow.kw > 0 ? 'outward' : 'towards-substation');
      }
      // The gauge says what it measures, and the clock tells day from night (18:00 in January is night).
      await page.locator('.show-transformer h2', { hasText: 'worst phase' }).waitFor();
      expect(await page.locator('.show-clock').getAttribute('data-daylight')).toBe('night');
      await saveScreenshot(page, `live-show-${size.width}x${size.height}`);
      await page.close();
    }
    expect(pageErrors.flat()).toEqual([]);
  });

  it('colours buses across the street’s real voltage range and lines by their own loading', async () => {
    const page = await openShow(SIZES[1]);
    await page.locator('.show-street g.bus circle[fill^="rgb"]').first().waitFor({ state: 'attached' });
    // A lightly loaded street sits within a few volts; the scale still tells its buses apart.
    const busFills = new Set(
      await page
        .locator('.show-street g.bus circle[fill^="rgb"]')
        .evaluateAll((circles) => circles.map((c) => c.getAttribute('fill'))),
    );
    expect(busFills.size).toBeGreaterThan(2);
    const lineStrokes = new Set(
      await page
        .locator('.show-street line[data-line]')
        .evaluateAll((lines) => lines.map((l) => l.getAttribute('stroke'))),
    );
    expect(lineStrokes.size).toBeGreaterThan(2);
    // The legend marks the statutory band's edges.
    expect(await page.locator('.show-legend .legend-text.strong').allTextContents()).toEqual([
      '216.2',
      '253 V',
    ]);
    await page.close();
    expect(pageErrors.flat()).toEqual([]);
  });

  it('fits the 55-home IEEE street on a 1280×720 projector too, with nothing clipped', async () => {
    const ieeeData = tempDir('gridflex-dashboard-show-ieee-');
    const ieeeHub = await startHub([
      '--scenario',
      'scenarios/table-map-ieee.yaml',
      '--data-dir',
      ieeeData.dir,
    ]);
    const page = await browser.newPage({ viewport: SIZES[0] });
    pageErrors.push(collectPageErrors(page));
    try {
      await page.goto(`${ieeeHub.httpUrl}/?show=1`);
      await page.locator('.show-street svg.street [data-flow-line]').first().waitFor({ state: 'attached' });
      expect(await page.locator('.show-street svg.street g.home').count()).toBe(55);
      expect(await clippedElements(page)).toEqual([]);
      const smallest = await smallestFontPx(page);
      expect(smallest.px, `smallest text: "${smallest.text}"`).toBeGreaterThanOrEqual(
        (SIZES[0].height * SHOW_MIN_FONT_VH) / 100 - 0.5,
      );
      await saveScreenshot(page, 'live-show-ieee-1280x720');
    } finally {
      await page.close();
      await ieeeHub.stop();
      ieeeData.remove();
    }
    expect(pageErrors.flat()).toEqual([]);
  });

  it('headlines an EV that starts charging in plain words and tells its resident’s decision in a sentence', async () => {
    const page = await openShow(SIZES[0]);
    const pad = await FakePad.connect(hub.mqttUrl, 'pad-7', padSecret, 'plot-7');
    try {
      await pad.holds('ev-2');
      const headline = page.locator('.show-headline[data-headline="event"]', {
        hasText: 'One EV started charging at',
      });
      await headline.waitFor();
      expect(await headline.textContent()).toMatch(
        /^One EV started charging at \d\d:\d\d.*: (the cable to home-7|the main cable|the cable feeding \d homes .*|the transformer) is at \d+ %\.$/,
      );
      await page
        .locator('.show-decisions li', { hasText: /^home-7 is charging its EV at \d+\.\d kW/ })
        .waitFor();
      // Still nothing clipped with the longer headline and the decisions in.
      expect(await clippedElements(page)).toEqual([]);
      await saveScreenshot(page, 'live-show-ev-charging-1280x720');
      // The full page's home card leads with the same sentence, and says the weights in words.
      const full = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      pageErrors.push(collectPageErrors(full));
      await full.goto(hub.httpUrl);
      const card = full.locator('.home-card[data-home="home-7"]');
      await card.locator('[data-plain-decision]', { hasText: /^home-7 is charging its EV at/ }).waitFor();
      expect(await card.locator('.explanation').textContent()).not.toContain('weights cost');
      // Every asset badge on the full page's map stays inside the map (home-7's EV is at its right edge).
      await full.locator('svg.street g.home[data-plot="plot-7"] [data-asset="ev-2"]').waitFor();
      const outside = await full.locator('svg.street').evaluate((svg) => {
        const frame = svg.getBoundingClientRect();
        return [...svg.querySelectorAll('.asset-badge')]
          .map((badge) => ({ asset: badge.getAttribute('data-asset'), box: badge.getBoundingClientRect() }))
          .filter(({ box }) => box.left < frame.left || box.right > frame.right)
          .map(({ asset }) => asset);
      });
      expect(outside).toEqual([]);
      await full.close();
    } finally {
      pad.client.end(true);
      await page.close();
    }
    expect(pageErrors.flat()).toEqual([]);
  });
});
