// Hub broker throughput: several publishers (each its own thread and registered board) send 100-byte
// property values to one subscriber, at QoS 0 and QoS 1, through `gridflex hub` (embedded Aedes with
// authentication, ACLs and payload validation; the per-client rate limit is lifted for the run) and through
// Mosquitto 2 started in the same run with the same users and ACLs. Prints msgs/s for both and the ratio
// (target: hub >= 0.8 x Mosquitto).
import { measureThroughput, registerBoards, startHub, startMosquitto } from './_mqtt-peers.js';

const PUBLISHERS = 4;
const RUNS = [
  { qos: 0, perPublisher: 50_000, window: 500 },
  { qos: 1, perPublisher: 10_000, window: 100 },
];
const ROUNDS = 3;
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

const boards = await registerBoards('bench', PUBLISHERS);
const brokers = [];
try {
  brokers.push({ name: 'hub (Aedes)', ...(await startHub(boards.dir, ['--rate-limit', '10000000'])) });
  const mosquitto = await startMosquitto(boards.dir);
  if (mosquitto) brokers.push({ name: 'mosquitto', ...mosquitto });
  else console.log('mosquitto: not installed (apt-get install mosquitto), no peer to compare with');
  // Rounds alternate between the brokers so that load from other processes hits both alike; medians are kept.
  const rates = new Map();
  for (let round = 0; round < ROUNDS; round++) {
    for (const run of RUNS) {
      for (const broker of brokers) {
        const result = await measureThroughput(broker.url, broker.url, boards.passwords, run, PUBLISHERS);
        const key = `${broker.name}|${run.qos}`;
        rates.set(key, [...(rates.get(key) ?? []), result.rate]);
        if (result.received < result.total) {
          console.log(`${broker.name} QoS ${run.qos}: only ${result.received}/${result.total} delivered`);
        }
      }
    }
  }
  for (const run of RUNS) {
    const line = brokers.map((broker) => {
      const rate = median(rates.get(`${broker.name}|${run.qos}`));
      return `${broker.name} ${Math.round(rate).toLocaleString('en-GB')} msgs/s`;
    });
    console.log(
      `QoS ${run.qos} (${PUBLISHERS} x ${run.perPublisher.toLocaleString('en-GB')} msgs): ${line.join(', ')}`,
    );
    if (brokers.length === 2) {
      const ratio = median(rates.get(`hub (Aedes)|${run.qos}`)) / median(rates.get(`mosquitto|${run.qos}`));
      console.log(
        `  hub / mosquitto = ${ratio.toFixed(2)}x (target >= 0.80x: ${ratio >= 0.8 ? 'met' : 'NOT met'})`,
      );
    }
  }
  console.log(
    `Median of ${ROUNDS} alternating rounds; ${PUBLISHERS} publishers -> 1 subscriber, 100-byte payloads, loopback.`,
  );
} finally {
  for (const broker of brokers) await broker.stop();
  boards.remove();
}
