// The embedded broker on two nodes through Redis (`gridflex hub --cluster`) beside one node, in one run on this
// machine: a plain hub (no Redis), one cluster node with publishers and subscriber both on it (every message
// goes through Redis pub/sub and back), and two cluster nodes with the publishers on node A and the subscriber
// on node B. Throughput: 4 boards (own threads) publish 100-byte values to one subscriber, QoS 0 and 1.
// Latency: one board publishes 200 values/s for 5 s, QoS 1, each carrying its send time. Rounds alternate
// between the variants so other processes' load hits all alike; medians are printed with the ratio to the
// plain hub. redis-server runs on a free loopback port without persistence; the per-board rate limit is lifted.
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  connect,
  measureThroughput,
  percentile,
  registerBoards,
  startHub,
  startRedis,
} from './_mqtt-peers.js';

const PUBLISHERS = 4;
const RUNS = [
  { qos: 0, perPublisher: 20_000, window: 500 },
  { qos: 1, perPublisher: 5_000, window: 100 },
];
const LATENCY_PER_SECOND = 200;
const LATENCY_SECONDS = 5;
const ROUNDS = 3;
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** Publish-to-delivery times in ms of one board publishing at a steady rate on `pubUrl`, read on `subUrl`. */
async function measureLatencyMs(pubUrl, subUrl, [username, password]) {
  const subscriber = await connect(subUrl, { clientId: 'bench-latency-sub' });
  await subscriber.subscribeAsync(`homie/5/${username}/lat/value`, { qos: 1 });
  const board = await connect(pubUrl, { clientId: username, username, password });
  const latenciesMs = [];
  subscriber.on('message', (_topic, payload) =>
    latenciesMs.push(performance.now() - Number(payload.toString())),
  );
  const count = LATENCY_PER_SECOND * LATENCY_SECONDS;
  for (let i = 0; i < count; i++) {
    board.publish(`homie/5/${username}/lat/value`, String(performance.now()), { qos: 1 });
    await new Promise((done) => setTimeout(done, 1000 / LATENCY_PER_SECOND));
  }
  await new Promise((done) => setTimeout(done, 1000));
  await Promise.all([board.endAsync(), subscriber.endAsync()]);
  return { sorted: latenciesMs.sort((a, b) => a - b), lost: count - latenciesMs.length };
}

const boards = await registerBoards('bench', PUBLISHERS + 1);
// The plain hub needs its own data dir (one hub per dir) with the same boards.
const plainDir = mkdtempSync(join(tmpdir(), 'gridflex-bench-plain-'));
copyFileSync(join(boards.dir, 'credentials.json'), join(plainDir, 'credentials.json'));
const latencyBoard = [...boards.passwords].at(-1);
const unlimited = ['--rate-limit', '10000000'];
const started = [];
const redis = await startRedis();
try {
  const plain = await startHub(plainDir, unlimited);
  started.push(plain);
  const cluster = ['--cluster', redis.url, ...unlimited];
  const nodeA = await startHub(boards.dir, [...cluster, '--cluster-node-id', 'bench-a']);
  started.push(nodeA);
  const nodeB = await startHub(boards.dir, [...cluster, '--cluster-node-id', 'bench-b', '--no-sim']);
  started.push(nodeB);
  const variants = [
    { name: '1 node, no Redis', pub: plain.url, sub: plain.url },
    { name: '1 node through Redis', pub: nodeA.url, sub: nodeA.url },
    { name: '2 nodes (A -> B)', pub: nodeA.url, sub: nodeB.url },
  ];
  const figures = new Map(
    variants.map((variant) => [variant.name, { rates: new Map(), p50: [], p99: [], lost: 0 }]),
  );
  for (let round = 0; round < ROUNDS; round++) {
    for (const variant of variants) {
      const figure = figures.get(variant.name);
      for (const run of RUNS) {
        const result = await measureThroughput(variant.pub, variant.sub, boards.passwords, run, PUBLISHERS);
        figure.rates.set(run.qos, [...(figure.rates.get(run.qos) ?? []), result.rate]);
        if (result.received < result.total) {
          console.log(`${variant.name} QoS ${run.qos}: only ${result.received}/${result.total} delivered`);
        }
      }
      const latency = await measureLatencyMs(variant.pub, variant.sub, latencyBoard);
      figure.p50.push(percentile(latency.sorted, 50));
      figure.p99.push(percentile(latency.sorted, 99));
      figure.lost += latency.lost;
    }
  }
  const base = figures.get(variants[0].name);
  const column = (value, reference, digits, unit) =>
    `${value.toFixed(digits)} ${unit} (${(value / reference).toFixed(2)}x)`.padEnd(26);
  console.log(
    `${'variant'.padEnd(24)}${['QoS 0 msgs/s', 'QoS 1 msgs/s', 'latency p50', 'latency p99'].map((h) => h.padEnd(26)).join('')}`,
  );
  for (const variant of variants) {
    const figure = figures.get(variant.name);
    const cells = [
      ...RUNS.map((run) => column(median(figure.rates.get(run.qos)), median(base.rates.get(run.qos)), 0, '')),
      column(median(figure.p50), median(base.p50), 2, 'ms'),
      column(median(figure.p99), median(base.p99), 2, 'ms'),
    ];
    console.log(
      `${variant.name.padEnd(24)}${cells.join('')}${figure.lost ? `  (${figure.lost} latency messages lost)` : ''}`,
    );
  }
  console.log(
    `Median of ${ROUNDS} alternating rounds; throughput ${PUBLISHERS} publishers -> 1 subscriber (QoS 0 ${PUBLISHERS}x${RUNS[0].perPublisher}, QoS 1 ${PUBLISHERS}x${RUNS[1].perPublisher}), latency 1 board at ${LATENCY_PER_SECOND}/s for ${LATENCY_SECONDS} s QoS 1; (x) = ratio to 1 node, no Redis. Loopback, one machine.`,
  );
} finally {
  for (const hub of started.reverse()) await hub.stop();
  await redis.stop();
  boards.remove();
  rmSync(plainDir, { recursive: true, force: true });
}
