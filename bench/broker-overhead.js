// Is the embedded broker's cost per message Aedes itself or the hub's hooks (issue 18 §2)? The latency load of
// bench/hub-latency.js (bench/_latency-load.js: 200 boards at 1 msg/s, QoS 1, loopback, 15 s) on three brokers,
// each in a process of its own, alternating round by round in one run: bare Aedes (`Aedes.createBroker()` over a
// net server, no hooks), bare Aedes with the EmbeddedBroker's stream parts only (no Nagle delay, frame guard, write
// batching: bench/_broker-server.js `streams`), the hub's EmbeddedBroker alone (its authentication, ACL, rate limits, payload checks,
// retained quota, frame guard and write batching; no table, no simulation), the whole hub (`gridflex hub` on its
// default table, started by node: the broker, its in-process link and the table) and Mosquitto 2 (same users and
// ACLs). Each round starts with the next broker of the last round's first, so none always runs first. Prints each
// run's CPU/msg, p50/p99 and peak RSS, then each broker's median over the rounds and the ratios.
//
// Flags: --rounds=<n> (default 3); --node-flags="<flags>" passes node flags to the node brokers (e.g.
// "--cpu-prof --cpu-prof-dir=/tmp/prof"); --only=aedes,streams,embedded,hub,mosquitto measures only those.
//
// Figures (Dec 6 2026, `node bench/broker-overhead.js`, 3 rounds, medians; load average 2.6-6.4 on 2 cores shared
// with other sessions): CPU 230 µs/msg bare Aedes, 237 with the stream parts (1.03x), 267 the EmbeddedBroker
// (1.13x the stream parts, 1.16x bare Aedes), 330 the whole hub (1.24x the broker alone), 47 Mosquitto; p50 0.32,
// 0.31, 0.39, 0.24, 0.16 ms; p99 4.88, 3.72, 3.69, 3.49, 2.81 ms; RSS 103, 103, 113, 166, 9 MB. An earlier run at
// load 8-13 without the stream-parts broker: 210, 254, 330, 43 µs/msg (embedded/aedes 1.21x), p99 12.3, 24.1,
// 54.2, 4.1 ms. So the cost per message is Aedes's: bare Aedes takes 4.9x Mosquitto's CPU and 11.5x its memory;
// every hook of ours together adds 13-21 % to it (authorizePublish was 4 % of the broker's busy time in a
// --cpu-prof of the run), and the table, its link and the dashboard's publishes another 24 %. In both Aedes
// profiles the socket writes are about 30 % (one write per PUBACK and one per PUBLISH; Mosquitto's are in C).
import { parseArgs } from 'node:util';
import { DEVICES, measureLatency, SECONDS } from './_latency-load.js';
import { registerBoards, startBrokerServer, startHub, startMosquitto } from './_mqtt-peers.js';

const { values: flags } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    'node-flags': { type: 'string', default: '' },
    only: { type: 'string', default: 'aedes,streams,embedded,hub,mosquitto' },
  },
});
const ROUNDS = Number(flags.rounds);
if (!(Number.isInteger(ROUNDS) && ROUNDS >= 1)) throw new Error(`--rounds: "${flags.rounds}" is not a count`);
const nodeFlags = flags['node-flags'].split(' ').filter(Boolean);
const BROKERS = {
  aedes: (dir) => startBrokerServer('aedes', dir, nodeFlags),
  streams: (dir) => startBrokerServer('streams', dir, nodeFlags),
  embedded: (dir) => startBrokerServer('embedded', dir, nodeFlags),
  hub: (dir) => startHub(dir, [], nodeFlags),
  mosquitto: (dir) => startMosquitto(dir),
};
const names = flags.only.split(',');
for (const name of names)
  if (!BROKERS[name]) throw new Error(`--only: "${name}" is not one of ${Object.keys(BROKERS)}`);

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
const line = (result) =>
  `p50 ${result.p50.toFixed(2)} ms, p99 ${result.p99.toFixed(2)} ms, CPU ${result.cpuUsPerMessage.toFixed(0)} µs/msg, RSS ${result.peakRssMb.toFixed(0)} MB`;

const boards = await registerBoards('lat', DEVICES);
/** Each broker's results, round by round. */
const results = new Map(names.map((name) => [name, []]));
try {
  for (let round = 1; round <= ROUNDS; round++) {
    const order = names.map((_, index) => names[(index + round - 1) % names.length]);
    for (const name of order) {
      const broker = await BROKERS[name](boards.dir);
      if (!broker) {
        console.log(`${name}: not installed (apt-get install mosquitto), skipped`);
        continue;
      }
      try {
        const result = await measureLatency(broker.url, boards.passwords, broker.pid);
        results.get(name)?.push(result);
        console.log(
          `round ${round} ${name.padEnd(9)} (load average ${result.load.toFixed(1)}) ${result.count} msgs: ${line(result)}`,
        );
      } finally {
        await broker.stop();
      }
    }
  }
  const medians = new Map();
  for (const [name, runs] of results) {
    if (runs.length === 0) continue;
    const figures = ['p50', 'p99', 'cpuUsPerMessage', 'peakRssMb'].map((key) => [
      key,
      median(runs.map((run) => run[key])),
    ]);
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
  ratio('hub', 'mosquitto');
  console.log(
    `${DEVICES} boards x 1 msg/s for ${SECONDS} s each, QoS 1, loopback, brokers alternating round by round; latency = publish call to delivery; RSS = peak VmRSS sampled every 0.5 s under the load; CPU/msg = the broker process's CPU time over the load per delivered message.`,
  );
} finally {
  boards.remove();
}
