// Device agent footprint: start time (spawn → `$state ready` seen by the broker) and resident memory
// (VmRSS) after a few seconds of telemetry, for `node dist/devices/cli.js` on a sim board with five nodes.
// Peers in the same run: a minimal mqtt.js client that connects and publishes one retained message (the
// least a Node device agent must do), and a bare idle `node -e` process. Each is measured with Node's
// default flags and with the V8 flags the systemd unit runs the agent with (read from the unit file).
// Target: agent RSS < 60 MB as deployed.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Aedes } from 'aedes';
import { stringify } from 'yaml';

const RUNS = 3;
const SETTLE_MS = 3000;
const UNIT_FILE = 'devices/systemd/gridflex-device@.service';
const DEPLOYED_FLAGS =
  /ExecStart=\S*node ((?:--\S+ )*)/.exec(readFileSync(UNIT_FILE, 'utf8'))?.[1].trim().split(' ') ?? [];
const RSS_TARGET_MB = 60;

const aedes = await Aedes.createBroker();
const server = createServer(aedes.handle);
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const brokerUrl = `mqtt://127.0.0.1:${server.address().port}`;
const readyWaiters = new Map();
aedes.on('publish', (packet) => {
  const waiter = readyWaiters.get(packet.topic);
  if (waiter && packet.payload.toString() === 'ready') waiter();
});
const nextReady = (topic) => new Promise((resolve) => readyWaiters.set(topic, resolve));

const dir = mkdtempSync(join(tmpdir(), 'bench-device-'));
const configFile = join(dir, 'board.yaml');
writeFileSync(
  configFile,
  stringify({
    deviceId: 'bench-board',
    broker: { url: brokerUrl },
    telemetryIntervalMs: 1000,
    nodes: [
      { kind: 'plot', plot: 'plot-1' },
      { kind: 'pv', sensor: { type: 'analog', pin: 'A0' } },
      { kind: 'heat-pump', light: { type: 'pwm', pin: 9 }, temperature: { type: 'analog', pin: 'A1' } },
      { kind: 'battery', ledPins: [2, 3, 4] },
      { kind: 'ev-pad', padId: 'pad-1', plot: 'plot-1', reader: { type: 'serial' }, ledPins: [5, 6, 7] },
    ],
  }),
);

const peerClient = `
  import mqtt from 'mqtt';
  const client = mqtt.connect(${JSON.stringify(brokerUrl)}, { protocolVersion: 4, clientId: 'bench-peer' });
  client.on('connect', () => client.publish('homie/5/bench-peer/$state', 'ready', { qos: 1, retain: true }));
`;

const subjects = [
  {
    name: 'gridflex-device (sim, 5 nodes)',
    args: ['dist/devices/cli.js', '--config', configFile],
    topic: 'homie/5/bench-board/$state',
  },
  {
    name: 'peer: minimal mqtt.js client',
    args: ['--input-type=module', '-e', peerClient],
    topic: 'homie/5/bench-peer/$state',
  },
  { name: 'peer: bare node -e (idle)', args: ['-e', 'setInterval(() => {}, 1000)'] },
];

function rssMb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1]);
  return kb / 1024;
}

async function measure(subject, flags) {
  const startMs = [];
  const rss = [];
  for (let run = 0; run < RUNS; run++) {
    const ready = subject.topic ? nextReady(subject.topic) : undefined;
    const t0 = performance.now();
    const child = spawn(process.execPath, [...flags, ...subject.args], {
      stdio: 'ignore',
      cwd: process.cwd(),
    });
    if (ready) {
      await ready;
      startMs.push(performance.now() - t0);
    }
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    rss.push(rssMb(child.pid));
    const exited = new Promise((resolve) => child.on('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
  return { startMs: median(startMs), rssMb: median(rss) };
}

function median(values) {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

let agentDeployedRssMb = Number.POSITIVE_INFINITY;
for (const [label, flags] of [
  ['default node flags', []],
  [`deployed flags: ${DEPLOYED_FLAGS.join(' ')}`, DEPLOYED_FLAGS],
]) {
  const results = [];
  for (const subject of subjects) results.push({ name: subject.name, ...(await measure(subject, flags)) });
  const [agent, client, bare] = results;
  console.log(`device agent footprint, ${label} (median of ${RUNS} runs, RSS after ${SETTLE_MS / 1000} s)`);
  for (const result of results) {
    const start = result.startMs === undefined ? '      -' : `${result.startMs.toFixed(0).padStart(5)} ms`;
    console.log(
      `  ${result.name.padEnd(32)} start→ready ${start}   RSS ${result.rssMb.toFixed(1).padStart(5)} MB`,
    );
  }
  console.log(
    `  agent vs minimal client: start ${(agent.startMs / client.startMs).toFixed(2)}x, RSS ${(agent.rssMb / client.rssMb).toFixed(2)}x; agent vs bare node: RSS ${(agent.rssMb / bare.rssMb).toFixed(2)}x`,
  );
  if (flags === DEPLOYED_FLAGS) agentDeployedRssMb = agent.rssMb;
}
console.log(
  `target agent RSS < ${RSS_TARGET_MB} MB as deployed: ${agentDeployedRssMb < RSS_TARGET_MB ? 'met' : 'NOT met'} (${agentDeployedRssMb.toFixed(1)} MB)`,
);

rmSync(dir, { recursive: true });
server.close();
await new Promise((resolve) => aedes.close(resolve));
