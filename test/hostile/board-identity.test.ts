/**
 * A board acts only on what it owns (issue 21). Before: an EV pad's `ev-id` was taken as is, so a pad that
 * read `pv-1` moved another asset onto its plot and, lifting it, took it offline; every invented ID became
 * a new EV on the table (3,000 of them, 3,000 assets); and a multi-node board could name its node so that
 * its asset ID was another board's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TableMap } from '../../protocol/gridflex.js';
import { formatHomieValue, gridflexNodeType, homieTopics } from '../../protocol/homie.js';
import { FakePad } from '../hub/live/fake-pad.js';
import { addDevice, type HubProcess, startHub, writeTestMap } from '../hub/live/hub-process.js';
import { connectClient, tempDir } from '../hub/mqtt-helpers.js';

const data = tempDir('gridflex-hostile-identity-');
const INVENTED_IDS = 3000;
let hub: HubProcess;
let pad: FakePad;

async function table(): Promise<TableMap> {
  return ((await (await fetch(`${hub.httpUrl}/api/state`)).json()) as { table: TableMap }).table;
}

const assetOf = async (assetId: string) => (await table()).assets.find((asset) => asset.asset === assetId);

beforeAll(async () => {
  const map = writeTestMap(data.dir);
  // A publish rate far above the flood's, so the broker's own limit does not hide what the hub does with it.
  hub = await startHub(['--scenario', map, '--data-dir', data.dir, '--rate-limit', '1000000']);
  const { password } = addDevice(data.dir, 'pad-7', 'ev-pad', 'plot-7', hub.mqttUrl);
  pad = await FakePad.connect(hub.mqttUrl, 'pad-7', password, 'plot-7');
});

afterAll(async () => {
  pad?.client.end(true);
  await hub?.stop();
  data.remove();
});

/** The pad reads a real EV of the map; once it is on the pad, every reading sent before it was handled. */
async function settleWith(evId: string): Promise<void> {
  await pad.holds(evId);
  await expect.poll(async () => (await assetOf(evId))?.plot, { timeout: 20_000 }).toBe('plot-7');
}

describe("an EV pad naming another board's asset", () => {
  it('neither moves it nor takes it offline, and is reported', async () => {
    const before = { pv: await assetOf('pv-1'), heatPump: await assetOf('heat-pump-1') };
    expect(before.pv?.plot).toBe('plot-1');
    for (const victim of ['pv-1', 'heat-pump-1']) {
      await pad.holds(victim);
      await pad.holds(null);
    }
    await settleWith('ev-1');
    expect(await assetOf('pv-1')).toEqual(before.pv);
    expect(await assetOf('heat-pump-1')).toEqual(before.heatPump);
    await hub.logLine(
      /pad-7: its pad reads "pv-1", not an EV of the table map \(by ev-id or nfcTag\): not placed/,
    );
  });

  it('still places the EVs of the map, by ID and by tag', async () => {
    await pad.holds(null);
    await pad.value('tag-uid', '04A1B2C3D4E504'); // ev-2's sticker
    await pad.holds(''); // present, no ev-id: the tag names it
    await pad.value('present', true);
    await expect.poll(async () => (await assetOf('ev-2'))?.plot, { timeout: 20_000 }).toBe('plot-7');
    await pad.value('tag-uid', '');
  });
});

describe('an EV pad reading invented IDs', () => {
  it(`adds none of ${INVENTED_IDS} to the table and reports only the first few`, async () => {
    const assetsBefore = (await table()).assets.length;
    await pad.value('present', true);
    for (let index = 0; index < INVENTED_IDS; index++) await pad.value('ev-id', `invented-${index}`);
    await settleWith('ev-1');
    const after = await table();
    expect(after.assets).toHaveLength(assetsBefore);
    expect(after.assets.some((asset) => asset.asset.startsWith('invented-'))).toBe(false);
    const reports = hub.log.filter((line) => /pad-7: its pad reads "invented-/.test(line));
    expect(reports.length).toBeGreaterThan(0);
    expect(reports.length).toBeLessThanOrEqual(3);
    expect(reports.at(-1)).toMatch(/further unknown EVs from pad-7 are not logged/);
  }, 120_000);
});

/** Connects as board `deviceId` and announces energy nodes (node ID → kind), ready. */
async function announce(deviceId: string, password: string, nodes: Record<string, string>) {
  const client = await connectClient(hub.mqttUrl, { clientId: deviceId, username: deviceId, password });
  const description = {
    homie: '5.0',
    version: 1,
    nodes: Object.fromEntries(
      Object.entries(nodes).map(([nodeId, kind]) => [
        nodeId,
        { type: gridflexNodeType(kind as 'pv'), properties: { 'power-kw': { datatype: 'float' } } },
      ]),
    ),
  };
  await client.publishAsync(homieTopics.description(deviceId), JSON.stringify(description), {
    qos: 1,
    retain: true,
  });
  await client.publishAsync(homieTopics.state(deviceId), 'ready', { qos: 1, retain: true });
  return client;
}

describe("a board naming its node after another board's asset", () => {
  it('does not take it', async () => {
    const owner = addDevice(data.dir, 'pv-7', 'pv', 'plot-7', hub.mqttUrl);
    const squatter = addDevice(data.dir, 'pv', 'pv', 'plot-8', hub.mqttUrl);
    const first = await announce('pv-7', owner.password, { pv: 'pv' });
    await expect.poll(async () => (await assetOf('pv-7'))?.online, { timeout: 20_000 }).toBe(true);
    // Board "pv" with two PV nodes "7" and "8": its assets would be "pv-7" (taken) and "pv-8".
    const second = await announce('pv', squatter.password, { '7': 'pv', '8': 'pv' });
    await hub.logLine(/pv: pv-7 is another board's asset or an EV: not taken/);
    await second.publishAsync(homieTopics.state('pv'), 'lost', { qos: 1, retain: true });
    await second.publishAsync(homieTopics.property('pv', '7', 'power-kw'), formatHomieValue(-50), { qos: 1 });
    await expect.poll(async () => (await assetOf('pv-8'))?.online, { timeout: 20_000 }).toBe(false);
    // The owner's asset stayed online with its own board.
    expect((await assetOf('pv-7'))?.online).toBe(true);
    first.end(true);
    second.end(true);
  });
});

describe('a board naming its node after an asset whose board has not announced itself', () => {
  it("does not take the map's or a registered board's asset, logs it once, and leaves it to its own board", async () => {
    const squatter = addDevice(data.dir, 'heat-pump', 'heat-pump', 'plot-8', hub.mqttUrl);
    const registered = addDevice(data.dir, 'battery-9', 'battery', 'plot-8', hub.mqttUrl);
    const before = await assetOf('heat-pump-1');
    expect(before?.online).toBe(false);
    // heat-pump-1 is on the map, battery-9 has a login; neither board has said anything yet.
    const claims = { '1': 'heat-pump', '9': 'heat-pump' };
    const board = await announce('heat-pump', squatter.password, claims);
    await expect.poll(async () => (await assetOf('heat-pump-9'))?.online, { timeout: 20_000 }).toBe(true);
    await hub.logLine(/heat-pump: heat-pump-1 is another board's asset or an EV: not taken/);
    expect(await assetOf('heat-pump-1')).toEqual(before);
    // Announced again, with one more node: once that node is on the table, the claim was handled again.
    board.end(true);
    const again = await announce('heat-pump', squatter.password, { ...claims, '8': 'heat-pump' });
    await expect.poll(async () => (await assetOf('heat-pump-8'))?.online, { timeout: 20_000 }).toBe(true);
    expect(hub.log.filter((line) => /heat-pump: heat-pump-1 is another board/.test(line))).toHaveLength(1);
    expect(await assetOf('heat-pump-1')).toEqual(before);
    again.end(true);

    const batterySquatter = addDevice(data.dir, 'battery', 'battery', 'plot-8', hub.mqttUrl);
    const battery = await announce('battery', batterySquatter.password, { '9': 'battery', x: 'battery' });
    await expect.poll(async () => (await assetOf('battery-x'))?.online, { timeout: 20_000 }).toBe(true);
    await hub.logLine(/battery: battery-9 is another board's asset or an EV: not taken/);
    expect(await assetOf('battery-9')).toBeUndefined();
    battery.end(true);

    // Their own boards take them.
    const owner = addDevice(data.dir, 'heat-pump-1', 'heat-pump', 'plot-2', hub.mqttUrl);
    const ownBoard = await announce('heat-pump-1', owner.password, { 'heat-pump': 'heat-pump' });
    const ownBattery = await announce('battery-9', registered.password, { battery: 'battery' });
    await expect.poll(async () => (await assetOf('heat-pump-1'))?.online, { timeout: 20_000 }).toBe(true);
    await expect.poll(async () => (await assetOf('battery-9'))?.online, { timeout: 20_000 }).toBe(true);
    ownBoard.end(true);
    ownBattery.end(true);
  });
});
