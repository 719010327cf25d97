// A flooding client in its own thread (startFlood in _mqtt-peers.js): publishes `payload` on `topic` at QoS 0
// as fast as its socket takes it and reconnects 10 ms after every cut-off or refusal, until told to stop; then
// reports how many of its messages an anonymous subscriber to `countTopic` received (0 without one).
import { parentPort, workerData } from 'node:worker_threads';
import mqtt from 'mqtt';

const { url, username, password, topic, payload, countTopic } = workerData;

const counter = countTopic
  ? mqtt.connect(url, { protocolVersion: 4, clientId: 'flood-counter', reconnectPeriod: 0 })
  : null;
let delivered = 0;
counter?.on('message', () => delivered++);
await counter?.subscribeAsync(countTopic, { qos: 0 });

const flooder = mqtt.connect(url, {
  protocolVersion: 4,
  clientId: username,
  username,
  password,
  reconnectPeriod: 10,
  // mqtt.js gives up at the first refused CONNECT (a hold-off) unless told; a flooder keeps trying.
  reconnectOnConnackError: true,
});
flooder.on('error', () => {});
let stopped = false;
const pump = () => {
  if (stopped || !flooder.connected) return;
  for (let index = 0; index < 100; index++) flooder.publish(topic, payload);
  setImmediate(pump);
};
flooder.on('connect', pump);
parentPort.postMessage({ ready: true });
parentPort.once('message', async () => {
  stopped = true;
  flooder.end(true);
  await counter?.endAsync();
  parentPort.postMessage({ delivered });
});
