/**
 * Hardware in the loop through a real hub (issue 16 part 3, issue 22 part 3): model variables pinned to live
 * sensors written here as plain Homie 5 publishers with mqtt.js (no GridFlex code). A scripted light sensor
 * drives a home's PV output and the power flow follows; a stale or lost sensor gives the variable back to the
 * model; a biased meter raises the drift alarm and the operator's bias correction clears it; a device adopted
 * with `gridflex device adopt` moves its home's demand, falls back when `lost`, and the dashboard (real
 * headless Chromium) says so.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry, Home, PinState, Pins } from '../../../protocol/gridflex.js';
import { collectPageErrors, launchChromium } from '../dashboard/browser.js';
import { MessageLog } from '../message-log.js';
import { connectClient, nextMessage, subscribe, tempDir } from '../mqtt-helpers.js';
import { addDevice, addUser, CLI, type HubProcess, startHub, writeTestMap } from './hub-process.js';

const data = tempDir('gridflex-pins-');
const LIGHT = 'sun-sensor';
const METER = 'lab-meter';
const ADOPTED = 'batt-gw';
const KWP = 4;
const STALE_STEPS = 3;
let hub: HubProcess;
let viewer: MqttClient;
/** The viewer's homes and pins, in order: each wait reads on from a place in it (test/hub/message-log.ts). */
let log: MessageLog;
let operator: MqttClient;
let browser: Browser | undefined;
const clients: MqttClient[] = [];
/** Commands seen on the adopted device's `/set` topics. */
const setCommands: string[] = [];

/** Adds a `pins:` section to the test map: light → home-2's PV, a meter → home-4's demand. */
function writePinnedMap(dir: string): string {
  const file = writeTestMap(dir);
  const pins = `
pins:
  - { home: home-2, variable: pv, device: ${LIGHT}, property: light/level, kwp: ${KWP}, staleSteps: ${STALE_STEPS} }
  - { home: home-4, variable: load, device: ${METER}, property: power/watts, staleSteps: 1000, drift: { alpha: 0.5, alarmAtKw: 0.5 } }
`;
  writeFileSync(file, readFileSync(file, 'utf8') + pins);
  return file;
}

/** A device as any Homie 5 library writes it: `$state` init, `$description`, values, `$state` ready. */
async function homieDevice(
  id: string,
  password: string,
  nodes: Record<string, unknown>,
  values: Record<string, string>,
): Promise<MqttClient> {
  const client = await mqtt.connectAsync(hub.mqttUrl, {
    protocolVersion: 4,
    clientId: id,
    username: id,
    password,
    will: { topic: `homie/5/${id}/$state`, payload: Buffer.from('lost'), qos: 1, retain: true },
  });
  clients.push(client);
  const publish = (path: string, payload: string) =>
    client.publishAsync(`homie/5/${id}/${path}`, payload, { qos: 1, retain: true });
  await publish('$state', 'init');
  await publish('$description', JSON.stringify({ homie: '5.0', version: 1, nodes }));
  for (const [path, value] of Object.entries(values)) await publish(path, value);
  await publish('$state', 'ready');
  return client;
}

const value = (client: MqttClient, id: string, path: string, payload: string) =>
  client.publishAsync(`homie/5/${id}/${path}`, payload, { qos: 1, retain: true });

/** A state read from the log, with its place there (`at`): a wait from it reads what came after. */
type Logged<T> = T & { at: number };

/**
 * The first pins message from `from` (a place in the log: by default what comes after the call) on which `pin`
 * passes `accept`. A wait for what a reading brings starts from a mark taken before the reading is published: a
 * pin state lasts only until the reading is stale, and one missed may never come again.
 */
async function nextPin(
  pin: string,
  accept: (state: PinState) => boolean,
  from = log.mark(),
): Promise<Logged<PinState>> {
  const find = (payload: Buffer) =>
    (JSON.parse(payload.toString()) as Pins).pins.find((entry) => entry.pin === pin);
  const message = await log.next(
    from,
    (topic) => topic === 'gridflex/v1/pins',
    (payload) => {
      const state = find(payload);
      return state !== undefined && accept(state);
    },
  );
  return { ...(find(message.payload) as PinState), at: message.index };
}

/** The first published state of `home` from `from` (by default what comes after the call) that passes `accept`. */
async function nextHome(
  home: string,
  accept: (state: Home) => boolean,
  from = log.mark(),
): Promise<Logged<Home>> {
  const message = await log.next(
    from,
    (topic) => topic === `gridflex/v1/homes/${home}`,
    (payload) => accept(JSON.parse(payload.toString()) as Home),
  );
  return { ...(JSON.parse(message.payload.toString()) as Home), at: message.index };
}

/** What the pins put on a home's plot beyond its modelled assets (none are on the table: no boards run). */
const plotKw = (home: Home) => home.netPKw - home.baseLoadPKw;

let lightClient: MqttClient;
let meterClient: MqttClient;
let adoptedClient: MqttClient;
let adoptOutput: string;
let residentPassword: string;
let operatorPassword: string;

beforeAll(async () => {
  const map = writePinnedMap(data.dir);
  const passwords: Record<string, string> = {};
  // The scripted sensors log in as boards; what they publish is their own (no GridFlex node types).
  passwords[LIGHT] = addDevice(data.dir, LIGHT, 'pv', 'plot-2', 'mqtt://127.0.0.1:1', [
    '--scenario',
    map,
  ]).password;
  passwords[METER] = addDevice(data.dir, METER, 'meter', 'plot-4', 'mqtt://127.0.0.1:1', [
    '--scenario',
    map,
  ]).password;
  adoptOutput = execFileSync(
    process.execPath,
    [CLI, 'device', 'adopt', ADOPTED, '--plot', 'plot-3', '--data-dir', data.dir, '--scenario', map],
    { encoding: 'utf8' },
  );
  passwords[ADOPTED] = /password: (\S+)/.exec(adoptOutput)?.[1] as string;
  operatorPassword = addUser(data.dir, 'table-op', 'operator');
  residentPassword = addUser(data.dir, 'resident-4', 'resident:home-4');
  hub = await startHub(['--scenario', map, '--data-dir', data.dir, '--step-ms', '40']);
  viewer = await connectClient(hub.mqttUrl, { clientId: 'pins-viewer' });
  log = new MessageLog(
    viewer,
    (topic) => topic === 'gridflex/v1/pins' || topic.startsWith('gridflex/v1/homes/'),
  );
  await subscribe(viewer, 'gridflex/v1/#');
  await subscribe(viewer, `homie/5/${ADOPTED}/+/+/set`);
  viewer.on('message', (topic) => {
    if (topic.endsWith('/set')) setCommands.push(topic);
  });
  operator = await connectClient(hub.mqttUrl, {
    clientId: 'pins-op',
    username: 'table-op',
    password: operatorPassword,
  });
  lightClient = await homieDevice(
    LIGHT,
    passwords[LIGHT] as string,
    {
      light: {
        name: 'Light',
        type: 'sensor',
        properties: { level: { datatype: 'float', unit: '%', format: '0:100' } },
      },
    },
    {},
  );
  meterClient = await homieDevice(
    METER,
    passwords[METER] as string,
    { power: { type: 'meter', properties: { watts: { datatype: 'float', unit: 'W' } } } },
    {},
  );
  adoptedClient = await homieDevice(
    ADOPTED,
    passwords[ADOPTED] as string,
    {
      info: { properties: { model: { datatype: 'string' } } },
      meter: {
        properties: {
          soc: { datatype: 'integer', unit: '%' },
          'active-power': { datatype: 'float', unit: 'W' },
        },
      },
    },
    { 'info/model': 'GW-1', 'meter/soc': '60', 'meter/active-power': '3000' },
  );
});

afterAll(async () => {
  await browser?.close();
  for (const client of clients) client.end(true);
  operator?.end(true);
  viewer?.end(true);
  await hub?.stop();
  data.remove();
});

describe('a light sensor pinned to a home’s PV output', () => {
  it('drives the PV in the power flow: light % × kWp, and the flow follows a new reading', async () => {
    // A reading drives the PV for STALE_STEPS steps (3 × 40 ms, longer than the 100 ms between the paced full
    // publishes), so one published step shows it: its homes, then its pins (hub-runtime.ts publishUnpublished).
    const beforeHalf = log.mark();
    await value(lightClient, LIGHT, 'light/level', '50');
    const half = await nextHome('home-2', (home) => Math.abs(plotKw(home) + 0.5 * KWP) < 1e-9, beforeHalf);
    expect(plotKw(half)).toBeCloseTo(-2, 9);
    const pin = await nextPin('home-2/pv', (state) => state.source === 'sensor', half.at);
    expect(pin).toMatchObject({ device: LIGHT, property: 'light/level', modelKw: 0, sensorKw: -2 });
    const beforeFull = log.mark();
    await value(lightClient, LIGHT, 'light/level', '100');
    const full = await nextHome('home-2', (home) => Math.abs(plotKw(home) + KWP) < 1e-9, beforeFull);
    expect(plotKw(full)).toBeCloseTo(-KWP, 9);
  });

  it('goes stale after its steps without a reading: the model drives the PV again, and says why', async () => {
    // The sensor stops publishing: within a few steps the pin falls back.
    const stale = await nextPin('home-2/pv', (state) => state.source === 'model');
    const silentSteps = Number(
      new RegExp(`no reading from ${LIGHT} light/level for (\\d+) steps`).exec(stale.fallback ?? '')?.[1],
    );
    expect(silentSteps).toBeGreaterThan(STALE_STEPS);
    const home = await nextHome('home-2', () => true, stale.at);
    expect(plotKw(home)).toBe(0);
    await hub.logLine(/home-2\/pv: the model drives home-2's PV output \(no reading/);
  });

  it('falls back when its device is lost, and takes over again when it is back', async () => {
    const before25 = log.mark();
    await value(lightClient, LIGHT, 'light/level', '25');
    await nextPin('home-2/pv', (state) => state.source === 'sensor' && state.sensorKw === -1, before25);
    const beforeLost = log.mark();
    await value(lightClient, LIGHT, '$state', 'lost');
    // Said even if the reading went stale first: a device that is not ready is the reason given before staleness.
    const lost = await nextPin('home-2/pv', (state) => state.fallback === `${LIGHT} is lost`, beforeLost);
    expect(lost.source).toBe('model');
    expect(plotKw(await nextHome('home-2', () => true, lost.at))).toBe(0);
    const beforeBack = log.mark();
    await value(lightClient, LIGHT, '$state', 'ready');
    await value(lightClient, LIGHT, 'light/level', '75');
    expect(plotKw(await nextHome('home-2', (home) => plotKw(home) !== 0, beforeBack))).toBeCloseTo(-3, 9);
  });
});

describe('a biased meter pinned to a home’s demand', () => {
  const BIAS_KW = 1.5;
  let following = true;

  /** The meter reads the model's demand plus a constant bias, one reading per step. */
  function followModelWithBias(): void {
    viewer.on('message', (topic, payload) => {
      if (!following || topic !== 'gridflex/v1/pins') return;
      const pin = (JSON.parse(payload.toString()) as Pins).pins.find((entry) => entry.pin === 'home-4/load');
      if (pin)
        value(meterClient, METER, 'power/watts', String((pin.modelKw + BIAS_KW) * 1000)).catch(() => {});
    });
  }

  afterAll(() => {
    following = false;
  });

  it('raises the drift alarm; applying the bias estimate clears it and corrects the pinned value', async () => {
    followModelWithBias();
    const alarmed = await nextPin('home-4/load', (state) => state.drift?.alarm === true);
    expect(alarmed.drift?.ewmaKw).toBeGreaterThan(0.5);
    await hub.logLine(/drift raised on home-4\/load/);
    // A few steps more, so the estimate has settled near the bias.
    const settled = await nextPin('home-4/load', (state) => (state.drift?.samples ?? 0) >= 10);
    expect(settled.drift?.biasKw).toBeCloseTo(BIAS_KW, 1);
    const home = await nextHome('home-4', () => true);
    expect(home.baseLoadPKw).toBeGreaterThan(BIAS_KW);

    const answer = nextMessage(
      viewer,
      (topic) => topic === 'gridflex/v1/audit',
      (payload) => (JSON.parse(payload.toString()) as AuditEntry).action === 'table-pin-bias',
    );
    await operator.publishAsync(
      'gridflex/control/v1/table/pin-bias',
      JSON.stringify({ pin: 'home-4/load', action: 'apply', requestId: 'bias-1' }),
      { qos: 1 },
    );
    const entry = JSON.parse((await answer).payload.toString()) as AuditEntry;
    expect(entry).toMatchObject({ accepted: true, username: 'table-op', requestId: 'bias-1' });
    const corrected = await nextPin(
      'home-4/load',
      (state) => state.appliedBiasKw !== 0 && (state.drift?.samples ?? 0) >= 3,
    );
    expect(corrected.appliedBiasKw).toBeCloseTo(BIAS_KW, 1);
    expect(corrected.drift?.alarm).toBe(false);
    expect(Math.abs((corrected.sensorKw as number) - corrected.modelKw)).toBeLessThan(0.2);
    expect(readFileSync(join(data.dir, 'audit.log'), 'utf8')).toMatch(
      /"action":"table-pin-bias","accepted":true/,
    );
  });

  it('refuses a bias control from a resident and for a pin that does not exist', async () => {
    const answer = nextMessage(
      viewer,
      (topic) => topic === 'gridflex/v1/audit',
      (payload) => (JSON.parse(payload.toString()) as AuditEntry).requestId === 'bias-2',
    );
    await operator.publishAsync(
      'gridflex/control/v1/table/pin-bias',
      JSON.stringify({ pin: 'home-9/pv', action: 'apply', requestId: 'bias-2' }),
      { qos: 1 },
    );
    const entry = JSON.parse((await answer).payload.toString()) as AuditEntry;
    expect(entry.accepted).toBe(false);
    expect(entry.reason).toMatch(/no pin home-9\/pv \(pins: .*home-4\/load/);

    const resident = await connectClient(hub.mqttUrl, {
      clientId: 'pins-resident',
      username: 'resident-4',
      password: residentPassword,
    });
    clients.push(resident);
    const denied = nextMessage(
      viewer,
      (topic) => topic === 'gridflex/v1/audit',
      (payload) => {
        const audit = JSON.parse(payload.toString()) as AuditEntry;
        return audit.action === 'table-pin-bias' && audit.username === 'resident-4';
      },
    );
    resident.publish(
      'gridflex/control/v1/table/pin-bias',
      JSON.stringify({ pin: 'home-4/load', action: 'reset' }),
    );
    expect(JSON.parse((await denied).payload.toString())).toMatchObject({
      accepted: false,
      reason: 'resident:home-4 may not publish here',
    });
  });

  it('records every step of every pin with the run (pins.jsonl in the data dir)', () => {
    const lines = readFileSync(join(data.dir, 'pins.jsonl'), 'utf8').trim().split('\n');
    const last = JSON.parse(lines.at(-1) as string) as Pins;
    expect(last.pins.map((pin) => pin.pin).sort()).toEqual(['home-2/pv', 'home-3/load', 'home-4/load']);
    const steps = lines.map((line) => (JSON.parse(line) as Pins).step);
    expect(steps).toEqual(steps.map((_, index) => (steps[0] as number) + index));
  });
});

describe('a Homie 5 device adopted with gridflex device adopt', () => {
  it('moves its home’s demand in the power flow: its first property in W, in kW', async () => {
    expect(adoptOutput).toMatch(/adopted batt-gw on plot-3: its first property in W or kW drives/);
    const home = await nextHome('home-3', (state) => state.baseLoadPKw === 3);
    expect(home.baseLoadPKw).toBe(3);
    const pin = await nextPin('home-3/load', () => true);
    expect(pin).toMatchObject({
      adopted: true,
      control: false,
      property: 'meter/active-power',
      source: 'sensor',
    });
    const before5000 = log.mark();
    await value(adoptedClient, ADOPTED, 'meter/active-power', '5000');
    await nextHome('home-3', (state) => state.baseLoadPKw === 5, before5000);
  });

  it('falls back to the model when it goes lost, and the dashboard says so (and takes the operator’s bias control)', async () => {
    adoptedClient.end(true); // its last will: $state lost
    const lost = await nextPin('home-3/load', (state) => state.source === 'model');
    expect(lost.fallback).toBe(`${ADOPTED} is lost`);
    const home = await nextHome('home-3', () => true, lost.at);
    expect(home.baseLoadPKw).not.toBe(5);
    expect(home.baseLoadPKw).toBeCloseTo(lost.modelKw, 1);

    browser = await launchChromium();
    const page = await browser.newPage();
    const errors = collectPageErrors(page);
    await page.goto(hub.httpUrl);
    const row = page.locator('[data-pin="home-3/load"]');
    await row.waitFor();
    await page.locator('[data-pin="home-3/load"][data-source="model"]').waitFor();
    expect(await row.textContent()).toContain(`${ADOPTED} is lost`);
    await page.locator('[data-pin="home-4/load"] svg.pin-chart polyline').first().waitFor();

    // The operator drops home-4's bias correction from the page; the hub answers and the panel shows none applied.
    await page.getByLabel('username').fill('table-op');
    await page.getByLabel('password').fill(operatorPassword);
    await page.getByRole('button', { name: 'Log in' }).click();
    const form = page.locator('form[data-panel="pin-bias"]');
    await form.locator('select[name="pin"] option[value="home-4/load"]').waitFor({ state: 'attached' });
    await form.locator('select[name="pin"]').selectOption('home-4/load');
    await form.locator('select[name="action"]').selectOption('reset');
    await form.getByRole('button', { name: 'Send' }).click();
    const outcome = form.locator('.outcome.accepted');
    await outcome.waitFor();
    expect(await outcome.textContent()).toBe(
      `✓ Bias accepted by the hub: home-4/load: ${METER} corrected by 0.000 kW from the next step; drift starts again`,
    );
    await expect
      .poll(() => page.locator('[data-pin="home-4/load"]').textContent())
      .toMatch(/bias applied 0\.0 kW/);
    expect(errors).toEqual([]);
  });

  it('never had the hub publish to its /set topics (control not granted)', () => {
    expect(setCommands).toEqual([]);
  });
});
