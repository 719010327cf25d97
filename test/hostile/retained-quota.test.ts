/**
 * A board cannot fill the hub's broker with retained messages (issue 21): each identity holds at most its
 * quota of retained topics and bytes; the publish over it is refused (the board disconnected), logged once a
 * minute, and a new subscriber gets only what was within the quota.
 */
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDevice, type HubProcess, startHub } from '../hub/live/hub-process.js';
import { closed, connectClient, nextMessage, subscribe, tempDir } from '../hub/mqtt-helpers.js';

const data = tempDir('gridflex-hostile-retained-');
let hub: HubProcess;
const passwords: Record<string, string> = {};
const clients: MqttClient[] = [];

beforeAll(async () => {
  // The count from the flag; the bytes from the default (256 KiB).
  hub = await startHub(['--data-dir', data.dir, '--retained-max-topics', '20']);
  for (const id of ['hoarder', 'big-hoarder', 'neighbour']) {
    passwords[id] = addDevice(data.dir, id, 'pv', 'plot-1', hub.mqttUrl).password;
  }
}, 60_000);

afterAll(async () => {
  for (const client of clients) client.end(true);
  await hub?.stop();
  data.remove();
});

async function board(id: string): Promise<MqttClient> {
  const client = await connectClient(hub.mqttUrl, { clientId: id, username: id, password: passwords[id] });
  clients.push(client);
  return client;
}

/** Retains `count` messages of `bytes` on topics of its own tree the hub does not read. */
async function hoard(client: MqttClient, id: string, count: number, bytes: number, from = 0): Promise<void> {
  for (let index = from; index < from + count; index++) {
    await client.publishAsync(`homie/5/${id}/$junk/n${index}`, Buffer.alloc(bytes, 'x'), {
      qos: 1,
      retain: true,
    });
  }
}

/**
 * The retained messages a new subscriber to `filter` receives: once `expected` have come, a round trip on
 * another topic makes sure no more were on their way.
 */
async function retainedFor(filter: string, expected: number): Promise<string[]> {
  const viewer = await connectClient(hub.mqttUrl, { clientId: `viewer-${filter.length}` });
  clients.push(viewer);
  const got: string[] = [];
  const enough = new Promise<void>((done) =>
    viewer.on('message', (topic, _payload, packet) => {
      if (packet.retain && topic.startsWith(filter.replace('#', ''))) got.push(topic);
      if (got.length === expected) done();
    }),
  );
  await subscribe(viewer, filter);
  await enough;
  const marker = await board('neighbour');
  await subscribe(viewer, 'homie/5/neighbour/$junk/marker');
  const seen = nextMessage(viewer, (topic) => topic === 'homie/5/neighbour/$junk/marker');
  await marker.publishAsync('homie/5/neighbour/$junk/marker', 'sent after', { qos: 1 });
  await seen;
  marker.end(true);
  return got.sort();
}

describe('retained quota per device', () => {
  it('refuses the retained topic over the count, logs it once a minute, and keeps the first ones', async () => {
    const first = await board('hoarder');
    await hoard(first, 'hoarder', 20, 10);
    const gone = closed(first);
    first.publish('homie/5/hoarder/$junk/n20', 'x', { qos: 1, retain: true });
    await gone;
    const again = await board('hoarder');
    const goneAgain = closed(again);
    again.publish('homie/5/hoarder/$junk/n21', 'x', { qos: 1, retain: true });
    await goneAgain;
    const refusals = hub.log.filter((line) => /denied-publish: hoarder .*retained quota/.test(line));
    expect(refusals).toHaveLength(1);
    expect(refusals[0]).toMatch(/over its retained quota \(20 topics, 262144 bytes; it holds 20 topics/);
    // Replacing one of its own topics, or clearing one, is still fine.
    const later = await board('hoarder');
    await hoard(later, 'hoarder', 1, 10, 3);
    await later.publishAsync('homie/5/hoarder/$junk/n4', '', { qos: 1, retain: true });
    expect(await retainedFor('homie/5/hoarder/#', 19)).toHaveLength(19);
  });

  it('refuses retained bytes over 256 KiB by default: a subscriber gets at most that', async () => {
    const client = await board('big-hoarder');
    const gone = closed(client);
    // Five of 60 KB: the fifth is over 256 KiB.
    await hoard(client, 'big-hoarder', 4, 60_000);
    client.publish('homie/5/big-hoarder/$junk/n4', Buffer.alloc(60_000, 'x'), { qos: 1, retain: true });
    await gone;
    expect(await retainedFor('homie/5/big-hoarder/#', 4)).toEqual(
      [0, 1, 2, 3].map((n) => `homie/5/big-hoarder/$junk/n${n}`),
    );
    expect(await hub.logLine(/denied-publish: big-hoarder .*retained quota/)).toMatch(/262144 bytes/);
  });
});
