import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import type { MqttClient } from 'mqtt';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { TableMap } from '../../../protocol/gridflex.js';
import { FakePad } from '../live/fake-pad.js';
import {
  addDevice,
  addUser,
  CLI,
  DEVICE_CLI,
  type HubProcess,
  startHub,
  writeTestMap,
} from '../live/hub-process.js';
import { connectClient, nextMessage, subscribe, tempDir } from '../mqtt-helpers.js';
import { collectPageErrors, launchChromium, saveScreenshot } from './browser.js';
import { DroppableProxy } from './droppable-proxy.js';

const data = tempDir('gridflex-dashboard-');
const secrets: Record<string, string> = {};
let hub: HubProcess;
let proxy: DroppableProxy;
let browser: Browser;
let viewer: MqttClient;
/** Console errors and uncaught exceptions of every page the current test opened. */
const pageErrors: string[][] = [];
beforeEach(() => {
  pageErrors.length = 0;
});

const SIZES = { projector: { width: 1920, height: 1080 }, tablet: { width: 1024, height: 768 } } as const;

beforeAll(async () => {
  const map = writeTestMap(data.dir);
  // The EVs start off the table, so the demo runs no pad for them: the test's own pads and operator place them.
  writeFileSync(map, readFileSync(map, 'utf8').replace(/(kind: ev, [^}]*?)plot: plot-\d+, /g, '$1'));
  // Two EV pads (plots without a demo board) that the test moves an EV between.
  for (const [id, plot] of [
    ['pad-a', 'plot-4'],
    ['pad-b', 'plot-6'],
  ] as const) {
    secrets[id] = addDevice(data.dir, id, 'ev-pad', plot, 'mqtt://127.0.0.1:1', ['--scenario', map]).password;
  }
  for (const [username, role] of [
    ['octo', 'supplier:octo'],
    ['resident-2', 'resident:home-2'],
    ['table-op', 'operator'],
    ['ofgem', 'regulator'],
    ['street-assembly', 'assembly'],
  ] as const) {
    secrets[username] = addUser(data.dir, username, role);
  }
  hub = await startHub(['--scenario', map, '--data-dir', data.dir, '--step-ms', '100', '--demo']);
  proxy = await DroppableProxy.start(Number(new URL(hub.wsUrl).port));
  viewer = await connectClient(hub.mqttUrl, { clientId: 'test-viewer' });
  // The demo's boards are separate processes: the tests start once every one of them is ready.
  const demoBoards = ['pv-1', 'pv-2', 'heat-pump-1', 'battery-1'];
  const ready = new Set<string>();
  const allReady = new Promise<void>((resolve) => {
    viewer.on('message', (topic, payload) => {
      const match = /^homie\/5\/([^/]+)\/\$state$/.exec(topic);
      if (match?.[1] && payload.toString() === 'ready') ready.add(match[1]);
      if (demoBoards.every((board) => ready.has(board))) resolve();
    });
  });
  await subscribe(viewer, 'homie/5/+/$state');
  await allReady;
  await subscribe(viewer, 'gridflex/v1/#');
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  viewer?.end(true);
  await proxy?.close();
  await hub?.stop();
  data.remove();
});

/** Opens the dashboard (through the droppable proxy) at a screen size and waits until it is live. */
async function openDashboard(size: { width: number; height: number }): Promise<Page> {
  const page = await browser.newPage({ viewport: size });
  pageErrors.push(collectPageErrors(page));
  await page.goto(`${hub.httpUrl}/?ws=${encodeURIComponent(proxy.url)}`);
  await page.locator('[data-connection="online"]').waitFor();
  await page.locator('.home-card[data-home="home-3"] .net[data-net-kw]:not([data-net-kw=""])').waitFor();
  return page;
}

async function logIn(page: Page, username: string): Promise<void> {
  await page.getByLabel('username').fill(username);
  await page.getByLabel('password').fill(secrets[username] as string);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.locator('[data-session]').waitFor();
  // The page reconnects with the user's credentials.
  await page.locator('[data-connection="online"]').waitFor();
}

/** The message line of a panel's form once it shows something: the page's or the hub's answer in words. */
async function outcomeText(form: Locator): Promise<string> {
  const line = form.locator('.outcome[role="status"]:not([hidden])');
  await line.waitFor();
  return (await line.textContent()) ?? '';
}

/** How long a test waits for the hub's answer (the page itself gives up after 10 s). */
const ANSWER = { timeout: 15_000 } as const;

const homeCard = (page: Page, home: string) => page.locator(`.home-card[data-home="${home}"]`);

describe('live dashboard in a real browser', () => {
  it('loads with no console errors and shows the street, homes, devices and prices at both screen sizes', async () => {
    for (const [name, size] of Object.entries(SIZES)) {
      const page = await openDashboard(size);
      // The street is drawn from the feeder's coordinates: 13 buses, 12 lines, 8 homes.
      expect(await page.locator('svg.street [data-bus]').count()).toBe(13);
      expect(await page.locator('svg.street [data-line]').count()).toBe(12);
      expect(await page.locator('svg.street g.home').count()).toBe(8);
      await page.locator('tr[data-device="heat-pump-1"][data-state="ready"]').waitFor();
      await page.locator('[data-import-price]').waitFor();
      await page.locator('.gauge-value[data-transformer-pct]').waitFor();
      await saveScreenshot(page, `live-${name}-${size.width}x${size.height}`);
      await page.close();
    }
    expect(pageErrors.flat()).toEqual([]);
  });

  it('moves an EV on the map and between the homes when a pad board reads it on another plot', async () => {
    const page = await openDashboard(SIZES.projector);
    const padA = await FakePad.connect(hub.mqttUrl, 'pad-a', secrets['pad-a'] as string, 'plot-4');
    const padB = await FakePad.connect(hub.mqttUrl, 'pad-b', secrets['pad-b'] as string, 'plot-6');
    try {
      await padA.holds('ev-1');
      await page.locator('svg.street g.home[data-plot="plot-4"] [data-asset="ev-1"]').waitFor();
      await homeCard(page, 'home-4').locator('tr[data-asset="ev-1"]').waitFor();

      await padA.holds(null);
      await padB.holds('ev-1');
      await page.locator('svg.street g.home[data-plot="plot-6"] [data-asset="ev-1"]').waitFor();
      await homeCard(page, 'home-6').locator('tr[data-asset="ev-1"]').waitFor();
      await page
        .locator('#feed li', { hasText: /ev-1 .*plot-6/ })
        .first()
        .waitFor();
      expect(await page.locator('svg.street g.home[data-plot="plot-4"] [data-asset="ev-1"]').count()).toBe(0);
      expect(await homeCard(page, 'home-4').locator('tr[data-asset="ev-1"]').count()).toBe(0);
      await saveScreenshot(page, 'live-ev-moved-1920x1080');
    } finally {
      padA.client.end(true);
      padB.client.end(true);
      await page.close();
    }
    expect(pageErrors.flat()).toEqual([]);
  });

  it('refuses a supplier’s tariff above the price cap with a clear message, in the page and from the hub', async () => {
    const page = await openDashboard(SIZES.tablet);
    await logIn(page, 'octo');
    const form = page.locator('form[data-panel="supplier"]');
    await form.locator('input[name="tariffId"]').fill('too-dear');
    await form.locator('select[name="kind"]').selectOption('flat');
    await form.locator('input[name="importPrice"]').fill('45');
    // The page checks the offer against the regulator's rules in force before it is sent...
    await expect
      .poll(() => form.locator('.problems').textContent())
      .toMatch(/import price 45 p\/kWh is above the regulator's cap 26\.11 p\/kWh/);
    // ...and the hub, which decides, refuses it on the audit topic; the page shows its reason.
    await form.getByRole('button', { name: 'Offer tariff' }).click();
    const outcome = form.locator('.outcome.refused');
    await outcome.waitFor();
    expect(await outcome.textContent()).toMatch(/Refused by the hub: .*cap/);
    // Logged for the room with who and when.
    await page.locator('#audit li.warning', { hasText: 'octo (supplier:octo) · supplier-tariff' }).waitFor();
    await saveScreenshot(page, 'live-supplier-refused-1024x768');

    // A tariff within the rules is accepted and appears among the offers.
    await form.locator('input[name="importPrice"]').fill('22');
    await form.locator('input[name="tariffId"]').fill('fair-flat');
    await form.getByRole('button', { name: 'Offer tariff' }).click();
    await expect
      .poll(() => outcomeText(form), ANSWER)
      .toMatch(/^✓ Tariff accepted by the hub: octo\/fair-flat on offer/);
    await page.locator('.offers', { hasText: 'octo/fair-flat' }).waitFor();
    await page.close();
    expect(pageErrors.flat()).toEqual([]);
  });

  it('shows a clear message for a malformed tariff CSV and reads a good one', async () => {
    const page = await openDashboard(SIZES.tablet);
    await logIn(page, 'octo');
    const form = page.locator('form[data-panel="supplier"]');
    const upload = (name: string, text: string) =>
      form
        .locator('input[type="file"]')
        .setInputFiles({ name, mimeType: 'text/csv', buffer: Buffer.from(text) });

    await upload('bad.csv', 'from,to,importPriceGbpPerKwh\n00:30,05:30,cheap\n');
    const message = form.locator('[data-csv-message]');
    await expect
      .poll(() => message.textContent())
      .toBe(
        '✕ Could not read the bands: bad.csv line 2: importPriceGbpPerKwh "cheap" is not a number (£/kWh, e.g. 0.075). Nothing was changed.',
      );
    await upload('wrong-header.csv', 'start,end,price\n00:30,05:30,0.07\n');
    await expect
      .poll(() => message.textContent())
      .toMatch(/wrong-header\.csv line 1: .*missing from, to, importPriceGbpPerKwh/);
    await upload('bad-time.csv', 'from,to,importPriceGbpPerKwh\n25:00,05:30,0.07\n');
    await expect
      .poll(() => message.textContent())
      .toMatch(/bad-time\.csv line 2: from: expected a clock time "HH:MM"/);
    await saveScreenshot(page, 'live-tariff-csv-error-1024x768');
    expect(await form.locator('.bands tbody tr').count()).toBe(0);

    await upload(
      'night.csv',
      'from,to,importPriceGbpPerKwh,exportPriceGbpPerKwh,name\n00:30,05:30,0.075,0.15,night\n',
    );
    await expect.poll(() => message.textContent()).toBe('✓ 1 bands read from night.csv.');
    expect(await form.locator('.bands tbody tr').count()).toBe(1);
    expect(await form.locator('select[name="kind"]').inputValue()).toBe('time-of-use');
    await page.close();
    expect(pageErrors.flat()).toEqual([]);
  });

  it('shows a resident’s boost in the home’s load with its cost, and keeps their preferences', async () => {
    const page = await openDashboard(SIZES.projector);
    await logIn(page, 'resident-2');
    const form = page.locator('form[data-panel="resident-boost"]');
    await expect
      .poll(() => form.locator('select[name="asset"] option').allTextContents())
      .toEqual(['heat-pump-1 (heat-pump)']);
    await form.getByRole('button', { name: 'Boost now' }).click();
    expect(await outcomeText(form)).toMatch(/^✓ Boost accepted by the hub: heat-pump-1 runs at /);
    const row = homeCard(page, 'home-2').locator('tr[data-asset="heat-pump-1"]');
    await row.locator('.tag.boost').waitFor();
    // The heat pump runs at full power: the home's card shows it drawing, and the boost's cost so far.
    await expect
      .poll(async () => Number(await row.locator('[data-asset-kw]').getAttribute('data-asset-kw')))
      .toBeGreaterThan(0.5);
    await expect
      .poll(() => homeCard(page, 'home-2').locator('.boost-line').textContent())
      .toMatch(/Boost heat-pump-1 at .* kW.*£/);
    await saveScreenshot(page, 'live-resident-boost-1920x1080');

    // The boxes start with the preferences in force (the home's defaults here), not empty.
    const preferences = page.locator('form[data-panel="resident-preferences"]');
    const state = (await (await fetch(`${hub.httpUrl}/api/state`)).json()) as {
      preferencesInForce: Record<
        string,
        { costWeight: number; comfortMinCelsius: number; evTargetSocPct: number }
      >;
    };
    const inForce = state.preferencesInForce['home-2'];
    expect(inForce).toBeDefined();
    const shown = (value: number | undefined) => String(Number(Number(value).toPrecision(10)));
    await expect
      .poll(() => preferences.locator('input[name="costWeight"]').inputValue())
      .toBe(shown(inForce?.costWeight));
    expect(await preferences.locator('input[name="comfortMin"]').inputValue()).toBe(
      shown(inForce?.comfortMinCelsius),
    );
    expect(await preferences.locator('input[name="targetSoc"]').inputValue()).toBe(
      String(inForce?.evTargetSocPct),
    );
    expect(await preferences.locator('input[name="readyBy"]').inputValue()).toMatch(/^\d\d:\d\d$/);
    // Preferences are sent, answered, and shown again after a reload.
    await preferences.locator('input[name="costWeight"]').fill('0.7');
    await preferences.locator('input[name="comfortMin"]').fill('19.5');
    await preferences.locator('input[name="readyBy"]').fill('07:30');
    await preferences.getByRole('button', { name: 'Save preferences' }).click();
    expect(await outcomeText(preferences)).toMatch(/^✓ Preferences accepted by the hub/);
    // The login holds over a reload (this tab's session; the MQTT connection logs in with its token).
    await page.reload();
    await page.locator('[data-session="resident:home-2"]').waitFor();
    await page.locator('[data-connection="online"]').waitFor();
    await expect.poll(() => preferences.locator('input[name="costWeight"]').inputValue()).toBe('0.7');
    expect(await preferences.locator('input[name="comfortMin"]').inputValue()).toBe('19.5');
    expect(await preferences.locator('input[name="readyBy"]').inputValue()).toBe('07:30');
    await page.close();
    expect(pageErrors.flat()).toEqual([]);
  });

  it('reconnects after the WebSocket drops and catches up from retained state', async () => {
    const operator = await connectClient(hub.mqttUrl, {
      clientId: 'table-op',
      username: 'table-op',
      password: secrets['table-op'] as string,
    });
    /** The operator places ev-2 and the hub's retained table map says so. */
    const place = async (plot: string) => {
      const applied = nextMessage(
        viewer,
        (topic) => topic === 'gridflex/v1/table/map',
        (payload) =>
          (JSON.parse(payload.toString()) as TableMap).assets.some(
            (asset) => asset.asset === 'ev-2' && asset.plot === plot,
          ),
      );
      await operator.publishAsync(
        'gridflex/control/v1/table/place',
        JSON.stringify({ asset: 'ev-2', plot }),
        {
          qos: 1,
        },
      );
      await applied;
    };
    const page = await openDashboard(SIZES.tablet);
    try {
      await place('plot-7');
      await homeCard(page, 'home-7').locator('tr[data-asset="ev-2"]').waitFor();

      proxy.drop();
      await page.locator('[data-connection="offline"], [data-connection="connecting"]').first().waitFor();
      // While the page is cut off, ev-2 moves to plot-8.
      await place('plot-8');
      expect(await homeCard(page, 'home-7').locator('tr[data-asset="ev-2"]').count()).toBe(1);

      await proxy.restore();
      await page.locator('[data-connection="online"]').waitFor();
      await homeCard(page, 'home-8').locator('tr[data-asset="ev-2"]').waitFor();
      await page.locator('svg.street g.home[data-plot="plot-8"] [data-asset="ev-2"]').waitFor();
      expect(await homeCard(page, 'home-7').locator('tr[data-asset="ev-2"]').count()).toBe(0);
      await saveScreenshot(page, 'live-reconnected-1024x768');
    } finally {
      operator.end(true);
      await page.close();
    }
    // Chromium logs this one line when mqtt.js's stream flushes into the socket the test just cut: it is the
    // drop itself, not a fault of the page. Anything else is.
    const dropped = 'WebSocket is already in CLOSING or CLOSED state.';
    expect(pageErrors.flat().filter((error) => error !== dropped)).toEqual([]);
  });

  it('lets the operator pause, step, play and jump the clock', async () => {
    const page = await openDashboard(SIZES.tablet);
    await logIn(page, 'table-op');
    const clock = page.locator('form[data-panel="clock"]');
    await clock.getByRole('button', { name: /Pause/ }).click();
    expect(await outcomeText(clock)).toMatch(/^✓ Clock accepted by the hub: /);
    await page.locator('[data-sim-time]', { hasText: 'paused' }).waitFor();
    const stepOf = async () =>
      Number(/step (\d+)/.exec((await page.locator('[data-sim-time]').textContent()) ?? '')?.[1]);
    const pausedAt = await stepOf();
    await clock.getByRole('button', { name: /Step/ }).click();
    await expect.poll(stepOf).toBe(pausedAt + 1);
    await clock.getByRole('button', { name: /Play/ }).click();
    await page.locator('[data-sim-time]', { hasText: 'running' }).waitFor();
    await expect.poll(stepOf).toBeGreaterThan(pausedAt + 1);
    // The jump field shows the clock in the page's one locale (en-GB, day first), not the browser's.
    expect(await clock.getByLabel('jump to simulated time (UTC)').inputValue()).toMatch(
      /^15\/01\/2026 \d\d:\d\d$/,
    );
    // A date that is not one is refused in words, naming the field.
    await clock.getByLabel('jump to simulated time (UTC)').fill('31/02/2026 12:00');
    await clock.getByRole('button', { name: 'Go' }).click();
    await expect
      .poll(() => outcomeText(clock))
      .toContain('Not sent: Jump to: "31/02/2026 12:00" is not a real date and time');
    // Jump to a summer noon, written the British way (simulated time is UTC).
    await clock.getByLabel('jump to simulated time (UTC)').fill('01/07/2026 12:00');
    await clock.getByRole('button', { name: 'Go' }).click();
    await page.locator('[data-sim-time]', { hasText: 'Wed 1 Jul, 12:0' }).waitFor();
    await page.close();
    expect(pageErrors.flat()).toEqual([]);
  });

  it('applies the assembly’s shared battery rules and shows who set them', async () => {
    const page = await openDashboard(SIZES.projector);
    await logIn(page, 'street-assembly');
    const form = page.locator('form[data-panel="assembly"]');
    await expect.poll(() => form.locator('input[name="reserveKwh"]').inputValue()).not.toBe('');
    await form.locator('input[name="reserveKwh"]').fill('5');
    await form.locator('input[name="priorityGroups"]').fill('');
    await form.locator('input[name="groups"]').fill('home-2=medical');
    await form.getByRole('button', { name: 'Apply battery rules' }).click();
    // The hub checks the rules as a whole and says why it refuses them.
    await expect
      .poll(() => form.locator('.outcome').textContent(), ANSWER)
      .toBe(
        '✕ Refused by the hub: groups: home-2 is in "medical", which is not one of the priority groups (none)',
      );
    await form.locator('input[name="priorityGroups"]').fill('medical');
    await form.getByRole('button', { name: 'Apply battery rules' }).click();
    await expect.poll(() => outcomeText(form), ANSWER).toMatch(/^✓ Battery rules accepted by the hub/);
    await page.locator('#battery', { hasText: /reserve 5 kWh.*set by street-assembly/ }).waitFor();
    await form.locator('input[name="groups"]').fill('home-2 medical');
    await form.getByRole('button', { name: 'Apply battery rules' }).click();
    expect(await form.locator('.outcome.refused').textContent()).toBe(
      'Not sent: homes in groups: "home-2 medical": expected home=group, e.g. home-1=medical',
    );
    await page.close();
    expect(pageErrors.flat()).toEqual([]);
  });

  it('applies the regulator’s new price cap, shown to everybody with who set it', async () => {
    const page = await openDashboard(SIZES.projector);
    await logIn(page, 'ofgem');
    const form = page.locator('form[data-panel="regulator"]');
    await expect.poll(() => form.locator('input[name="priceCap"]').inputValue()).toBe('26.11');
    await form.locator('input[name="priceCap"]').fill('30');
    await form.getByRole('button', { name: 'Apply rules' }).click();
    expect(await outcomeText(form)).toMatch(/^✓ Rules accepted by the hub/);
    await page.locator('[data-rules]', { hasText: /cap 30\.0 p\/kWh on flat.*set by ofgem/ }).waitFor();
    await form.locator('input[name="periods"]').fill('red 16:00 to 19:00');
    await form.getByRole('button', { name: 'Apply rules' }).click();
    expect(await form.locator('.outcome.refused').textContent()).toMatch(
      /^Not sent: network charge periods: "red 16:00 to 19:00": expected e\.g\. "red 16:00-19:00"/,
    );
    await saveScreenshot(page, 'live-regulator-1920x1080');
    await page.close();
    expect(pageErrors.flat()).toEqual([]);
  });
  it('lists a board started while the page is open as ready, and as disconnected once it stops', async () => {
    const page = await openDashboard(SIZES.projector);
    const config = execFileSync(
      process.execPath,
      [
        CLI,
        'device',
        'add',
        'house-5',
        '--from',
        'hardware/boards/nano-table-house.yaml',
        '--data-dir',
        data.dir,
        '--broker-url',
        hub.mqttUrl,
      ],
      { encoding: 'utf8' },
    ).trim();
    const board = spawn(process.execPath, [DEVICE_CLI, '--config', config, '--simulate'], {
      stdio: 'ignore',
    });
    const exited = new Promise((done) => board.once('exit', done));
    try {
      await page.locator('tr[data-device="house-5"][data-state="ready"]').waitFor();
      expect(await page.locator('tr[data-device="house-5"]').textContent()).toMatch(/^house-5● ready/);
      await saveScreenshot(page, 'live-extra-board-ready-1920x1080');
    } finally {
      board.kill('SIGTERM');
      await exited;
    }
    await page.locator('tr[data-device="house-5"][data-state="disconnected"]').waitFor();
    await page.close();
    expect(pageErrors.flat()).toEqual([]);
  });
});
