// One benchmark publisher in its own thread: connects as its board, waits for "go", publishes `count`
// 100-byte property values (plain Homie 5 strings) with at most `window` unfinished publishes, then reports.
import { parentPort, workerData } from 'node:worker_threads';
import mqtt from 'mqtt';

const { url, username, password, count, qos, window } = workerData;
const topic = `homie/5/${username}/bench/value`;

function payload(seq) {
  const tail = `-${seq}`;
  return 'x'.repeat(Math.max(0, 100 - tail.length)) + tail;
}

const client = mqtt.connect(url, {
  protocolVersion: 4,
  clientId: username,
  username,
  password,
  reconnectPeriod: 0,
});
client.once('error', (error) => parentPort.postMessage({ error: error.message }));
client.once('connect', () => parentPort.postMessage({ ready: true }));
parentPort.once('message', () => {
  let sent = 0;
  let finished = 0;
  const pump = () => {
    while (sent < count && sent - finished < window) {
      client.publish(topic, payload(sent), { qos }, () => {
        finished++;
        if (finished === count) client.end(false, {}, () => parentPort.postMessage({ done: true }));
        else pump();
      });
      sent++;
    }
  };
  pump();
});
