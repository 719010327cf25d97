/**
 * Each board's measured device–hub link through a real hub with its demo boards (real device agents) and the
 * live dashboard in headless Chromium: every online board shows a round-trip time, and pv-2, whose answers the
 * table map's `links:` shaper drops (loss 1), shows 100 % loss. A stray board's answers with an unknown
 * sequence number or no JSON are counted and ignored; it may not answer for another board.
 */
import { appendFileSync } from 'node:fs';
import mqtt, { type MqttClient } from 'mqtt';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BoardLinks, BoardLinksSchema, type SecurityEvent } from '../../../protocol/gridflex.js';
import { addDevice, type HubProcess, startHub, writeTestMap } from '../live/hub-process.js';
import { connectClient, nextMessage, subscribe, tempDir } from '../mqtt-helpers.js';
import { collectPageErrors, launchChromium, saveScreenshot } from './browser.js';

const data = tempDir('gridflex-board-links-');
const DROPPED = 'pv-2';
const STRAY = 'stray-1';
let hub: HubProcess;
let browser: Browser;
let viewer: MqttClient;
let stray: MqttClient;
let strayPassword: string;

const linksOf = (payload: Buffer) => BoardLinksSchema.parse(JSON.parse(payload.toString()));

/** The first figures where the dropped board has lost pings and every other board has answered one. */
function measured(links: BoardLinks): boolean {
  const dropped = links.boards.find((board) => board.deviceId === DROPPED);
  const others = links.boards.filter((board) => board.deviceId !== DROPPED);
  return dropped?.lossPct === 100 && others.length > 0 && others.every((board) => board.lastRttMs !== null);
}

beforeAll(async () => {
  const map = writeTestMap(data.dir);
  appendFileSync(map, `\nlinks:\n  devices:\n    ${DROPPED}: { loss: 1 }\n`);
  strayPassword = addDevice(data.dir, STRAY, 'pv', 'plot-7', 'mqtt://127.0.0.1:1', [
    '--scenario',
    map,
  ]).password;
  hub = await startHub(['--scenario', map, '--data-dir', data.dir, '--step-ms', '100', '--demo']);
  viewer = await connectClient(hub.mqttUrl, { clientId: 'links-viewer' });
  await subscribe(viewer, 'gridflex/v1/#');
  stray = await mqtt.connectAsync(hub.mqttUrl, { clientId: STRAY, username: STRAY, password: strayPassword });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  stray?.end(true);
  viewer?.end(true);
  await hub?.stop();
  data.remove();
});

describe('each board’s round-trip time and loss', () => {
  it('the board table shows an RTT for each online board and 100 % loss for the board whose answers are dropped', async () => {
    const figures = linksOf(
      (
        await nextMessage(
          viewer,
          (topic) => topic === 'gridflex/v1/links/boards',
          (p) => measured(linksOf(p)),
        )
      ).payload,
    );
    const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    const errors = collectPageErrors(page);
    await page.goto(hub.httpUrl);
    const row = (board: string) => page.locator(`tr[data-device="${board}"]`);
    await row(DROPPED).locator('td[data-loss-pct="100"]').waitFor();
    for (const board of figures.boards.filter((each) => each.deviceId !== DROPPED)) {
      const rtt = row(board.deviceId).locator('td[data-rtt-ms]:not([data-rtt-ms=""])');
      await rtt.waitFor();
      expect(await rtt.textContent()).toMatch(/^RTT \d+(\.\d)? ms$/);
      expect(await row(board.deviceId).locator('td[data-loss-pct]').getAttribute('data-loss-pct')).not.toBe(
        '100',
      );
    }
    expect(await row(DROPPED).locator('td[data-rtt-ms]').textContent()).toBe('RTT —');
    await saveScreenshot(page, 'board-links');
    expect(errors).toEqual([]);
    const state = (await (await fetch(`${hub.httpUrl}/api/state`)).json()) as { boardLinks?: unknown };
    const api = BoardLinksSchema.parse(state.boardLinks);
    expect(api.boards.find((board) => board.deviceId === DROPPED)?.lossPct).toBe(100);
  }, 90_000);

  it('counts and ignores answers with an unknown sequence number or no JSON, and a board answers only for itself', async () => {
    const denied = nextMessage(
      viewer,
      (topic) => topic === 'gridflex/v1/hub/security',
      (payload) => (JSON.parse(payload.toString()) as SecurityEvent).topic === 'gridflex/v1/links/pong/pv-1',
    );
    await stray.publishAsync(`gridflex/v1/links/pong/${STRAY}`, JSON.stringify({ seq: 123_456_789 }));
    await stray.publishAsync(`gridflex/v1/links/pong/${STRAY}`, 'not json');
    await stray.publishAsync('gridflex/v1/links/pong/pv-1', JSON.stringify({ seq: 0 }));
    expect(JSON.parse((await denied).payload.toString())).toMatchObject({ kind: 'denied-publish' });
    const counted = await nextMessage(
      viewer,
      (topic) => topic === 'gridflex/v1/links/boards',
      (payload) => {
        const links = linksOf(payload);
        return links.unknownAnswers >= 1 && links.invalidAnswers >= 1;
      },
    );
    expect(linksOf(counted.payload).boards.some((board) => board.deviceId === STRAY)).toBe(false);
  }, 60_000);
});
