// Lockstep co-simulation over MQTT: steps/s of the hub's lockstep coordinator (hub/cosim/lockstep.ts, as the
// hub runs it in clock mode `lockstep`) with 10 participants, each its own MQTT connection and device identity
// through the embedded broker (authentication, ACLs, payload validation) on loopback; the participants run
// in a worker thread. Every step: announce k, wait for all 10 answers, publish `cosim/done` k. Peer, same
// participants in the same run: the steps announced back to back with no lockstep wait (all answers
// counted). Only the co-simulation's coordination is timed, not the street's own step (power flow, agents).
// mosaik's figure beside it is its published demo figure (about 540 steps/s), not measured here.
// The hub uses QoS 1 both ways (a lost announcement would stall a `wait` step); COSIM_QOS=0 shows QoS 0,
// COSIM_STEPS changes the steps per round.
import { Worker } from 'node:worker_threads';
import { CredentialStore } from '../dist/hub/auth/credentials.js';
import { EmbeddedBroker } from '../dist/hub/broker/embedded-broker.js';
import { LockstepCoordinator } from '../dist/hub/cosim/lockstep.js';
import { InProcessLink } from '../dist/hub/live/link.js';
import { registerBoards } from './_mqtt-peers.js';

const PARTICIPANTS = 10;
const STEPS = Number(process.env.COSIM_STEPS ?? 2000);
const ROUNDS = 3;
const MOSAIK_PUBLISHED_STEPS_PER_S = 540;
const START = Date.parse('2026-01-15T00:00:00Z');
const simTime = (step) => new Date(START + step * 60_000).toISOString();
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

const boards = await registerBoards('cosim', PARTICIPANTS);
const broker = await EmbeddedBroker.start({
  host: '127.0.0.1',
  mqttPort: 0,
  wsPort: null,
  credentials: CredentialStore.open(boards.dir),
  rateLimit: { perSecond: 10_000_000, burst: 100_000_000 },
});
const link = new InProcessLink(broker.aedes);
const coordinator = new LockstepCoordinator({
  policy: 'wait',
  timeoutMs: 10_000,
  publish: (topic, body, retain) =>
    link.publish(topic, JSON.stringify(body), { qos: Number(process.env.COSIM_QOS ?? 1), retain }),
  log: (level, message) => {
    if (level === 'warn') process.stderr.write(`${message}\n`);
  },
});
let onAnswer = () => {};
await link.subscribeWithSender('gridflex/cosim/v1/+/+', (topic, payload, sender) => {
  coordinator.onMessage(topic, payload, sender?.username ?? null);
  if (topic.endsWith('/answer')) onAnswer();
});
const worker = new Worker(new URL('./_cosim-participants-worker.js', import.meta.url), {
  workerData: { url: `mqtt://127.0.0.1:${broker.mqttPort}`, boards: [...boards.passwords] },
});
await new Promise((done, reject) => {
  worker.once('message', done);
  worker.once('error', reject);
});
while (coordinator.snapshot().participants.length < PARTICIPANTS)
  await new Promise((done) => setTimeout(done, 10));

let step = 0;
async function lockstep() {
  const start = performance.now();
  for (let index = 0; index < STEPS; index++) {
    step++;
    const outcome = await coordinator.runStep(step, simTime(step), 1);
    if (outcome.answered.length !== PARTICIPANTS)
      throw new Error(`step ${step}: ${outcome.answered.length} answers`);
  }
  return STEPS / ((performance.now() - start) / 1000);
}

/** The same announcements back to back, not waiting: done when every participant answered every step. */
async function noWait() {
  const due = coordinator.snapshot().participants.map((participant) => participant.id);
  let answers = 0;
  const all = new Promise((done) => {
    onAnswer = () => {
      answers++;
      if (answers === STEPS * PARTICIPANTS) done();
    };
  });
  const start = performance.now();
  for (let index = 0; index < STEPS; index++) {
    step++;
    link.publish(
      'gridflex/v1/cosim/step',
      JSON.stringify({ step, simTime: simTime(step), stepMinutes: 1, due }),
      { qos: Number(process.env.COSIM_QOS ?? 1), retain: false },
    );
  }
  await all;
  onAnswer = () => {};
  return STEPS / ((performance.now() - start) / 1000);
}

await lockstep(); // warm-up
const locked = [];
const free = [];
for (let round = 0; round < ROUNDS; round++) {
  locked.push(await lockstep());
  free.push(await noWait());
}
worker.postMessage('close');
await new Promise((done) => worker.once('message', done));
await worker.terminate();
await link.close();
await broker.close();
boards.remove();

const lockedRate = median(locked);
const freeRate = median(free);
console.log(
  `lockstep co-simulation, ${PARTICIPANTS} MQTT participants on loopback, ${STEPS} steps x ${ROUNDS} rounds (median)`,
);
console.log(
  `  GridFlex lockstep (announce, wait for all, done)   ${lockedRate.toFixed(0).padStart(7)} steps/s`,
);
console.log(
  `  same participants, no lockstep wait (peer, run)    ${freeRate.toFixed(0).padStart(7)} steps/s   lockstep/no-wait = ${(lockedRate / freeRate).toFixed(2)}`,
);
console.log(
  `  mosaik demo (published figure, not run here)       ${String(MOSAIK_PUBLISHED_STEPS_PER_S).padStart(7)} steps/s   GridFlex/mosaik = ${(lockedRate / MOSAIK_PUBLISHED_STEPS_PER_S).toFixed(1)}x`,
);
console.log(`  goal >= 5000 steps/s: ${lockedRate >= 5000 ? 'met' : 'not met'}`);
