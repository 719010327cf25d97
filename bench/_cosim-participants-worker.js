// Worker for bench/cosim-lockstep.js: the lockstep participants, each its own MQTT connection with its own
// device identity, answering every step announcement it is due in with its outputs for that step.
import { parentPort, workerData } from 'node:worker_threads';
import mqtt from 'mqtt';

const { url, boards } = workerData;
const clients = await Promise.all(
  boards.map(
    ([id, password]) =>
      new Promise((resolve, reject) => {
        const client = mqtt.connect(url, {
          protocolVersion: 4,
          clientId: id,
          username: id,
          password,
          reconnectPeriod: 0,
        });
        client.once('connect', () => {
          // Small messages both ways every step: no Nagle delay on the participant's side.
          client.stream.setNoDelay?.(true);
          resolve({ id, client });
        });
        client.once('error', reject);
      }),
  ),
);
for (const { id, client } of clients) {
  client.on('message', (_topic, payload) => {
    const step = JSON.parse(payload.toString());
    if (!step.due.includes(id)) return;
    client.publish(
      `gridflex/cosim/v1/${id}/answer`,
      JSON.stringify({ step: step.step, outputs: { pKw: -1.2, step: step.step } }),
      { qos: Number(process.env.COSIM_QOS ?? 1) },
    );
  });
  await client.subscribeAsync('gridflex/v1/cosim/step', { qos: Number(process.env.COSIM_QOS ?? 1) });
  await client.publishAsync(`gridflex/cosim/v1/${id}/register`, JSON.stringify({ policy: 'wait' }), {
    qos: Number(process.env.COSIM_QOS ?? 1),
  });
}
parentPort.postMessage('ready');
parentPort.once('message', async () => {
  await Promise.all(clients.map(({ client }) => client.endAsync()));
  parentPort.postMessage('closed');
});
