// Shared by the hub benchmarks: a temporary data dir with registered boards, the hub (embedded Aedes broker)
// and Mosquitto started on free loopback ports with the same users and ACLs, a redis-server of the run's own,
// MQTT client helpers and the throughput measure.
import { execFileSync, spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import mqtt from 'mqtt';
import { CredentialStore } from '../dist/hub/auth/credentials.js';

export const CLI = resolve('dist/hub/cli.js');
/** The `gridflex` bin, which starts `gridflex hub` with its memory settings (bin/gridflex). */
export const LAUNCHER = resolve('bin/gridflex');
export const MOSQUITTO = '/usr/sbin/mosquitto';

export function freePort() {
  return new Promise((done, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => done(port));
    });
  });
}

/** A data dir with `count` boards `<prefix>-<i>` registered; returns the dir and their passwords. */
export async function registerBoards(prefix, count) {
  const dir = mkdtempSync(join(tmpdir(), 'gridflex-bench-'));
  const store = CredentialStore.open(dir);
  const passwords = new Map();
  for (let i = 0; i < count; i++) {
    const id = `${prefix}-${i}`;
    passwords.set(id, await store.add(id, { role: 'device', deviceId: id }));
  }
  return { dir, passwords, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

function waitForOutput(child, stream, pattern, what) {
  return new Promise((done, reject) => {
    let text = '';
    child[stream].on('data', (chunk) => {
      text += chunk.toString();
      const match = pattern.exec(text);
      if (match) done(match);
    });
    child.once('exit', (code) => reject(new Error(`${what} exited with ${code}: ${text.slice(-500)}`)));
  });
}

/**
 * Starts `gridflex hub` on the data dir (`nodeFlags` go to node before the CLI, e.g. --cpu-prof; with
 * `viaLauncher`, the bin starts it as a user's `gridflex hub` does, and node flags are not allowed; `env` is added
 * to its environment); resolves with its MQTT, WebSocket and HTTP URLs, pid and a stop function.
 */
export async function startHub(dataDir, extraFlags = [], nodeFlags = [], viaLauncher = false, env = {}) {
  if (viaLauncher && nodeFlags.length > 0)
    throw new Error('node flags need the hub started by node, not the bin');
  const child = spawn(
    viaLauncher ? LAUNCHER : process.execPath,
    [
      ...(viaLauncher ? [] : [...nodeFlags, CLI]),
      'hub',
      '--host',
      '127.0.0.1',
      '--data-dir',
      dataDir,
      '--mqtt-port',
      '0',
      '--ws-port',
      '0',
      '--http-port',
      '0',
      ...extraFlags,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } },
  );
  child.stderr.on('data', () => {});
  const match = await waitForOutput(
    child,
    'stdout',
    /hub ready: mqtt=(\S+) ws=(\S+) http=(\S+)/,
    'gridflex hub',
  );
  return { url: match[1], wsUrl: match[2], httpUrl: match[3], pid: child.pid, stop: () => stopChild(child) };
}

/**
 * Starts bench/_broker-server.js in a process of its own: bare Aedes (`aedes`) or the hub's EmbeddedBroker alone
 * (`embedded`) on the data dir, `nodeFlags` given to node (e.g. --cpu-prof); resolves with its URL, pid and a stop.
 */
export async function startBrokerServer(mode, dataDir, nodeFlags = []) {
  const child = spawn(process.execPath, [...nodeFlags, resolve('bench/_broker-server.js'), mode, dataDir], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stderr.on('data', () => {});
  const match = await waitForOutput(
    child,
    'stdout',
    /broker ready: (\S+)/,
    `bench/_broker-server.js ${mode}`,
  );
  return { url: match[1], pid: child.pid, stop: () => stopChild(child) };
}

/** Starts Mosquitto with `gridflex mosquitto-config` for the same data dir, or returns null if it is not installed. */
export async function startMosquitto(dataDir) {
  if (!existsSync(MOSQUITTO)) return null;
  const port = await freePort();
  const conf = execFileSync(
    process.execPath,
    [CLI, 'mosquitto-config', '--data-dir', dataDir, '--port', String(port), '--host', '127.0.0.1'],
    {
      encoding: 'utf8',
    },
  ).trim();
  // Mosquitto drops QoS 1 messages beyond 1000 queued for a slow subscriber; the hub never drops them,
  // so the comparison lifts that limit (appended last, so it wins).
  appendFileSync(conf, 'max_queued_messages 0\n');
  const child = spawn(MOSQUITTO, ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  await waitForOutput(child, 'stderr', /running/, 'mosquitto');
  return { url: `mqtt://127.0.0.1:${port}`, pid: child.pid, stop: () => stopChild(child) };
}

/**
 * Runs `measure(name, broker)` on the hub and then (unless `withPeer` is false) on Mosquitto, the peer of the
 * same run, stopping each broker afterwards; a Mosquitto that is not installed is said and skipped.
 * `startHubHere` starts the hub with the bench's own flags.
 */
export async function onHubThenMosquitto(dataDir, startHubHere, measure, withPeer = true) {
  const peers = withPeer ? [['mosquitto', () => startMosquitto(dataDir)]] : [];
  for (const [name, start] of [['hub (Aedes)', startHubHere], ...peers]) {
    const broker = await start();
    if (!broker) {
      console.log(`${name}: not installed (apt-get install mosquitto), no peer to compare with`);
      continue;
    }
    try {
      await measure(name, broker);
    } finally {
      await broker.stop();
    }
  }
}

function stopChild(child) {
  return new Promise((done) => {
    if (child.exitCode !== null) return done();
    child.once('exit', () => done());
    child.kill('SIGTERM');
  });
}

export function connect(url, options = {}) {
  return new Promise((done, reject) => {
    const client = mqtt.connect(url, {
      protocolVersion: 4,
      reconnectPeriod: 0,
      connectTimeout: 30_000,
      ...options,
    });
    client.once('connect', () => done(client));
    client.once('error', reject);
  });
}

/** Percentile of a sorted array (nearest rank). */
export function percentile(sorted, p) {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/**
 * Starts a client flooding `topic` with `payload` and reconnecting whenever it is cut off, in its own thread
 * (_flood-worker.js); resolves once it runs, with a stop function resolving with how many of its messages a
 * subscriber to `countTopic` received.
 */
export async function startFlood(url, { username, password, topic, payload, countTopic }) {
  const worker = new Worker(new URL('./_flood-worker.js', import.meta.url), {
    workerData: { url, username, password, topic, payload, countTopic },
  });
  const next = () => new Promise((done) => worker.once('message', done));
  await next();
  return async () => {
    const reply = next();
    worker.postMessage('stop');
    const { delivered } = await reply;
    await worker.terminate();
    return delivered;
  };
}

/** Starts Debian's redis-server on a free loopback port without persistence; resolves with its URL and a stop. */
export async function startRedis() {
  const port = await freePort();
  const child = spawn(
    '/usr/bin/redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: ['ignore', 'pipe', 'ignore'],
    },
  );
  await waitForOutput(child, 'stdout', /Ready to accept/, 'redis-server');
  return { url: `redis://127.0.0.1:${port}`, port, stop: () => stopChild(child) };
}

/** A throughput run ends when everything arrived, or after this long without a message (lost QoS 0 messages). */
const IDLE_END_MS = 3000;

/**
 * Throughput of `publishers` boards (each its own thread, _publisher-worker.js) publishing on `pubUrl` to one
 * subscriber on `subUrl` (the same broker, or another node of a cluster): messages/s from "go" to the last one.
 */
export async function measureThroughput(
  pubUrl,
  subUrl,
  passwords,
  { qos, perPublisher, window },
  publishers,
) {
  const total = publishers * perPublisher;
  const subscriber = await connect(subUrl, { clientId: `bench-sub-${qos}` });
  await subscriber.subscribeAsync('homie/5/+/bench/value', { qos });
  const workers = [...passwords].slice(0, publishers).map(
    ([username, password]) =>
      new Worker(new URL('./_publisher-worker.js', import.meta.url), {
        workerData: { url: pubUrl, username, password, count: perPublisher, qos, window },
      }),
  );
  await Promise.all(
    workers.map(
      (worker) =>
        new Promise((done, reject) =>
          worker.once('message', (message) => (message.error ? reject(new Error(message.error)) : done())),
        ),
    ),
  );
  let received = 0;
  let lastAt = 0;
  const start = performance.now();
  const finished = new Promise((done) => {
    let idle = setTimeout(done, IDLE_END_MS * 5);
    subscriber.on('message', () => {
      received++;
      lastAt = performance.now();
      clearTimeout(idle);
      if (received === total) done();
      else idle = setTimeout(done, IDLE_END_MS);
    });
  });
  for (const worker of workers) worker.postMessage('go');
  await finished;
  await Promise.all(workers.map((worker) => worker.terminate()));
  await subscriber.endAsync();
  const seconds = (lastAt - start) / 1000;
  return { rate: received / seconds, received, total, seconds };
}
