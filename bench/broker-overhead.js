// Is the embedded broker's cost per message Aedes itself or the hub's hooks (issue 18 §2)? The latency load of
// bench/hub-latency.js (bench/_latency-load.js: 200 boards at 1 msg/s, QoS 1, loopback, 15 s) on each broker, each
// in a process of its own (bench/_broker-server.js), alternating round by round in one run: `aedes` bare Aedes
// (`Aedes.createBroker()` over a net server, no hooks); `streams` bare Aedes with the EmbeddedBroker's stream parts
// only (no Nagle delay, frame guard, write batching); `unbatched` the same without the write batching; `embedded`
// the EmbeddedBroker alone (authentication, ACL, rate limits, payload checks, retained quota and the stream parts;
// no table); `hub` the whole hub (`gridflex hub` on its default table, started by node); `mosquitto` Mosquitto 2
// (same users and ACLs). Each round starts one broker later than the last, so none always runs first. Prints each
// run's CPU/msg, p50/p99 and peak RSS, then each broker's median over the rounds and the ratios.
//
// Flags: --rounds=<n> (default 3); --node-flags="<flags>" passes node flags to the node brokers (e.g.
// "--cpu-prof --cpu-prof-dir=/tmp/prof"); --only=aedes,streams,unbatched,embedded,hub,mosquitto measures only those.
//
// Figures (Dec 6 2026, medians of 3 rounds, load average 2.6-6.4 on 2 cores shared with other sessions): CPU 230
// µs/msg bare Aedes, 237 with the stream parts, 267 the EmbeddedBroker, 330 the whole hub, 47 Mosquitto; p50 0.32,
// 0.31, 0.39, 0.24, 0.16 ms; p99 4.88, 3.72, 3.69, 3.49, 2.81 ms; RSS 103, 103, 113, 166, 9 MB. At load 1-2: 197,
// 240, 237, 310, 33 µs/msg; at load 8-13 (no `streams`): 210, -, 254, 330, 43. So the cost per message is Aedes's:
// bare, it takes 4.9-5.9x Mosquitto's CPU and 11.5x its memory; all our parts together add 16-21 % (the hooks'
// authorizePublish was 4 % of the broker process's busy time in a --cpu-prof run; the socket writes about 30 % in
// both Aedes profiles), and the hub 24-31 % more, which a profile puts in the table's steps and the plan thread (a
// cost per step, not per message). Of our parts the write batching is the one that costs: `streams` against
// `unbatched`, 4 rounds at load 1.2-3.5, CPU 220/203, 280/250, 247/233, 273/223 µs/msg and p50 0.31/0.25,
// 0.33/0.29, 0.31/0.29, 0.34/0.28 ms (higher in every pair; p99 in 3 of 4): under this load a client gets about one
// packet a turn, so the batch adds a setImmediate and a copy and saves no write.
import { parseArgs } from 'node:util';
import { DEVICES, measureLatency, SECONDS } from './_latency-load.js';
import { registerBoards, startBrokerServer, startHub, startMosquitto } from './_mqtt-peers.js';

const { values: flags } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    'node-flags': { type: 'string', default: '' },
    only: { type: 'string', default: 'aedes,streams,unbatched,embedded,hub,mosquitto' },
  },
});
const ROUNDS = Number(flags.rounds);
if (!(Number.isInteger(ROUNDS) && ROUNDS >= 1)) throw new Error(`--rounds: "${flags.rounds}" is not a count`);
const nodeFlags = flags['node-flags'].split(' ').filter(Boolean);
const BROKERS = {
  aedes: (dir) => startBrokerServer('aedes', dir, nodeFlags),
  streams: (dir) => startBrokerServer('streams', dir, nodeFlags),
  unbatched: (dir) => startBrokerServer('unbatched', dir, nodeFlags),
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
  ratio('streams', 'unbatched');
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
