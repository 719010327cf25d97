import { type ChildProcess, spawn } from 'node:child_process';
import { renameSync } from 'node:fs';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FeedEvent, TableMap } from '../../../protocol/gridflex.js';
import { homieTopics, ReadingRecordSchema } from '../../../protocol/homie.js';
import { connectClient, nextMessage, subscribe, tempDir } from '../mqtt-helpers.js';
import {
  addDevice,
  DEVICE_CLI,
  freePort,
  type HubProcess,
  patchConfig,
  startHub,
  writeTestMap,
} from './hub-process.js';

const data = tempDir('gridflex-lifecycle-');
let port: number;
let map: string;
let hub: HubProcess;
let configFile: string;
let agent: ChildProcess | undefined;
let observer: MqttClient;
/** Every `$state` value the observer saw, in order. */
const states: string[] = [];
/** Sequence numbers of every reading the observer saw from the board (its `$readings`), in arrival order. */
const arrivals: number[] = [];
const seqs = new Set<number>();

const hubFlags = () => [
  '--scenario',
  map,
  '--data-dir',
  data.dir,
  '--mqtt-port',
  String(port),
  '--step-ms',
  '50',
];

function startAgent(): ChildProcess {
  return spawn(process.execPath, [DEVICE_CLI, '--config', configFile, '--log-level', 'warn'], {
    stdio: 'ignore',
  });
}

async function observe(): Promise<MqttClient> {
  const client = await connectClient(`mqtt://127.0.0.1:${port}`, { clientId: `observer-${Date.now()}` });
  client.on('message', (topic, payload) => {
    if (topic === 'homie/5/pv-9/$state') states.push(payload.toString());
    else if (topic === homieTopics.readings('pv-9')) {
      const { seq } = ReadingRecordSchema.parse(JSON.parse(payload.toString()));
      arrivals.push(seq);
      seqs.add(seq);
    }
  });
  await subscribe(client, 'homie/5/pv-9/#');
  return client;
}

/** Resolves once `$state` has gone through `expected` (in order) since `from`. */
async function stateSequence(from: number, expected: string[]): Promise<void> {
  const reached = () => {
    let index = 0;
    for (const state of states.slice(from)) if (state === expected[index]) index++;
    return index >= expected.length;
  };
  while (!reached()) await nextMessage(observer, (topic) => topic === 'homie/5/pv-9/$state');
}

const tableShows = (online: boolean) =>
  nextMessage(
    observer,
    (topic) => topic === 'gridflex/v1/table/map',
    (payload) =>
      (JSON.parse(payload.toString()) as TableMap).assets.some(
        (asset) => asset.asset === 'pv-9' && asset.online === online,
      ),
  );

beforeAll(async () => {
  port = await freePort();
  map = writeTestMap(data.dir);
  configFile = addDevice(data.dir, 'pv-9', 'pv', 'plot-8', `mqtt://127.0.0.1:${port}`, [
    '--scenario',
    map,
  ]).file;
  patchConfig(configFile, { telemetryIntervalMs: 50, reconnect: { initialMs: 50, maxMs: 200 } });
  hub = await startHub(hubFlags());
  observer = await observe();
  await subscribe(observer, 'gridflex/v1/table/map');
  await subscribe(observer, 'gridflex/v1/events');
});

afterAll(async () => {
  agent?.kill('SIGKILL');
  observer?.end(true);
  await hub?.stop();
  data.remove();
});

describe('a real device agent on the hub', () => {
  it('goes init → ready, is lost on kill -9, and ready again on restart; the table follows', async () => {
    const onTable = tableShows(true);
    agent = startAgent();
    await stateSequence(0, ['init', 'ready']);
    const map = JSON.parse((await onTable).payload.toString()) as TableMap;
    expect(map.assets.find((asset) => asset.asset === 'pv-9')).toMatchObject({
      kind: 'pv',
      plot: 'plot-8',
      online: true,
    });

    const offTable = tableShows(false);
    const lostEvent = nextMessage(
      observer,
      (topic) => topic === 'gridflex/v1/events',
      (payload) => (JSON.parse(payload.toString()) as FeedEvent).kind === 'device-offline',
    );
    const killedAt = states.length;
    agent.kill('SIGKILL');
    await stateSequence(killedAt, ['lost']);
    await offTable;
    expect(JSON.parse((await lostEvent).payload.toString())).toMatchObject({
      severity: 'warning',
      message: 'board pv-9 lost its connection',
    });

    const onlineEvent = nextMessage(
      observer,
      (topic) => topic === 'gridflex/v1/events',
      (payload) => (JSON.parse(payload.toString()) as FeedEvent).kind === 'device-online',
    );
    const restartedAt = states.length;
    agent = startAgent();
    await stateSequence(restartedAt, ['init', 'ready']);
    expect(JSON.parse((await onlineEvent).payload.toString())).toMatchObject({
      message: 'board pv-9 is online',
    });
  });

  it('keeps readings through a hub (broker) restart and delivers every one afterwards', async () => {
    const firstSeq = Math.min(...seqs);
    // Stop the hub; while it is down the board queues its readings.
    expect(await hub.stop()).toBe(0);
    observer.end(true);
    // Restart it with the board's credentials set aside, so the observer is subscribed before the board
    // gets back in (the hub reads the credentials file again when an unknown user tries to connect).
    const credentials = join(data.dir, 'credentials.json');
    renameSync(credentials, `${credentials}.aside`);
    hub = await startHub(hubFlags());
    observer = await observe();
    await hub.logLine(/refused-connection: pv-9/);
    const back = states.length;
    renameSync(`${credentials}.aside`, credentials);
    await stateSequence(back, ['init', 'ready']);
    // The board reports its queue drained once the backlog is out.
    await nextMessage(
      observer,
      (topic) => topic === 'homie/5/pv-9/agent/queued-readings',
      (payload) => payload.toString() === '0',
    );
    const lastSeq = Math.max(...seqs);
    const missing: number[] = [];
    for (let seq = firstSeq; seq <= lastSeq; seq++) if (!seqs.has(seq)) missing.push(seq);
    expect(missing).toEqual([]);
    expect(lastSeq - firstSeq).toBeGreaterThan(20);
    // In order: each reading first arrives after every reading taken before it (QoS 1 may repeat one).
    const firstArrivals = arrivals.filter((seq, index) => arrivals.indexOf(seq) === index);
    expect(firstArrivals).toEqual([...firstArrivals].sort((a, b) => a - b));
  });
});
