// Is the embedded broker's cost per message Aedes itself or the hub's hooks (issue 18 §2)? The latency load of
// bench/hub-latency.js (bench/_latency-load.js: 200 boards at 1 msg/s, QoS 1, loopback, 15 s) on each broker, each
// in a process of its own (bench/_broker-server.js), alternating round by round in one run: `aedes` bare Aedes
// (`Aedes.createBroker()` over a net server, no hooks); `streams` bare Aedes with the EmbeddedBroker's stream parts
// only (no Nagle delay, frame guard); `embedded` the EmbeddedBroker alone (authentication, ACL, rate limits,
// payload checks, retained quota and the stream parts; no table); `hub` the whole hub (`gridflex hub` on its
// default table, started by node); `hub-bin` the same started as a user's `gridflex hub` and `npm start` start it
// (bin/gridflex: its node flags); `mosquitto` Mosquitto 2 (same users and ACLs). Each round starts one broker later
// than the last, so none always runs first. Prints each run's CPU/msg, p50/p99 and peak RSS (with its anonymous
// and file-backed parts, RssAnon and RssFile), then each broker's median over the rounds and the ratios.
//
// Flags: --rounds=<n> (default 3); --node-flags="<flags>" passes node flags to the node brokers (e.g.
// "--cpu-prof --cpu-prof-dir=/tmp/prof"); --only=<names> measures only those (default: the six above and every
// --hub); --hub="<name>:<words>" (repeatable) adds a broker `hub:<name>`, the hub started by node with those words:
// node flags (e.g. "--max-semi-space-size=1 --optimize-for-size"; "--import=./bench/_write-batch-off.js" leaves the
// dashboards' WebSocket streams unbatched) and NAME=value environment variables (e.g. MALLOC_MMAP_THRESHOLD_=131072);
// --dashboards=<n> connects n dashboards (MQTT over WebSocket, the dashboard's subscriptions: every board's reading
// and the table's ~43 publishes a step) to each hub for the load and prints their latency of the boards' readings;
// --memory-probe preloads bench/_memory-probe.js into each hub (NODE_OPTIONS) and prints each thread's V8 heap.
//
// Figures (Dec 6 2026, medians of 3 rounds, load average 2.6-6.4 on 2 cores shared with other sessions): CPU 230
// µs/msg bare Aedes, 237 with the stream parts, 267 the EmbeddedBroker, 330 the whole hub, 47 Mosquitto; p50 0.32,
// 0.31, 0.39, 0.24, 0.16 ms; p99 4.88, 3.72, 3.69, 3.49, 2.81 ms; RSS 103, 103, 113, 166, 9 MB. At load 1-2: 197,
// 240, 237, 310, 33 µs/msg; at load 8-13 (no `streams`): 210, -, 254, 330, 43. So the cost per message is Aedes's:
// bare, it takes 4.9-5.9x Mosquitto's CPU and 11.5x its memory; all our parts together add 16-21 % (the hooks'
// authorizePublish was 4 % of the broker process's busy time in a --cpu-prof run; the socket writes about 30 % in
// both Aedes profiles), and the hub 24-31 % more, which a profile puts in the table's steps and the plan thread (a
// cost per step, not per message). The write batching (hub/broker/write-batch.ts) then batched every client; it cost
// CPU in 4 of 4 pairs under this load (220/203 ... µs/msg, load 1.2-3.5), and helped the dashboards
// (--dashboards=3: p50 lower in 7 of 7 pairs batching the WebSocket clients only, CPU no different), so it now
// batches the WebSocket clients only. With --memory-probe (load 12.7-17.1): hub-bin 128-130 MB (anon 83-85, file 45),
// --optimize-for-size 119-124 MB at +27 % CPU, --max-old-space-size=48 120-128 MB; bare Aedes with
// --max-semi-space-size=1 75 MB, the EmbeddedBroker 86-87 MB, Mosquitto 9 MB. All figures: docs/architecture.md,
// "Latency and memory".
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEVICES, measureLatency, SECONDS } from './_latency-load.js';
import { registerBoards, startBrokerServer, startHub, startMosquitto } from './_mqtt-peers.js';

const { values: flags } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    'node-flags': { type: 'string', default: '' },
    only: { type: 'string' },
    hub: { type: 'string', multiple: true, default: [] },
    dashboards: { type: 'string', default: '0' },
    'memory-probe': { type: 'boolean', default: false },
  },
});
const ROUNDS = Number(flags.rounds);
if (!(Number.isInteger(ROUNDS) && ROUNDS >= 1)) throw new Error(`--rounds: "${flags.rounds}" is not a count`);
const DASHBOARDS = Number(flags.dashboards);
if (!(Number.isInteger(DASHBOARDS) && DASHBOARDS >= 0))
  throw new Error(`--dashboards: "${flags.dashboards}" is not a count`);
const nodeFlags = flags['node-flags'].split(' ').filter(Boolean);
const BROKERS = {
  aedes: (dir) => startBrokerServer('aedes', dir, nodeFlags),
  streams: (dir) => startBrokerServer('streams', dir, nodeFlags),
  embedded: (dir) => startBrokerServer('embedded', dir, nodeFlags),
  hub: (dir, env) => startHub(dir, [], nodeFlags, false, env),
  'hub-bin': (dir, env) => startHub(dir, [], [], true, env),
  mosquitto: (dir) => startMosquitto(dir),
};
/** `--hub name:words`: a hub started by node with those words, each NAME=value an environment variable, else a node flag. */
for (const spec of flags.hub) {
  const match = /^([\w.-]+):(.*)$/.exec(spec);
  if (!match) throw new Error(`--hub: "${spec}" is not name:flags`);
  const words = match[2].split(' ').filter(Boolean);
  const isEnv = (word) => /^[A-Z_][A-Z0-9_]*=/.test(word);
  const env = Object.fromEntries(words.filter(isEnv).map((word) => word.split(/=(.*)/s).slice(0, 2)));
  const hubFlags = [...nodeFlags, ...words.filter((word) => !isEnv(word))];
  BROKERS[`hub:${match[1]}`] = (dir, probeEnv) => startHub(dir, [], hubFlags, false, { ...env, ...probeEnv });
}
const names = flags.only?.split(',') ?? [
  'aedes',
  'streams',
  'embedded',
  'hub',
  'hub-bin',
  'mosquitto',
  ...flags.hub.map((spec) => `hub:${spec.split(':')[0]}`),
];
for (const name of names)
  if (!BROKERS[name]) throw new Error(`--only: "${name}" is not one of ${Object.keys(BROKERS)}`);

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
const line = (result) =>
  `p50 ${result.p50.toFixed(2)} ms, p99 ${result.p99.toFixed(2)} ms, CPU ${result.cpuUsPerMessage.toFixed(0)} µs/msg, RSS ${result.peakRssMb.toFixed(0)} MB (anon ${result.peakAnonMb.toFixed(0)}, file ${result.peakFileMb.toFixed(0)})` +
  (result.dashboardP99 === undefined
    ? ''
    : `; dashboards p50 ${result.dashboardP50.toFixed(2)} ms, p99 ${result.dashboardP99.toFixed(2)} ms, ${result.hubMessages} hub msgs`);

/** The hub's environment for bench/_memory-probe.js (NODE_OPTIONS reaches a hub started by the bin too). */
const probeEnv = (dir) => ({
  NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import=${resolve('bench/_memory-probe.js')}`.trim(),
  GRIDFLEX_MEMORY_PROBE_DIR: dir,
});
/** Prints what each of the hub's threads last wrote, and its peaks under the load. */
function printProbe(dir) {
  for (const file of readdirSync(dir).sort()) {
    const { now, peak, spaces } = JSON.parse(readFileSync(join(dir, file), 'utf8'));
    const figures = (values) =>
      Object.entries(values)
        .map(([key, value]) => `${key.replace(/Mb$/, '')} ${value}`)
        .join(', ');
    console.log(
      `    ${file.replace('.json', '')}: now ${figures(now)}; peak ${figures(peak)}; spaces ${spaces.join(', ')}`,
    );
  }
}

const boards = await registerBoards('lat', DEVICES);
/** Each broker's results, round by round. */
const results = new Map(names.map((name) => [name, []]));
try {
  for (let round = 1; round <= ROUNDS; round++) {
    const order = names.map((_, index) => names[(index + round - 1) % names.length]);
    for (const name of order) {
      const probeDir =
        flags['memory-probe'] && name.startsWith('hub') ? join(boards.dir, `probe-${name}`) : null;
      if (probeDir) mkdirSync(probeDir, { recursive: true });
      const broker = await BROKERS[name](boards.dir, probeDir ? probeEnv(probeDir) : {});
      if (!broker) {
        console.log(`${name}: not installed (apt-get install mosquitto), skipped`);
        continue;
      }
      try {
        const watched = DASHBOARDS > 0 && broker.wsUrl ? { wsUrl: broker.wsUrl, dashboards: DASHBOARDS } : {};
        const { dashboard, ...result } = await measureLatency(
          broker.url,
          boards.passwords,
          broker.pid,
          watched,
        );
        if (dashboard)
          Object.assign(result, {
            dashboardP50: dashboard.p50,
            dashboardP99: dashboard.p99,
            hubMessages: dashboard.hubMessages,
          });
        results.get(name)?.push(result);
        console.log(
          `round ${round} ${name.padEnd(9)} (load average ${result.load.toFixed(1)}) ${result.count} msgs: ${line(result)}`,
        );
        if (probeDir) printProbe(probeDir);
      } finally {
        await broker.stop();
      }
    }
  }
  const medians = new Map();
  for (const [name, runs] of results) {
    if (runs.length === 0) continue;
    const keys = ['p50', 'p99', 'cpuUsPerMessage', 'peakRssMb', 'peakAnonMb', 'peakFileMb'];
    if (runs[0].dashboardP99 !== undefined) keys.push('dashboardP50', 'dashboardP99', 'hubMessages');
    const figures = keys.map((key) => [key, median(runs.map((run) => run[key]))]);
    medians.set(name, Object.fromEntries(figures));
    console.log(`median of ${runs.length} ${name.padEnd(9)} ${line(medians.get(name))}`);
  }
  const ratio = (a, b) => {
    const x = medians.get(a);
    const y = medians.get(b);
    if (!x || !y) return;
    console.log(
      `  ${a} / ${b}: CPU/msg ${(x.cpuUsPerMessage / y.cpuUsPerMessage).toFixed(2)}x, p50 ${(x.p50 / y.p50).toFixed(2)}x, p99 ${(x.p99 / y.p99).toFixed(2)}x, RSS ${(x.peakRssMb / y.peakRssMb).toFixed(2)}x`,
    );
  };
  ratio('streams', 'aedes');
  ratio('embedded', 'streams');
  ratio('embedded', 'aedes');
  ratio('aedes', 'mosquitto');
  ratio('embedded', 'mosquitto');
  ratio('hub', 'embedded');
  for (const name of names) if (name.startsWith('hub')) ratio(name, 'mosquitto');
  console.log(
    `${DEVICES} boards x 1 msg/s for ${SECONDS} s each, QoS 1, loopback, brokers alternating round by round; latency = publish call to delivery; RSS = peak VmRSS sampled every 0.5 s under the load; CPU/msg = the broker process's CPU time over the load per delivered message.`,
  );
} finally {
  boards.remove();
}
