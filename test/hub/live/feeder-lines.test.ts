import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FeederLines, FeederLinesSchema } from '../../../protocol/gridflex.js';
import { connectClient, nextMessage, subscribe, tempDir } from '../mqtt-helpers.js';
import { FakePad } from './fake-pad.js';
import { addDevice, type HubProcess, startHub, writeTestMap } from './hub-process.js';

const data = tempDir('gridflex-lines-');
let hub: HubProcess;
let viewer: MqttClient;
let padSecret = '';

beforeAll(async () => {
  const map = writeTestMap(data.dir);
  padSecret = addDevice(data.dir, 'pad-7', 'ev-pad', 'plot-7', 'mqtt://127.0.0.1:1', [
    '--scenario',
    map,
  ]).password;
  hub = await startHub(['--scenario', map, '--data-dir', data.dir, '--step-ms', '40']);
  viewer = await connectClient(hub.mqttUrl, { clientId: 'lines-viewer' });
  await subscribe(viewer, 'gridflex/v1/#');
});

afterAll(async () => {
  viewer?.end(true);
  await hub?.stop();
  data.remove();
});

const nextLines = (accept: (lines: FeederLines) => boolean) =>
  nextMessage(
    viewer,
    (topic) => topic === 'gridflex/v1/feeder/lines',
    (payload) => accept(FeederLinesSchema.parse(JSON.parse(payload.toString()))),
  ).then((message) => FeederLinesSchema.parse(JSON.parse(message.payload.toString())));

const line = (lines: FeederLines, name: string) => {
  const found = lines.lines.find((entry) => entry.line === name);
  if (!found) throw new Error(`no ${name} in feeder/lines`);
  return found;
};

describe('gridflex/v1/feeder/lines', () => {
  it('carries every line with its loading, which rises along the path to an EV placed downstream', async () => {
    const layout = (await (await fetch(`${hub.httpUrl}/api/feeder`)).json()) as {
      lines: { line: string; ampacityAmps: number | null }[];
    };
    const before = await nextLines(() => true);
    expect(before.lines.map((entry) => entry.line)).toEqual(layout.lines.map((entry) => entry.line));
    for (const entry of before.lines) {
      // Every table-street line is rated; the homes' evening load stays well inside the ratings.
      expect(entry.loadingPct).not.toBeNull();
      expect(entry.loadingPct ?? Number.NaN).toBeLessThan(100);
      const rating = layout.lines.find((rated) => rated.line === entry.line)?.ampacityAmps ?? Number.NaN;
      expect(entry.loadingPct ?? Number.NaN).toBeCloseTo((entry.currentAmps / rating) * 100, 0);
    }
    // The main (LINE1) carries the whole street; a service cable only its home.
    expect(line(before, 'LINE1').currentAmps).toBeGreaterThan(line(before, 'LINE17').currentAmps);

    // ev-2 arrives on plot-7 (bus 17, phase A): its 7 kW (about 30 A) flows through LINE1…LINE4 and LINE17.
    const pad = await FakePad.connect(hub.mqttUrl, 'pad-7', padSecret, 'plot-7');
    try {
      await pad.holds('ev-2');
      const after = await nextLines(
        (lines) => line(lines, 'LINE17').currentAmps > line(before, 'LINE17').currentAmps + 25,
      );
      expect(line(after, 'LINE17').loadingPct ?? 0).toBeGreaterThan(
        (line(before, 'LINE17').loadingPct ?? 0) + 20,
      );
      expect(line(after, 'LINE4').currentAmps).toBeGreaterThan(line(before, 'LINE4').currentAmps + 15);
      // A neighbour's service cable on the other side of the street does not carry it.
      expect(Math.abs(line(after, 'LINE11').currentAmps - line(before, 'LINE11').currentAmps)).toBeLessThan(
        5,
      );
    } finally {
      pad.client.end(true);
    }
  });
});
