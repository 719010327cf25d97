// End-to-end latency through the hub: 200 simulated boards (each its own MQTT connection and credentials)
// publish one reading (a plain Homie 5 float) per second each, spread evenly over the second; one subscriber measures
// publish-to-delivery time. The same load runs through Mosquitto 2 started in the same run (same users
// and ACLs) as the peer. Prints p50/p99/max for both and the ratios.
import { connect, percentile, registerBoards, startHub, startMosquitto } from './_mqtt-peers.js';

const DEVICES = 200;
const SECONDS = 15;

async function measure(url, passwords) {
  const subscriber = await connect(url, { clientId: 'latency-sub' });
  await subscriber.subscribeAsync('homie/5/+/lat/value', { qos: 1 });
  const latenciesMs = [];
  subscriber.on('message', (_topic, payload) => {
    latenciesMs.push(performance.now() - Number(payload.toString()));
  });
  const devices = [];
  for (const [username, password] of passwords) {
    devices.push(await connect(url, { clientId: username, username, password }));
  }
  const timers = [];
  await new Promise((done) => {
    devices.forEach((device, index) => {
      const topic = `homie/5/${device.options.username}/lat/value`;
      const send = () => device.publish(topic, String(performance.now()), { qos: 1 });
      // Stagger the boards evenly over the second, as independent boards would be.
      timers.push(
        setTimeout(
          () => {
            send();
            timers.push(setInterval(send, 1000));
          },
          (index * 1000) / DEVICES,
        ),
      );
    });
    setTimeout(done, SECONDS * 1000);
  });
  for (const timer of timers) clearInterval(timer);
  await Promise.all(devices.map((device) => device.endAsync()));
  await subscriber.endAsync();
  const sorted = latenciesMs.sort((a, b) => a - b);
  return {
    count: sorted.length,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted.at(-1),
  };
}

const boards = await registerBoards('lat', DEVICES);
const results = [];
try {
  for (const [name, start] of [
    ['hub (Aedes)', () => startHub(boards.dir)],
    ['mosquitto', () => startMosquitto(boards.dir)],
  ]) {
    const broker = await start();
    if (!broker) {
      console.log(`${name}: not installed (apt-get install mosquitto), no peer to compare with`);
      continue;
    }
    try {
      const result = await measure(broker.url, boards.passwords);
      results.push({ name, ...result });
      console.log(
        `${name.padEnd(12)} ${result.count} msgs: p50 ${result.p50.toFixed(2)} ms, p99 ${result.p99.toFixed(2)} ms, max ${result.max.toFixed(2)} ms`,
      );
    } finally {
      await broker.stop();
    }
  }
  if (results.length === 2) {
    const [hub, peer] = results;
    console.log(
      `hub / mosquitto: p50 ${(hub.p50 / peer.p50).toFixed(2)}x, p99 ${(hub.p99 / peer.p99).toFixed(2)}x`,
    );
  }
  console.log(
    `${DEVICES} boards x 1 msg/s for ${SECONDS} s each, QoS 1, loopback; latency = publish call to delivery.`,
  );
} finally {
  boards.remove();
}
