/**
 * The embedded broker on two nodes through Redis (issue 18): `gridflex hub --cluster` with the simulation core
 * on node A and `--no-sim` on node B, sharing one data dir (its credentials). A real redis-server on a free
 * loopback port; boards and users are plain MQTT clients logged in as registered identities.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry, Clock } from '../../../protocol/gridflex.js';
import { addDevice, addUser, CLI, type HubProcess, startHub, writeTestMap } from '../live/hub-process.js';
import { connectClient, nextMessage, subscribe, tempDir } from '../mqtt-helpers.js';
import { type RedisServer, startRedisServer } from '../redis-server.js';

const data = tempDir('gridflex-cluster-');
let map: string;
let redis: RedisServer;
let nodeA: HubProcess;
let nodeB: HubProcess;
let nodeC: ChildProcess | undefined;
const secrets: Record<string, string> = {};
const clients: MqttClient[] = [];

beforeAll(async () => {
  map = writeTestMap(data.dir);
  for (const [id, plot] of [
    ['pad-a', 'plot-3'],
    ['pad-b', 'plot-6'],
    ['pad-c', 'plot-4'],
  ] as const) {
    secrets[id] = addDevice(data.dir, id, 'ev-pad', plot, 'mqtt://127.0.0.1:1', ['--scenario', map]).password;
  }
  secrets['table-op'] = addUser(data.dir, 'table-op', 'operator');
  redis = await startRedisServer();
  const node = (id: string, ...flags: string[]) =>
    startHub([
      '--scenario',
      map,
      '--data-dir',
      data.dir,
      '--cluster',
      redis.url,
      '--cluster-node-id',
      id,
      ...flags,
    ]);
  // 5 messages/s, burst 50, per identity: the flood test goes over it with a few hundred messages.
  nodeA = await node('node-a', '--step-ms', '40', '--rate-limit', '5');
  nodeB = await node('node-b', '--no-sim', '--rate-limit', '5');
});

afterAll(async () => {
  for (const client of clients) client.end(true);
  await Promise.all([nodeA?.stop(), nodeB?.stop(), nodeC && stopProcess(nodeC)]);
  await redis?.stop();
  data.remove();
});

/** A client of the test, ended in afterAll. */
async function client(url: string, options: Parameters<typeof connectClient>[1] = {}): Promise<MqttClient> {
  const connected = await connectClient(url, options);
  clients.push(connected);
  return connected;
}

/** A board logged in as its registered identity (its client ID is its username). */
const board = (url: string, id: string, options: Parameters<typeof connectClient>[1] = {}) =>
  client(url, { clientId: id, username: id, password: secrets[id] as string, ...options });

/** SIGTERM, and resolves once it has exited. */
function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  child.kill('SIGTERM');
  return exited;
}

/**
 * Starts a cluster node with the simulation while another holds it; resolves once it says it waits, with its
 * stderr so far and a promise of its "hub ready" MQTT URL (after it took the simulation over).
 */
async function startStandby(flags: string[]) {
  const child = spawn(process.execPath, [
    CLI,
    'hub',
    '--host',
    '127.0.0.1',
    '--mqtt-port',
    '0',
    '--ws-port',
    '0',
    '--http-port',
    '0',
    ...flags,
  ]);
  let stderr = '';
  let stdout = '';
  const exited = new Promise<never>((_done, fail) =>
    child.once('exit', (code) => fail(new Error(`standby exited with ${code}:\n${stderr}`))),
  );
  exited.catch(() => {}); // raced below; a failure is reported there
  const waiting = new Promise<void>((done) => {
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (stderr.includes('serving as a broker')) done();
    });
  });
  const ready = new Promise<string>((done) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const url = /hub ready: mqtt=(\S+)/.exec(stdout)?.[1];
      if (url) done(url);
    });
  });
  await Promise.race([waiting, exited]);
  return { process: child, log: () => stderr, ready: Promise.race([ready, exited]) };
}

/** Connects with `attempt`, again every half second while the broker refuses (a hold-off running out). */
async function retryConnect(attempt: () => Promise<MqttClient>): Promise<MqttClient> {
  for (;;) {
    try {
      return await attempt();
    } catch {
      await new Promise((done) => setTimeout(done, 500));
    }
  }
}

const json = <T>(payload: Buffer) => JSON.parse(payload.toString()) as T;

describe('gridflex hub --cluster: two broker nodes through Redis', () => {
  it('carries a board’s messages on node A to a subscriber on node B, and an operator’s control on B to the core on A', async () => {
    const viewer = await client(nodeB.mqttUrl, { clientId: 'viewer-b' });
    expect(await subscribe(viewer, 'homie/5/pad-a/#')).toBe(1);
    expect(await subscribe(viewer, 'gridflex/v1/clock')).toBe(1);
    const pad = await board(nodeA.mqttUrl, 'pad-a');
    expect(await subscribe(pad, 'gridflex/v1/audit')).toBe(1);

    const reading = nextMessage(viewer, (topic) => topic === 'homie/5/pad-a/pad/soc');
    await pad.publishAsync('homie/5/pad-a/pad/soc', '42', { qos: 1 });
    expect((await reading).payload.toString()).toBe('42');

    const operator = await client(nodeB.mqttUrl, {
      clientId: 'table-op',
      username: 'table-op',
      password: secrets['table-op'] as string,
    });
    const answer = nextMessage(
      pad,
      (topic) => topic === 'gridflex/v1/audit',
      (payload) => json<AuditEntry>(payload).action === 'clock',
    );
    const paused = nextMessage(
      viewer,
      (topic) => topic === 'gridflex/v1/clock',
      (payload) => !json<Clock>(payload).running,
    );
    await operator.publishAsync('gridflex/control/v1/clock', JSON.stringify({ action: 'pause' }), { qos: 1 });
    expect(json<AuditEntry>((await answer).payload)).toMatchObject({ accepted: true, username: 'table-op' });
    await paused;
    await operator.publishAsync('gridflex/control/v1/clock', JSON.stringify({ action: 'play' }), { qos: 1 });
  });

  it('gives a new subscriber on node B what was retained on node A: a board’s and the simulation core’s', async () => {
    const pad = await board(nodeA.mqttUrl, 'pad-b');
    // Node A stores a retained message before it forwards it, so once a watcher on B has it, B's store has it
    // too; a client that subscribed while the forward was on its way got it live, without the retain flag
    // (CI at 18:53 on Dec 7, loaded).
    const watcher = await client(nodeB.mqttUrl, { clientId: 'watch-b' });
    await subscribe(watcher, 'homie/5/pad-b/$state');
    const forwarded = nextMessage(watcher, (topic) => topic === 'homie/5/pad-b/$state');
    await pad.publishAsync('homie/5/pad-b/$state', 'ready', { qos: 1, retain: true });
    await forwarded;
    const late = await client(nodeB.mqttUrl, { clientId: 'late-b' });
    const state = nextMessage(late, (topic) => topic === 'homie/5/pad-b/$state');
    const tableMap = nextMessage(late, (topic) => topic === 'gridflex/v1/table/map');
    await subscribe(late, 'homie/5/pad-b/$state');
    await subscribe(late, 'gridflex/v1/table/map');
    expect(await state).toMatchObject({ retain: true });
    expect((await state).payload.toString()).toBe('ready');
    expect((await tableMap).retain).toBe(true);
    pad.end(true);
  });

  it('delivers on node B the last will of a board killed on node A', async () => {
    const viewer = await client(nodeB.mqttUrl, { clientId: 'will-watch-b' });
    await subscribe(viewer, 'homie/5/pad-a/$state');
    const pad = await board(nodeA.mqttUrl, 'pad-a', {
      will: { topic: 'homie/5/pad-a/$state', payload: Buffer.from('lost'), qos: 1, retain: true },
    });
    const will = nextMessage(
      viewer,
      (topic) => topic === 'homie/5/pad-a/$state',
      (payload) => payload.toString() === 'lost',
    );
    pad.stream.destroy(); // a board losing power: no DISCONNECT, so node A sends its will
    expect((await will).payload.toString()).toBe('lost');
  });

  it('refuses on node B a board that node A holds off for going over its rate', async () => {
    // Each offence doubles the hold-off (1, 2, 4, 8 s): four on node A leave a window no loaded machine misses.
    for (let offence = 1; offence <= 4; offence++) {
      const flooder = await retryConnect(() => board(nodeA.mqttUrl, 'pad-c'));
      const cut = new Promise<void>((done) => flooder.once('close', () => done()));
      for (let i = 0; i < 300 && flooder.connected; i++) flooder.publish('homie/5/pad-c/pad/soc', String(i));
      await cut;
    }
    // Node B hears of the hold-off through Redis a moment after node A cut the board off, so a connect
    // straight after the cut may still be let in: B must refuse within the 8 s hold-off, not at once.
    let refused = 'connected';
    for (let attempt = 0; attempt < 10 && refused === 'connected'; attempt++) {
      refused = await board(nodeB.mqttUrl, 'pad-c').then(
        (letIn) => {
          letIn.end(true);
          return new Promise<string>((done) => setTimeout(() => done('connected'), 200));
        },
        (error: Error) => error.message,
      );
    }
    expect(refused).toMatch(/Server unavailable/i);
    const log = await nodeB.logLine(/rate-limited.*pad-c/);
    expect(log).toContain('held off for another');
  });

  it('refuses cluster flags that do not fit, naming the flag', () => {
    const otherDir = tempDir('gridflex-cluster-second-');
    const hub = (...flags: string[]) =>
      spawnSync(
        process.execPath,
        [CLI, 'hub', '--host', '127.0.0.1', '--mqtt-port', '0', '--ws-port', '0', '--http-port', '0'].concat([
          '--scenario',
          map,
          '--data-dir',
          otherDir.dir,
          ...flags,
        ]),
        { encoding: 'utf8' },
      );
    const refusals = [
      [['--no-sim'], 'error: --no-sim: only with --cluster'],
      [['--cluster', 'http://127.0.0.1:1'], 'error: --cluster: expected a redis:// or rediss:// URL'],
      [
        ['--cluster', redis.url, '--cluster-node-id', 'a b'],
        'error: --cluster-node-id: "a b" is not a node ID',
      ],
      [
        ['--cluster', redis.url, '--no-sim', '--demo'],
        'error: --demo: the demo boards start with the simulation core',
      ],
    ] as const;
    for (const [flags, message] of refusals) {
      const refused = hub(...flags);
      expect(refused.status, refused.stderr).toBe(2);
      expect(refused.stderr).toContain(message);
    }
    otherDir.remove();
  });

  it('keeps serving on node B when node A is killed: the wills of A’s boards go out, a standby node takes the simulation over', async () => {
    // Node C is started with the simulation while A runs it: it serves as a broker and waits for A's lock.
    const standbyDir = tempDir('gridflex-cluster-standby-');
    copyFileSync(join(data.dir, 'credentials.json'), join(standbyDir.dir, 'credentials.json'));
    const standby = await startStandby([
      '--scenario',
      map,
      '--data-dir',
      standbyDir.dir,
      '--cluster',
      redis.url,
      '--cluster-node-id',
      'node-c',
    ]);
    nodeC = standby.process;
    expect(standby.log()).toContain('node "node-a" runs the simulation core; serving as a broker');
    const viewer = await client(nodeB.mqttUrl, { clientId: 'survivor-b' });
    await subscribe(viewer, 'homie/5/#');
    await subscribe(viewer, 'gridflex/v1/audit');
    await board(nodeA.mqttUrl, 'pad-b', {
      will: { topic: 'homie/5/pad-b/$state', payload: Buffer.from('lost'), qos: 1, retain: true },
    });
    const will = nextMessage(
      viewer,
      (topic) => topic === 'homie/5/pad-b/$state',
      (payload) => payload.toString() === 'lost',
    );
    nodeA.process.kill('SIGKILL');
    // Node B publishes them once it has not heard node A for three heartbeats (5 s each).
    expect((await will).payload.toString()).toBe('lost');

    const moved = await board(nodeB.mqttUrl, 'pad-a');
    const reading = nextMessage(viewer, (topic) => topic === 'homie/5/pad-a/pad/soc');
    await moved.publishAsync('homie/5/pad-a/pad/soc', '43', { qos: 1 });
    expect((await reading).payload.toString()).toBe('43');

    // Node C runs the core once A's lock lapsed: an operator's control on node B is answered by it.
    await standby.ready;
    const operator = await client(nodeB.mqttUrl, {
      clientId: 'table-op',
      username: 'table-op',
      password: secrets['table-op'] as string,
    });
    const answer = nextMessage(
      viewer,
      (topic) => topic === 'gridflex/v1/audit',
      (payload) => json<AuditEntry>(payload).action === 'clock' && json<AuditEntry>(payload).seq === 1,
    );
    await operator.publishAsync('gridflex/control/v1/clock', JSON.stringify({ action: 'pause' }), { qos: 1 });
    expect(json<AuditEntry>((await answer).payload)).toMatchObject({ accepted: true, username: 'table-op' });
    await stopProcess(standby.process);
    standbyDir.remove();
  });
});
