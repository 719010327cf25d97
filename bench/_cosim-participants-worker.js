// Worker for bench/cosim-lockstep.js: the lockstep participants, each its own MQTT connection with its own
// device identity, answering every step announcement it is due in with its outputs for that step. The main
// thread sets how they answer ({qos, sleepSteps, aheadSteps}: the answers' QoS, 0 or the steps to sleep after
// each, 0 or the steps after it answered ahead in the same message).
import { parentPort, workerData } from 'node:worker_threads';
import mqtt from 'mqtt';

const { url, boards } = workerData;
let answering = { qos: 0, sleepSteps: 0, aheadSteps: 0 };
/** A participant's outputs for step k. */
const outputsAt = (step) => ({ pKw: -1.2, step });
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
    const { qos, sleepSteps, aheadSteps } = answering;
    const answer = { step: step.step, outputs: outputsAt(step.step) };
    if (sleepSteps > 0) answer.nextStep = step.step + sleepSteps;
    if (aheadSteps > 0)
      answer.ahead = Array.from({ length: aheadSteps }, (_, index) => outputsAt(step.step + 1 + index));
    client.publish(`gridflex/cosim/v1/${id}/answer`, JSON.stringify(answer), { qos });
  });
  await client.subscribeAsync('gridflex/v1/cosim/step', { qos: 1 });
  await client.publishAsync(`gridflex/cosim/v1/${id}/register`, JSON.stringify({ policy: 'wait' }), {
    qos: 1,
  });
}
parentPort.postMessage('ready');
parentPort.on('message', async (message) => {
  if (message === 'close') {
    await Promise.all(clients.map(({ client }) => client.endAsync()));
    parentPort.postMessage('closed');
    return;
  }
  answering = message;
  parentPort.postMessage('set');
});
