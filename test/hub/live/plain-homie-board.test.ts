/**
 * A board written here as a plain Homie 5 publisher with mqtt.js (no GridFlex code: its topics and payloads
 * are spelled out as the convention writes them) on a real hub: the hub reads it, and when it sends readings
 * that break its own `$description` (issue 21: 1e6 kW, ±1e308, text) the street's power flow runs on with the
 * last good value, the other homes are untouched, and the board shows as faulty, on the wire and in the
 * dashboard (a real headless Chromium).
 */
import mqtt, { type MqttClient } from 'mqtt';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FeederSummary, Home, TableAsset, TableMap } from '../../../protocol/gridflex.js';
import { collectPageErrors, launchChromium } from '../dashboard/browser.js';
import { connectClient, nextMessage, subscribe, tempDir } from '../mqtt-helpers.js';
import { addDevice, type HubProcess, startHub, writeTestMap } from './hub-process.js';

const data = tempDir('gridflex-plain-homie-');
const BOARD = 'sun-6';
let hub: HubProcess;
let viewer: MqttClient;
let board: MqttClient;
let browser: Browser | undefined;

/** The board's retained announcement, as Homie 5 writes it: `$state`, `$description`, values, `$state`. */
async function announce(client: MqttClient): Promise<void> {
  const publish = (path: string, payload: string) =>
    client.publishAsync(`homie/5/${BOARD}/${path}`, payload, { qos: 1, retain: true });
  await publish('$state', 'init');
  const description = {
    homie: '5.0',
    version: 7,
    name: 'Solar roof on plot 6',
    nodes: {
      roof: {
        name: 'Roof PV',
        type: 'gridflex-pv',
        properties: { 'power-kw': { datatype: 'float', unit: 'kW', format: '-4:0' } },
      },
      where: { type: 'gridflex-plot', properties: { 'plot-id': { datatype: 'string' } } },
    },
  };
  await publish('$description', JSON.stringify(description));
  await publish('where/plot-id', 'plot-6');
  await publish('roof/power-kw', '-2.5');
  await publish('$state', 'ready');
}

const reading = (payload: string) =>
  board.publishAsync(`homie/5/${BOARD}/roof/power-kw`, payload, { qos: 1, retain: true });

/** The board's asset on the next table map that `accept` takes. */
async function boardAsset(accept: (asset: TableAsset) => boolean): Promise<TableAsset> {
  const assetOf = (payload: Buffer) =>
    (JSON.parse(payload.toString()) as TableMap).assets.find((asset) => asset.asset === BOARD);
  const map = await nextMessage(
    viewer,
    (topic) => topic === 'gridflex/v1/table/map',
    (payload) => {
      const asset = assetOf(payload);
      return asset !== undefined && accept(asset);
    },
  );
  return assetOf(map.payload) as TableAsset;
}

/** The next `count` feeder summaries, in order. */
async function nextSummaries(count: number): Promise<FeederSummary[]> {
  const summaries: FeederSummary[] = [];
  while (summaries.length < count) {
    const message = await nextMessage(viewer, (topic) => topic === 'gridflex/v1/feeder/summary');
    summaries.push(JSON.parse(message.payload.toString()) as FeederSummary);
  }
  return summaries;
}

const nextHome = async (homeId: string) =>
  JSON.parse(
    (await nextMessage(viewer, (topic) => topic === `gridflex/v1/homes/${homeId}`)).payload.toString(),
  ) as Home;

beforeAll(async () => {
  const map = writeTestMap(data.dir);
  const { password } = addDevice(data.dir, BOARD, 'pv', 'plot-6', 'mqtt://127.0.0.1:1', ['--scenario', map]);
  hub = await startHub(['--scenario', map, '--data-dir', data.dir, '--step-ms', '40']);
  viewer = await connectClient(hub.mqttUrl, { clientId: 'plain-viewer' });
  await subscribe(viewer, 'gridflex/v1/#');
  board = await mqtt.connectAsync(hub.mqttUrl, {
    protocolVersion: 4,
    clientId: BOARD,
    username: BOARD,
    password,
    will: { topic: `homie/5/${BOARD}/$state`, payload: Buffer.from('lost'), qos: 1, retain: true },
  });
});

afterAll(async () => {
  await browser?.close();
  board?.end(true);
  viewer?.end(true);
  await hub?.stop();
  data.remove();
});

describe('a board written with plain mqtt.js, as Homie 5 writes it', () => {
  it('is read by the hub: its PV is placed on the plot it reports, online, at the power it reports', async () => {
    const placed = boardAsset((asset) => asset.online && asset.pKw === -2.5);
    await announce(board);
    expect(await placed).toEqual({ asset: BOARD, kind: 'pv', plot: 'plot-6', online: true, pKw: -2.5 });
  });

  it('readings outside its $format or not numbers are refused: the flow runs on, other homes untouched, the board faulty', async () => {
    const homeBefore = await nextHome('home-3');
    const faulty = boardAsset((asset) => asset.fault !== undefined);
    for (const bad of ['1e6', '1e308', '-1e308', 'abc', 'NaN', '{"value":-1}']) await reading(bad);
    const asset = await faulty;
    expect(asset).toMatchObject({ pKw: -2.5, online: true, plot: 'plot-6' });
    // The flow keeps solving, step after step, with the board's last good power (a clock of 40 ms a step sends
    // the feeder paced, at most every 100 ms of wall time: the steps seen go up, not one by one).
    const summaries = await nextSummaries(5);
    expect(summaries.every((summary) => summary.converged)).toBe(true);
    const steps = summaries.map((summary) => summary.step);
    expect(steps.every((step, index) => index === 0 || step > (steps[index - 1] as number))).toBe(true);
    const homeAfter = await nextHome('home-3');
    expect(homeAfter.plot).toBe(homeBefore.plot);
    expect(Number.isFinite(homeAfter.netPKw)).toBe(true);
    const pvHome = await nextHome('home-6');
    expect(Number.isFinite(pvHome.netPKw)).toBe(true);
    // Six bad readings in a row: logged once for the board (at most once a minute), naming what and why.
    const refusals = hub.log.filter((line) => line.includes(`${BOARD}/roof/power-kw`));
    expect(refusals).toHaveLength(1);
    expect(refusals[0]).toMatch(
      /roof\/power-kw: 1e6 is outside -4:0 \(reading refused; the last good value stands\)/,
    );
    expect(hub.process.exitCode).toBeNull();
  });

  it('shows as faulty on the dashboard, with why, until a good reading comes', async () => {
    browser = await launchChromium();
    const page = await browser.newPage();
    const errors = collectPageErrors(page);
    await page.goto(hub.httpUrl);
    const row = page.locator(`[data-device="${BOARD}"] td[data-fault]`);
    await row.waitFor();
    expect(await row.textContent()).toContain('faulty');
    expect(await row.getAttribute('data-fault')).toMatch(/^roof\/power-kw: /);
    await page.locator(`.asset-badge.faulty[data-asset="${BOARD}"]`).waitFor();

    const recovered = boardAsset((asset) => asset.fault === undefined && asset.pKw === -3);
    await reading('-3');
    await recovered;
    await page.locator(`[data-device="${BOARD}"]:not(:has(td[data-fault]))`).waitFor();
    expect(errors).toEqual([]);
  });
});
