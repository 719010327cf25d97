// One board flooding its own topics (issue 21) against everyone else's latency, in one run of the hub
// (embedded Aedes, its default limits): 50 boards publish one message a second each, spread over the second,
// and a subscriber measures publish-to-delivery time; with no flood, then while board 0 publishes as
// fast as it can and reconnects at once whenever it is cut off. Prints the other boards' p50/p99 in both
// phases (three rounds of each, alternating) and their ratio, and how many flood messages got through per second;
// then the same through Mosquitto 2 on the same boards (gridflex mosquitto-config), started after the hub stops.

import { loadavg } from 'node:os';
import { DEFAULT_PUBLISH_RATE } from '../dist/hub/broker/rate-limiter.js';
import {
  connect,
  onHubThenMosquitto,
  percentile,
  registerBoards,
  startFlood,
  startHub,
} from './_mqtt-peers.js';

const BOARDS = 50;
const SECONDS = 8;
/** Quiet and flooded phases alternate, so a change in the machine's other load falls on both alike. */
const ROUNDS = 3;

/** The others' latencies over SECONDS while `during` runs (a flood, or nothing). */
async function measure(url, others) {
  const subscriber = await connect(url, { clientId: 'flood-latency-sub' });
  await subscriber.subscribeAsync('homie/5/+/$log/info', { qos: 1 });
  const latenciesMs = [];
  subscriber.on('message', (_topic, payload) =>
    latenciesMs.push(performance.now() - Number(payload.toString())),
  );
  const devices = [];
  for (const [username, password] of others)
    devices.push(await connect(url, { clientId: username, username, password }));
  const timers = [];
  await new Promise((done) => {
    devices.forEach((device, index) => {
      const send = () =>
        device.publish(`homie/5/${device.options.username}/$log/info`, String(performance.now()), { qos: 1 });
      // Staggered evenly over the second, as independent boards would be.
      timers.push(
        setTimeout(
          () => {
            send();
            timers.push(setInterval(send, 1000));
          },
          (index * 1000) / devices.length,
        ),
      );
    });
    setTimeout(done, SECONDS * 1000);
  });
  for (const timer of timers) clearInterval(timer);
  await Promise.all(devices.map((device) => device.endAsync()));
  await subscriber.endAsync();
  return latenciesMs;
}

function summary(latenciesMs) {
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  return { count: sorted.length, p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
}

/** Quiet and flooded phases alternating on one broker; the others' latencies in each, and the flood delivered. */
async function floodRounds(url, flooderName, flooderPassword, others) {
  const quietMs = [];
  const floodedMs = [];
  /** Each round's p99s: the first flood spends the flooder's whole burst, later ones a second's worth. */
  const roundsP99 = [];
  let delivered = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const quiet = await measure(url, others);
    quietMs.push(...quiet);
    const topic = `homie/5/${flooderName}/$log/debug`;
    const stopFlood = await startFlood(url, {
      username: flooderName,
      password: flooderPassword,
      topic,
      payload: 'x'.repeat(200),
      countTopic: topic,
    });
    const flooded = await measure(url, others);
    floodedMs.push(...flooded);
    delivered += await stopFlood();
    roundsP99.push(`${summary(quiet).p99.toFixed(1)} / ${summary(flooded).p99.toFixed(1)}`);
  }
  return {
    quiet: summary(quietMs),
    flooded: summary(floodedMs),
    deliveredPerS: delivered / (SECONDS * ROUNDS),
    roundsP99,
  };
}

const boards = await registerBoards('flood', BOARDS + 1);
const [[flooderName, flooderPassword], ...others] = [...boards.passwords];
try {
  await onHubThenMosquitto(
    boards.dir,
    () => startHub(boards.dir),
    async (name, broker) => {
      const { quiet, flooded, deliveredPerS, roundsP99 } = await floodRounds(
        broker.url,
        flooderName,
        flooderPassword,
        others,
      );
      for (const [phase, result] of [
        ['no flood', quiet],
        ['one board flooding', flooded],
      ]) {
        console.log(
          `${name.padEnd(12)} ${phase.padEnd(19)} ${result.count} msgs from the other ${others.length} boards: p50 ${result.p50.toFixed(2)} ms, p99 ${result.p99.toFixed(2)} ms`,
        );
      }
      console.log(
        `${name.padEnd(12)} flooded / no flood: p50 ${(flooded.p50 / quiet.p50).toFixed(2)}x, p99 ${(flooded.p99 / quiet.p99).toFixed(2)}x (p99 no flood / flooding by round: ${roundsP99.join(', ')} ms); the flooding board got ${deliveredPerS.toFixed(0)} msg/s delivered`,
      );
    },
  );
  console.log(
    `hub limit ${DEFAULT_PUBLISH_RATE.perSecond} msg/s, burst ${DEFAULT_PUBLISH_RATE.burst}, per identity over reconnects (Mosquitto: what gridflex mosquitto-config writes); load average ${loadavg()
      .map((load) => load.toFixed(1))
      .join(' ')}`,
  );
} finally {
  boards.remove();
}
