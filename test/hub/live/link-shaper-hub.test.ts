/**
 * The table map's `links:` section on a real hub: a board whose device–hub link loses every reading is
 * online (its `$state` passes) but the table never sees its power, while a board beside it is read as usual.
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TableAsset, TableMap } from '../../../protocol/gridflex.js';
import { connectClient, nextMessage, subscribe, tempDir } from '../mqtt-helpers.js';
import { addDevice, CLI, type HubProcess, startHub, writeTestMap } from './hub-process.js';
import { announcePlainPv, type PlainPvBoard } from './plain-pv-board.js';

const data = tempDir('gridflex-link-shaper-');
const boards = {
  lossy: { id: 'sun-6', plot: 'plot-6', kw: '-2.5' },
  clear: { id: 'sun-4', plot: 'plot-4', kw: '-1.5' },
};
let hub: HubProcess;
let viewer: MqttClient;
const clients: MqttClient[] = [];

/** A plain Homie 5 PV board's retained announcement with one reading. */
async function announce(board: PlainPvBoard, password: string): Promise<void> {
  clients.push(await announcePlainPv(hub.mqttUrl, board, password));
}

beforeAll(async () => {
  const map = writeTestMap(data.dir);
  appendFileSync(map, `\nlinks:\n  devices:\n    ${boards.lossy.id}: { loss: 1 }\n`);
  const passwords = Object.values(boards).map(
    (board) =>
      addDevice(data.dir, board.id, 'pv', board.plot, 'mqtt://127.0.0.1:1', ['--scenario', map]).password,
  );
  hub = await startHub(['--scenario', map, '--data-dir', data.dir, '--step-ms', '40']);
  viewer = await connectClient(hub.mqttUrl, { clientId: 'shaper-viewer' });
  await subscribe(viewer, 'gridflex/v1/table/map');
  // The lossy board first: had its readings come through, they would be in before the clear board's.
  await announce(boards.lossy, passwords[0] as string);
  await announce(boards.clear, passwords[1] as string);
});

afterAll(async () => {
  for (const client of clients) client.end(true);
  viewer?.end(true);
  await hub?.stop();
  data.remove();
});

describe('the live device–hub link shaper', () => {
  it('a board whose link loses everything is online but its power never reaches the table', async () => {
    const assets = (payload: Buffer) => (JSON.parse(payload.toString()) as TableMap).assets;
    const map = await nextMessage(
      viewer,
      (topic) => topic === 'gridflex/v1/table/map',
      (payload) => assets(payload).some((asset) => asset.asset === boards.clear.id && asset.pKw === -1.5),
    );
    const lossy = assets(map.payload).find((asset) => asset.asset === boards.lossy.id) as TableAsset;
    expect(lossy.online).toBe(true);
    expect(lossy.pKw).not.toBe(-2.5);
  });

  it('refuses a bad links section naming the field', () => {
    const bad = join(data.dir, 'bad-map.yaml');
    writeFileSync(bad, `${readFileSync(writeTestMap(data.dir), 'utf8')}\nlinks:\n  deviceHub: { loss: 2 }\n`);
    const result = spawnSync('node', [CLI, 'hub', '--scenario', bad, '--data-dir', join(data.dir, 'bad')], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('links.deviceHub.loss');
  });
});
