import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry, Clock, HubState, TableMap } from '../../../protocol/gridflex.js';
import { formatHomieValue, homieTopics, ReadingRecordSchema } from '../../../protocol/homie.js';
import { closed, connectClient, nextMessage, subscribe, tempDir } from '../mqtt-helpers.js';
import { expectEvMoveBetweenBuses } from './ev-move.js';
import {
  addDevice,
  addUser,
  CLI,
  DEVICE_CLI,
  freePort,
  type HubProcess,
  patchConfig,
  startHub,
  writeTestMap,
} from './hub-process.js';
import { MOSQUITTO, retainedTopics, startMosquitto, stopMosquitto } from './mosquitto-process.js';

/** The same hub behaviours with an external Mosquitto (started here on a free loopback port) as the broker. */
const data = tempDir('gridflex-mosquitto-');
let mosquitto: ChildProcess;
let brokerUrl: string;
let hub: HubProcess;
let viewer: MqttClient;
const secrets: Record<string, string> = {};
let pvConfig: string;
let mosquittoConf: string;

beforeAll(async () => {
  if (!existsSync(MOSQUITTO))
    throw new Error(`${MOSQUITTO} is missing: apt-get install mosquitto (see .ci/run)`);
  const port = await freePort();
  brokerUrl = `mqtt://127.0.0.1:${port}`;
  const map = writeTestMap(data.dir);
  for (const [id, plot] of [
    ['pad-a', 'plot-3'],
    ['pad-b', 'plot-6'],
  ] as const) {
    secrets[id] = addDevice(data.dir, id, 'ev-pad', plot, brokerUrl, ['--scenario', map]).password;
  }
  pvConfig = addDevice(data.dir, 'pv-9', 'pv', 'plot-8', brokerUrl, ['--scenario', map]).file;
  secrets.octo = addUser(data.dir, 'octo', 'supplier:octo');
  patchConfig(pvConfig, { telemetryIntervalMs: 100, reconnect: { initialMs: 50, maxMs: 200 } });
  const conf = execFileSync(
    process.execPath,
    [CLI, 'mosquitto-config', '--data-dir', data.dir, '--port', String(port), '--host', '127.0.0.1'],
    { encoding: 'utf8' },
  ).trim();
  mosquittoConf = conf;
  mosquitto = await startMosquitto(conf);
  hub = await startHub(['--scenario', map, '--data-dir', data.dir, '--broker', brokerUrl, '--step-ms', '40']);
  viewer = await connectClient(brokerUrl, { clientId: 'viewer-1' });
  await subscribe(viewer, 'gridflex/v1/#');
  await subscribe(viewer, 'homie/5/#');
});

afterAll(async () => {
  viewer?.end(true);
  await hub?.stop();
  mosquitto?.kill('SIGTERM');
  data.remove();
});

/** Whether a retained message reached `topic`, asked only after the broker finished with the publish. */
async function retainedExists(
  topic: string,
  credentials: { username?: string; password?: string } = {},
): Promise<boolean> {
  return (await retainedTopics(brokerUrl, topic, credentials)).includes(topic);
}

/** TCP ports a process listens on, from /proc: its socket inodes matched against the kernel's tables. */
function listeningPorts(pid: number): number[] {
  const inodes = new Set(
    readdirSync(`/proc/${pid}/fd`).flatMap((fd) => {
      const target = readlinkSync(`/proc/${pid}/fd/${fd}`, { encoding: 'utf8' });
      const match = /^socket:\[(\d+)\]$/.exec(target);
      return match ? [match[1] as string] : [];
    }),
  );
  const ports = ['/proc/net/tcp', '/proc/net/tcp6'].flatMap((table) =>
    readFileSync(table, 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => line.trim().split(/\s+/))
      // Columns: sl, local address:port (hex), remote, state (0A = LISTEN), …, inode (10th).
      .filter((columns) => columns[3] === '0A' && inodes.has(columns[9] as string))
      .map((columns) => Number.parseInt((columns[1] as string).split(':')[1] as string, 16)),
  );
  return [...new Set(ports)].sort((a, b) => a - b);
}

describe('gridflex hub with an external Mosquitto', () => {
  it('Mosquitto on the generated config listens on exactly the port asked for, not also on 1883', () => {
    expect(listeningPorts(mosquitto.pid as number)).toEqual([Number(new URL(brokerUrl).port)]);
  });

  it('moves an EV’s charging load from one bus to the other when it moves between pads', async () => {
    await expectEvMoveBetweenBuses({ brokerUrl, httpUrl: hub.httpUrl, viewer, secrets });
  });

  it('runs a real device agent: init → ready, lost on kill -9, ready after a restart', async () => {
    const states: string[] = [];
    const onState = (topic: string, payload: Buffer) => {
      if (topic === 'homie/5/pv-9/$state') states.push(payload.toString());
    };
    viewer.on('message', onState);
    const until = async (state: string, from: number) => {
      while (!states.slice(from).includes(state))
        await nextMessage(viewer, (topic) => topic === 'homie/5/pv-9/$state');
    };
    const start = () =>
      spawn(process.execPath, [DEVICE_CLI, '--config', pvConfig, '--log-level', 'warn'], { stdio: 'ignore' });
    const online = nextMessage(
      viewer,
      (topic) => topic === 'gridflex/v1/table/map',
      (payload) =>
        (JSON.parse(payload.toString()) as TableMap).assets.some(
          (asset) => asset.asset === 'pv-9' && asset.online,
        ),
    );
    let agent = start();
    try {
      await until('ready', 0);
      expect(states.indexOf('init')).toBeLessThan(states.indexOf('ready'));
      // The hub saw it too: the board's PV is on plot-8 in the table map.
      const map = JSON.parse((await online).payload.toString()) as TableMap;
      expect(map.assets.find((asset) => asset.asset === 'pv-9')?.plot).toBe('plot-8');
      const killedAt = states.length;
      agent.kill('SIGKILL');
      await until('lost', killedAt);
      const restartedAt = states.length;
      agent = start();
      await until('ready', restartedAt);
    } finally {
      agent.kill('SIGKILL');
      viewer.off('message', onState);
    }
  });

  it('drops a device’s writes to another device or to the hub’s world, and anonymous writes', async () => {
    const padA = await connectClient(brokerUrl, { username: 'pad-a', password: secrets['pad-a'] });
    await padA.publishAsync('homie/5/pad-b/ev-pad/forged', formatHomieValue(true), { qos: 1, retain: true });
    await padA.publishAsync('gridflex/v1/forged', '{}', { qos: 1, retain: true });
    // Its own topics still work.
    await padA.publishAsync('homie/5/pad-a/ev-pad/own', formatHomieValue(1), { qos: 1, retain: true });
    padA.end(true);
    const anonymous = await connectClient(brokerUrl, { clientId: 'anon-1' });
    await anonymous.publishAsync('gridflex/v1/forged-anonymous', '{}', { qos: 1, retain: true });
    anonymous.end(true);

    expect(await retainedExists('homie/5/pad-b/ev-pad/forged')).toBe(false);
    expect(await retainedExists('gridflex/v1/forged')).toBe(false);
    expect(await retainedExists('gridflex/v1/forged-anonymous')).toBe(false);
    expect(await retainedExists('homie/5/pad-a/ev-pad/own')).toBe(true);
    // Mosquitto grants a device's subscription to another device's topics but delivers nothing from them.
    expect(await retainedExists('homie/5/pad-b/$state')).toBe(true);
    expect(
      await retainedExists('homie/5/pad-b/$state', { username: 'pad-a', password: secrets['pad-a'] }),
    ).toBe(false);
  });

  it('logs and skips malformed payloads, and cuts off oversized packets, without disturbing the hub', async () => {
    const padB = await connectClient(brokerUrl, { username: 'pad-b', password: secrets['pad-b'] });
    await padB.publishAsync('homie/5/pad-b/$description', '{"homie": "banana"', { qos: 1 });
    await padB.publishAsync('homie/5/pad-b/ev-pad/present', 'yes please', { qos: 1 });
    await hub.logLine(/ignored homie\/5\/pad-b\/\$description: .*not valid JSON/);
    await hub.logLine(/ignored homie\/5\/pad-b\/ev-pad\/present: .*expected true or false, got "yes please"/);

    const gone = closed(padB);
    padB.publish('homie/5/pad-b/$log/info', Buffer.alloc(100_000, 'a'));
    await gone;
    // The hub is still stepping and publishing.
    const clock = await nextMessage(viewer, (topic) => topic === 'gridflex/v1/clock');
    expect((JSON.parse(clock.payload.toString()) as { running: boolean }).running).toBe(true);
  });

  it('answers a supplier’s controls on the audit topic: Mosquitto’s ACL lets them through, the hub checks them', async () => {
    const supplier = await connectClient(brokerUrl, { username: 'octo', password: secrets.octo });
    const answers: AuditEntry[] = [];
    const twoAnswers = new Promise<void>((resolve) => {
      viewer.on('message', function collect(topic, payload) {
        if (topic !== 'gridflex/v1/audit') return;
        answers.push(JSON.parse(payload.toString()) as AuditEntry);
        if (answers.length === 2) {
          viewer.off('message', collect);
          resolve();
        }
      });
    });
    await supplier.publishAsync('gridflex/control/v1/supplier/octo/tariff', '{"tariffId": "half"}', {
      qos: 1,
    });
    await supplier.publishAsync(
      'gridflex/control/v1/supplier/octo/tariff',
      JSON.stringify({
        tariffId: 'greedy',
        kind: 'flat',
        importPriceGbpPerKwh: 0.35,
        exportPriceGbpPerKwh: 0.1,
        standingChargeGbpPerDay: 0.5,
      }),
      { qos: 1 },
    );
    await twoAnswers;
    // Mosquitto does not tell who published: the role is the topic's (its ACL), the username unknown.
    expect(answers.map(({ username, role, accepted }) => ({ username, role, accepted }))).toEqual([
      { username: null, role: 'supplier:octo', accepted: false },
      { username: null, role: 'supplier:octo', accepted: false },
    ]);
    expect(answers[0]?.reason).toMatch(
      /^control (kind|importPriceGbpPerKwh|exportPriceGbpPerKwh|standingChargeGbpPerDay): /,
    );
    expect(answers[1]?.reason).toBe("import price 35 p/kWh is above the regulator's cap 26.11 p/kWh");
    supplier.end(true);
  });

  it('comes back after a broker restart: the board’s queued readings all arrive, the hub republishes', async () => {
    const seqs = new Set<number>();
    const arrivals: number[] = [];
    const states: string[] = [];
    const record = (topic: string, payload: Buffer) => {
      if (topic === 'homie/5/pv-9/$state') states.push(payload.toString());
      else if (topic === homieTopics.readings('pv-9')) {
        const { seq } = ReadingRecordSchema.parse(JSON.parse(payload.toString()));
        arrivals.push(seq);
        seqs.add(seq);
      }
    };
    const untilState = async (state: string, from: number) => {
      while (!states.slice(from).includes(state))
        await nextMessage(viewer, (topic) => topic === 'homie/5/pv-9/$state');
    };
    viewer.on('message', record);
    const agent = spawn(process.execPath, [DEVICE_CLI, '--config', pvConfig, '--log-level', 'warn'], {
      stdio: 'ignore',
    });
    try {
      await untilState('ready', states.length);
      while (seqs.size < 10) await nextMessage(viewer, (topic) => topic === homieTopics.readings('pv-9'));
      const firstSeq = Math.min(...seqs);

      // The broker goes first; the viewer stays until then so it sees everything the broker accepted.
      const stopped = new Promise((resolve) => mosquitto.once('exit', resolve));
      mosquitto.kill('SIGTERM');
      await stopped;
      viewer.end(true);
      // Back without the board's password, so the viewer is in before the board; then the password file is
      // restored and Mosquitto reloads it (SIGHUP), and the board gets in with its backlog.
      const passwd = join(data.dir, 'mosquitto', 'passwd');
      const withBoard = readFileSync(passwd, 'utf8');
      writeFileSync(
        passwd,
        withBoard
          .split('\n')
          .filter((line) => !line.startsWith('pv-9:'))
          .join('\n'),
      );
      mosquitto = await startMosquitto(mosquittoConf);
      viewer = await connectClient(brokerUrl, { clientId: 'viewer-2' });
      viewer.on('message', record);
      const hubState = nextMessage(
        viewer,
        (topic) => topic === 'gridflex/v1/hub/state',
        (payload) => payload.toString().includes('"running"'),
      );
      await subscribe(viewer, 'homie/5/pv-9/#');
      await subscribe(viewer, 'gridflex/v1/#');
      const back = states.length;
      writeFileSync(passwd, withBoard);
      mosquitto.kill('SIGHUP');
      await untilState('ready', back);
      await nextMessage(
        viewer,
        (topic) => topic === 'homie/5/pv-9/agent/queued-readings',
        (payload) => payload.toString() === '0',
      );
      const lastSeq = Math.max(...seqs);
      const missing: number[] = [];
      for (let seq = firstSeq; seq <= lastSeq; seq++) if (!seqs.has(seq)) missing.push(seq);
      expect(missing).toEqual([]);
      // In order: each reading first arrives after every reading taken before it (QoS 1 may repeat one).
      const firstArrivals = arrivals.filter((seq, index) => arrivals.indexOf(seq) === index);
      expect(firstArrivals).toEqual([...firstArrivals].sort((a, b) => a - b));

      // The hub reconnected by itself and put its retained state and results back.
      await hub.logLine(/broker connection back/);
      expect((JSON.parse((await hubState).payload.toString()) as HubState).state).toBe('running');
      const feeder = await nextMessage(viewer, (topic) => topic === 'gridflex/v1/feeder/summary');
      expect((JSON.parse(feeder.payload.toString()) as { converged: boolean }).converged).toBe(true);
    } finally {
      agent.kill('SIGKILL');
    }
  });

  it('holds the clock while the broker is down and says so in /api/state; steps on from there when it is back', async () => {
    const apiState = async () =>
      (await (await fetch(`${hub.httpUrl}/api/state`)).json()) as { hub: HubState; clock: Clock };
    const from = hub.log.length;
    /** The `count`th hub log line from here on that matches `pattern` (the broker restart above logged its own). */
    const lineFromHere = async (pattern: RegExp, count = 1): Promise<string> => {
      for (;;) {
        const lines = hub.log.slice(from).filter((line) => pattern.test(line));
        if (lines.length >= count) return lines[count - 1] as string;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    await stopMosquitto(mosquitto);
    viewer.end(true);
    const held = Number(/step (\d+)/.exec(await lineFromHere(/broker down: the clock holds/))?.[1]);
    // Two reconnect attempts (a second apart) are dozens of 40 ms steps: none of them taken.
    await lineFromHere(/reconnecting/, 2);
    const down = await apiState();
    expect(down.hub.state).toBe('running');
    expect(Date.parse(down.hub.brokerDownSince ?? '')).toBeLessThanOrEqual(Date.now());
    expect(down.clock.step).toBe(held);

    mosquitto = await startMosquitto(mosquittoConf);
    viewer = await connectClient(brokerUrl, { clientId: 'viewer-3' });
    const resumed = nextMessage(
      viewer,
      (topic) => topic === 'gridflex/v1/clock',
      (payload) => (JSON.parse(payload.toString()) as Clock).step > held,
    );
    await subscribe(viewer, 'gridflex/v1/#');
    expect(await lineFromHere(/broker connection back/)).toContain(`the clock at step ${held}`);
    expect((JSON.parse((await resumed).payload.toString()) as Clock).running).toBe(true);
    expect((await apiState()).hub.brokerDownSince).toBeUndefined();
  });

  it('leaves a correct retained hub state on the broker after a graceful stop', async () => {
    expect(await hub.stop()).toBe(0);
    const late = await connectClient(brokerUrl, { clientId: 'late-viewer' });
    const state = nextMessage(late, (topic) => topic === 'gridflex/v1/hub/state');
    await subscribe(late, 'gridflex/v1/hub/state');
    expect((JSON.parse((await state).payload.toString()) as HubState).state).toBe('stopped');
    late.end(true);
  });
});
