/**
 * Boards and users attacking the hub's embedded broker through a running `gridflex hub` (issue 21): rates per
 * identity across reconnects with a hold-off, a rebooted board taking over its half-open session (and nobody
 * else), and the CONNECT packets MQTT 3.1.1 forbids.
 */
import { connect as connectTcp, type Socket } from 'node:net';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDevice, type HubProcess, startHub } from '../hub/live/hub-process.js';
import { closed, connectClient, tempDir } from '../hub/mqtt-helpers.js';

const data = tempDir('gridflex-hostile-broker-');
let hub: HubProcess;
const passwords: Record<string, string> = {};
const clients: MqttClient[] = [];

beforeAll(async () => {
  // 5 messages/s, burst 50: a flood is a few hundred messages, not tens of thousands.
  hub = await startHub(['--data-dir', data.dir, '--rate-limit', '5']);
  for (const id of ['flood-1', 'flood-2', 'pv-a', 'pv-b']) {
    passwords[id] = addDevice(data.dir, id, 'pv', 'plot-1', hub.mqttUrl).password;
  }
}, 60_000);

afterAll(async () => {
  for (const client of clients) client.end(true);
  await hub?.stop();
  data.remove();
});

async function board(id: string, clientId = id, options: { keepalive?: number } = {}): Promise<MqttClient> {
  const client = await connectClient(hub.mqttUrl, {
    clientId,
    username: id,
    password: passwords[id],
    ...options,
  });
  clients.push(client);
  return client;
}

/** Publishes `count` log lines (a topic whose payload any board may send) without waiting for the broker. */
function flood(client: MqttClient, id: string, count: number): void {
  for (let index = 0; index < count; index++) client.publish(`homie/5/${id}/$log/info`, `line ${index}`);
}

describe('publish rate per identity', () => {
  it('a flooding board is disconnected and held off: reconnecting at once does not refill its rate', async () => {
    const flooder = await board('flood-1');
    const gone = closed(flooder);
    flood(flooder, 'flood-1', 200);
    await gone;
    expect(await hub.logLine(/rate-limited: flood-1 \(flood-1\).*held off for 1 s/)).toMatch(
      /over 5 messages\/s \(burst 50\) for this identity over all its connections/,
    );
    await expect(board('flood-1')).rejects.toThrow(/Server unavailable/);
    expect(await hub.logLine(/rate-limited: flood-1 \(flood-1\).*held off for another \d+ s/)).toBeTruthy();
  });

  it('two connections of one identity share one rate', async () => {
    // Each alone stays within the burst of 50; together they go over it.
    const first = await board('flood-2', 'flood-2-a');
    const second = await board('flood-2', 'flood-2-b');
    const eitherGone = Promise.race([closed(first), closed(second)]);
    flood(first, 'flood-2', 40);
    flood(second, 'flood-2', 40);
    await eitherGone;
    expect(await hub.logLine(/rate-limited: flood-2-[ab] \(flood-2\)/)).toMatch(/held off/);
  });
});

describe('sessions', () => {
  it('a rebooted board takes over its half-open session at once; another identity cannot', async () => {
    // The old connection never says goodbye (a board that lost power): its socket stays open on the hub.
    const old = await board('pv-a', 'pv-a-board', { keepalive: 0 });
    const oldGone = closed(old);
    const rebooted = await board('pv-a', 'pv-a-board');
    await oldGone;
    expect(rebooted.connected).toBe(true);
    await expect(board('pv-b', 'pv-a-board')).rejects.toThrow(/Identifier rejected/);
    await expect(connectClient(hub.mqttUrl, { clientId: 'pv-a-board' })).rejects.toThrow(
      /Identifier rejected/,
    );
    expect(rebooted.connected).toBe(true);
    expect(await hub.logLine(/duplicate-client-id: pv-a-board \(pv-b\)/)).toMatch(/another identity/);
  });
});

/** A raw MQTT 3.1.1 CONNECT (mqtt.js refuses to send the forbidden ones). */
function connectPacket(clientId: string, clean: boolean, will?: { topic: string; qos: number }): Buffer {
  const string = (text: string) => {
    const bytes = Buffer.from(text);
    return Buffer.concat([Buffer.from([bytes.length >> 8, bytes.length & 0xff]), bytes]);
  };
  const flags = (clean ? 0x02 : 0) | (will ? 0x04 | (will.qos << 3) : 0);
  const body = Buffer.concat([
    string('MQTT'),
    Buffer.from([4, flags, 0, 60]),
    string(clientId),
    ...(will ? [string(will.topic), string('gone')] : []),
  ]);
  return Buffer.concat([Buffer.from([0x10, body.length]), body]);
}

/** Sends a CONNECT and resolves with every byte the broker sent back before it closed the socket. */
function answerTo(packet: Buffer): Promise<Buffer> {
  const { port } = new URL(hub.mqttUrl);
  return new Promise((resolve, reject) => {
    const socket: Socket = connectTcp(Number(port), '127.0.0.1', () => socket.write(packet));
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks)));
  });
}

describe('CONNECT packets MQTT forbids', () => {
  it('an empty client ID with clean session 0 gets "Identifier rejected" (MQTT 3.1.3-8)', async () => {
    // CONNACK, remaining length 2, no session present, return code 2.
    expect([...(await answerTo(connectPacket('', false)))]).toEqual([0x20, 2, 0, 2]);
    expect(await hub.logLine(/empty client ID with clean session 0/)).toMatch(/refused-connection/);
  });

  it('a will with QoS 3 is closed without a CONNACK (MQTT 3.1.2-14, 3.1.4-1)', async () => {
    expect(
      (await answerTo(connectPacket('will-3', true, { topic: 'homie/5/x/$state', qos: 3 }))).length,
    ).toBe(0);
    expect(await hub.logLine(/will QoS 3/)).toMatch(/refused-connection: will-3/);
  });
});
