import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, CLI, type HubProcess, startHub, writeTestMap } from '../live/hub-process.js';
import { connectClient, nextMessage, subscribe, tempDir } from '../mqtt-helpers.js';
import { collectPageErrors, launchChromium, saveScreenshot } from './browser.js';

const data = tempDir('gridflex-draw-page-');
const second = tempDir('gridflex-drawn-street-hub-');
let hub: HubProcess;
let browser: Browser;
let operatorSecret = '';

beforeAll(async () => {
  operatorSecret = addUser(data.dir, 'table-op', 'operator');
  hub = await startHub(['--scenario', writeTestMap(data.dir), '--data-dir', data.dir, '--step-ms', '200']);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await hub?.stop();
  data.remove();
  second.remove();
});

/** Clicks the drawing at (x, y) metres (the SVG's units are metres, y flipped). */
async function clickAt(page: Page, xM: number, yM: number): Promise<void> {
  const at = await page.locator('svg.draw-svg').evaluate(
    (svg, point) => {
      const matrix = (svg as SVGSVGElement).getScreenCTM();
      if (!matrix) throw new Error('the drawing has no screen position');
      const screen = new DOMPoint(point.xM, -point.yM).matrixTransform(matrix);
      return { x: screen.x, y: screen.y };
    },
    { xM, yM },
  );
  await page.mouse.click(at.x, at.y);
}

const tool = (page: Page, name: string) => page.locator(`button[data-tool="${name}"]`).click();
const problems = (page: Page) => page.locator('[data-problems]');

describe('draw a street', () => {
  it('draws a street that solves as it is drawn, says what is wrong in words, undoes and redoes, and saves one the hub runs', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const errors = collectPageErrors(page);
    await page.goto(`${hub.httpUrl}/draw.html`);
    await expect.poll(() => problems(page).textContent()).toContain('the street has no homes yet');

    // A main cable from the substation through two plots, a home on each (phases A and B).
    await clickAt(page, 0, 0);
    await clickAt(page, 30, 0);
    await clickAt(page, 60, 0);
    await tool(page, 'home');
    await clickAt(page, 30, 0);
    await page.getByLabel('phase of a new home').selectOption('B');
    await clickAt(page, 60, 0);
    await page.locator('[data-problems="0"]').waitFor();
    await page.locator('[data-solved="converged"] [data-warnings="0"]').waitFor();
    expect(await page.locator('svg.draw-svg [data-home]').count()).toBe(2);
    for (const cable of await page.locator('svg.draw-svg line[data-cable]').all())
      expect(Number(await cable.getAttribute('data-loading-pct'))).toBeGreaterThan(0);

    // A cable back to the substation closes a loop: said in words; undo takes it away, redo brings it back.
    await tool(page, 'cable');
    await clickAt(page, 60, 0);
    await clickAt(page, 0, 0);
    await expect.poll(() => problems(page).textContent()).toMatch(/cable c3 \(j2–sub\) closes a loop/);
    await page.locator('button[data-action="undo"]').click();
    await page.locator('[data-problems="0"]').waitFor();
    await page.locator('button[data-action="redo"]').click();
    await expect.poll(() => problems(page).textContent()).toMatch(/closes a loop/);
    await page.locator('button[data-action="undo"]').click();
    await page.locator('[data-problems="0"]').waitFor();

    // A home on a plot no cable reaches.
    await tool(page, 'home');
    await clickAt(page, 60, 30);
    await expect
      .poll(() => problems(page).textContent())
      .toContain('home-3 (at j3) is not connected to the substation');
    await page.locator('button[data-action="undo"]').click();
    await page.locator('[data-problems="0"]').waitFor();

    // Moving a point takes its cables along (their length follows): j2 goes 20 m north.
    await tool(page, 'move');
    await clickAt(page, 60, 0);
    await clickAt(page, 60, 20);
    await expect
      .poll(() =>
        page
          .locator('line[data-cable="c2"]')
          .evaluate((line) => [line.getAttribute('x2'), line.getAttribute('y2')]),
      )
      .toEqual(['60', '-20']);
    await page.locator('button[data-action="undo"]').click();
    await expect.poll(() => page.locator('line[data-cable="c2"]').getAttribute('y2')).toBe('0');

    // The second cable retyped to the thin service cable (120 A): the drawing says so.
    await page.getByLabel('cable type').selectOption('35_SAC_XSC');
    await tool(page, 'retype');
    await clickAt(page, 45, 0);
    await expect
      .poll(() => page.locator('line[data-cable="c2"] title').textContent())
      .toMatch(/^c2: 35_SAC_XSC/);
    expect(await page.locator('line[data-cable="c1"] title').textContent()).toMatch(/^c1: 4c_95_SAC_XC/);

    // At 50 kW a home the cables are over their rating, in words.
    await page.getByLabel('design load per home (kW)').fill('50');
    await page.getByLabel('design load per home (kW)').dispatchEvent('change');
    await expect
      .poll(() => page.locator('[data-warnings]').textContent())
      .toMatch(/cable c\d is at \d+ % of its rating at 50 kW a home/);
    await saveScreenshot(page, 'draw-street-over-rating-1280x800');
    await page.getByLabel('design load per home (kW)').fill('2');
    await page.getByLabel('design load per home (kW)').dispatchEvent('change');
    await page.locator('[data-warnings="0"]').waitFor();

    // Saving needs the operator; then the feeder folder and its table map are written.
    expect(await page.getByRole('button', { name: 'Save street' }).isDisabled()).toBe(true);
    await page.getByLabel('username').fill('table-op');
    await page.getByLabel('password').fill(operatorSecret);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.locator('[data-session]').waitFor();
    await page.getByLabel('street name').fill('test-street');
    await page.getByRole('button', { name: 'Save street' }).click();
    await page.locator('[data-saved="ok"]').waitFor();
    const dir = join(data.dir, 'streets', 'test-street');
    for (const file of [
      'Lines.csv',
      'LineCodes.csv',
      'Loads.csv',
      'Transformer.csv',
      'Source.csv',
      'table-map.yaml',
    ])
      expect(existsSync(join(dir, file)), file).toBe(true);
    // The same name again is refused with a reason.
    await page.getByRole('button', { name: 'Save street' }).click();
    await expect
      .poll(() => page.locator('[data-saved]').textContent())
      .toMatch(/^Not saved: a street called "test-street" is saved already/);
    await saveScreenshot(page, 'draw-street-saved-1280x800');
    await page.close();
    expect(errors.filter((error) => !/409/.test(error))).toEqual([]);

    // `gridflex run` runs its scenario for a day...
    const summary = execFileSync(
      process.execPath,
      [
        CLI,
        'run',
        '--scenario',
        join(dir, 'scenario.yaml'),
        '--days',
        '1',
        '--out',
        join(second.dir, 'run'),
        '--data-dir',
        second.dir,
      ],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );
    expect(summary).toMatch(/voltage .* V/);
    expect(existsSync(join(second.dir, 'run', 'metrics.json'))).toBe(true);

    // ...and the hub runs its table map: the power flow converges with the two homes on it.
    const drawnHub = await startHub([
      '--scenario',
      join(dir, 'table-map.yaml'),
      '--data-dir',
      second.dir,
      '--step-ms',
      '200',
    ]);
    const client = await connectClient(drawnHub.mqttUrl, { clientId: 'drawn-street-test' });
    try {
      const summary = nextMessage(client, (topic) => topic === 'gridflex/v1/feeder/summary');
      await subscribe(client, 'gridflex/v1/feeder/summary');
      const body = JSON.parse((await summary).payload.toString()) as { feeder: string; converged: boolean };
      expect(body).toMatchObject({ feeder: 'test-street', converged: true });
    } finally {
      client.end(true);
      await drawnHub.stop();
    }
  });

  it('refuses a malformed drawing naming the field, and saving without the operator’s login', async () => {
    const post = (path: string, body: unknown) =>
      fetch(`${hub.httpUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const start = (await (await fetch(`${hub.httpUrl}/api/draw/start`)).json()) as {
      drawing: { cables: Record<string, unknown>[] };
    };
    const broken = structuredClone(start.drawing);
    delete broken.cables[3]?.lineCode;
    const refused = await post('/api/draw/solve', { drawing: broken });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error: string }).error).toMatch(/^drawing\.cables\.3\.lineCode: /);
    const anonymous = await post('/api/draw/save', { drawing: start.drawing });
    expect(anonymous.status).toBe(401);
  });

  it('starts from the hub’s own street, which checks clean and solves', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const errors = collectPageErrors(page);
    await page.goto(`${hub.httpUrl}/draw.html`);
    await page.locator('button[data-action="hub-street"]:not([disabled])').click();
    await page.locator('[data-problems="0"]').waitFor();
    await page.locator('[data-solved="converged"]').waitFor();
    // The table street: 13 buses and 12 cables, 8 homes.
    expect(await page.locator('svg.draw-svg [data-node]').count()).toBe(13);
    expect(await page.locator('svg.draw-svg line[data-cable]').count()).toBe(12);
    expect(await page.locator('svg.draw-svg [data-home]').count()).toBe(8);
    await saveScreenshot(page, 'draw-street-from-hub-1280x800');
    await page.close();
    expect(errors).toEqual([]);
  });
});
