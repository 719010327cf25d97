import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { TableMap } from '../../protocol/gridflex.js';

/** A fresh temporary directory, removed by the returned function. */
export function tempDir(prefix: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Connects an MQTT 3.1.1 client and resolves once the broker accepted it; rejects with the refusal. */
export function connectClient(url: string, options: IClientOptions = {}): Promise<MqttClient> {
  return new Promise((resolve, reject) => {
    const client = mqtt.connect(url, {
      protocolVersion: 4,
      reconnectPeriod: 0,
      connectTimeout: 10_000,
      ...options,
    });
    client.once('connect', () => resolve(client));
    client.once('error', (error) => {
      client.end(true);
      reject(error);
    });
  });
}

/** Resolves with the first message on a topic matching `filter` whose payload passes `accept`. */
export function nextMessage(
  client: MqttClient,
  topicTest: (topic: string) => boolean,
  accept: (payload: Buffer) => boolean = () => true,
): Promise<{ topic: string; payload: Buffer; retain: boolean }> {
  return new Promise((resolve) => {
    const onMessage = (topic: string, payload: Buffer, packet: { retain?: boolean }) => {
      if (!topicTest(topic) || !accept(payload)) return;
      client.off('message', onMessage);
      resolve({ topic, payload, retain: packet.retain === true });
    };
    client.on('message', onMessage);
  });
}

/** Resolves when the client's connection closes. */
export function closed(client: MqttClient): Promise<void> {
  return new Promise((resolve) => {
    if (!client.connected) resolve();
    else client.once('close', () => resolve());
  });
}

/** Subscribes and returns the granted QoS (128 when the broker refused the subscription). */
export async function subscribe(client: MqttClient, filter: string, qos: 0 | 1 = 1): Promise<number> {
  try {
    const granted = await client.subscribeAsync(filter, { qos });
    return granted[0]?.qos ?? -1;
  } catch (error) {
    const granted = (error as { packet?: { granted?: (number | { qos: number })[] } }).packet?.granted?.[0];
    if (granted === undefined) throw error;
    return typeof granted === 'number' ? granted : granted.qos;
  }
}

/** Subscribes `viewer` to the hub's whole tree and waits until its table map shows every asset online. */
export async function watchHubUntilAllOnline(viewer: MqttClient): Promise<void> {
  const allOnline = nextMessage(
    viewer,
    (topic) => topic === 'gridflex/v1/table/map',
    (payload) => (JSON.parse(payload.toString()) as TableMap).assets.every((asset) => asset.online),
  );
  await subscribe(viewer, 'gridflex/v1/#');
  await allOnline;
}
