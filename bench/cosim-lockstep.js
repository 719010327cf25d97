// Lockstep co-simulation over MQTT: steps/s of the hub's lockstep coordinator (hub/cosim/lockstep.ts, as the
// hub runs it in clock mode `lockstep`) with 10 participants, each its own MQTT connection and device identity
// through the embedded broker (authentication, ACLs, payload validation) on loopback; the participants run
// in a worker thread. Every step: announce k, wait for all due answers, publish `cosim/done` k. Only the
// co-simulation's coordination is timed, not the street's own step (power flow, agents). Measured in the same
// run, alternating rounds:
//   - ahead: each participant answers 10 steps in one message (its outputs for step k and `ahead` for the
//     next 9, as one whose outputs do not depend on the others' can): the hub asks every 10th step, and every
//     step's outcome still holds all 10 participants' outputs for that step;
//   - every step: each participant asked and answering every step, QoS 0 both ways (as the boards and the
//     mosaik bridge do, and the only way before answers ahead);
//   - before: QoS 1 both ways, as the hub and the participants ran until 6 Dec 2026 (PUBACKs both ways);
//   - event-driven: QoS 0, each participant answering `nextStep` 10 steps on (a tenth of the answers, and no
//     outputs in the steps between);
//   - peer: the same participants answering the same announcements sent back to back with no lockstep wait
//     (every step's answers).
// mosaik's figure beside it is its published demo figure (about 540 steps/s), not measured here.
// COSIM_PREVIOUS_DIST=<another build's dist/> adds that build's coordinator (e.g. the commit before answers
// ahead, built in a clean tree), every step at QoS 0, to the alternation.
// COSIM_STEPS changes the steps per round.
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { CredentialStore } from '../dist/hub/auth/credentials.js';
import { EmbeddedBroker } from '../dist/hub/broker/embedded-broker.js';
import { LockstepCoordinator } from '../dist/hub/cosim/lockstep.js';
import { InProcessLink } from '../dist/hub/live/link.js';
import { registerBoards } from './_mqtt-peers.js';

const PARTICIPANTS = 10;
const STEPS = Number(process.env.COSIM_STEPS ?? 2000);
const ROUNDS = 3;
/** Steps each participant answers in one message in the `ahead` rounds. */
const STEPS_PER_ANSWER = 10;
const MOSAIK_PUBLISHED_STEPS_PER_S = 540;
/** This bench's last published figure before QoS 0 (docs/cosim.md, 5 Dec 2026), for reference. */
const PREVIOUS_STEPS_PER_S = 763;
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
/** QoS 1 for every message, as before 6 Dec 2026 (else the coordinator's own choice). */
let everyQos1 = false;
const coordinatorOf = (Coordinator) =>
  new Coordinator({
    policy: 'wait',
    timeoutMs: 10_000,
    publish: (topic, body, retain, qos) =>
      link.publish(topic, JSON.stringify(body), { qos: everyQos1 ? 1 : qos, retain }),
    log: (level, message) => {
      if (level === 'warn') process.stderr.write(`${message}\n`);
    },
  });
const coordinator = coordinatorOf(LockstepCoordinator);
const previousDist = process.env.COSIM_PREVIOUS_DIST;
const previous =
  previousDist &&
  coordinatorOf(
    (await import(pathToFileURL(join(resolve(previousDist), 'hub/cosim/lockstep.js')).href))
      .LockstepCoordinator,
  );
/** The coordinator the participants' messages go to. */
let running = coordinator;
let onAnswer = () => {};
await link.subscribeWithSender('gridflex/cosim/v1/+/+', (topic, payload, sender) => {
  running.onMessage(topic, payload, sender?.username ?? null, sender != null);
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
for (const id of boards.passwords.keys()) previous?.register(id, { policy: 'wait' });

/** How the participants answer from now on. */
async function participantsAnswer(qos, sleepSteps, aheadSteps) {
  const set = new Promise((done) => worker.once('message', done));
  worker.postMessage({ qos, sleepSteps, aheadSteps });
  await set;
}

let step = 0;
/**
 * Steps/s of STEPS lockstep steps; every due participant must answer each, and (but for sleepers) every
 * step's outcome must hold every participant's outputs for that step.
 */
async function lockstep({ qos1 = false, sleepSteps = 0, aheadSteps = 0, by = coordinator } = {}) {
  everyQos1 = qos1;
  running = by;
  await participantsAnswer(qos1 ? 1 : 0, sleepSteps, aheadSteps);
  const start = performance.now();
  for (let index = 0; index < STEPS; index++) {
    step++;
    const outcome = await by.runStep(step, simTime(step), 1);
    if (outcome.skipped.length + outcome.dropped.length > 0)
      throw new Error(`step ${step}: not all answered`);
    if (sleepSteps === 0 && !Object.values(outcome.outputs).every((outputs) => outputs.step === step))
      throw new Error(`step ${step}: not every participant's outputs for it`);
  }
  const rate = STEPS / ((performance.now() - start) / 1000);
  // Every participant due again for the next round: a step past every sleep, at a time no answer ahead was for.
  await participantsAnswer(0, 0, 0);
  step += STEPS;
  await by.runStep(step, simTime(step), 1);
  running = coordinator;
  everyQos1 = false;
  return rate;
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
      { qos: 0, retain: false },
    );
  }
  await all;
  onAnswer = () => {};
  return STEPS / ((performance.now() - start) / 1000);
}

await lockstep(); // warm-up
const rounds = { ahead: [], now: [], before: [], eventDriven: [], free: [], previous: [] };
if (previous) await lockstep({ by: previous }); // its warm-up
for (let round = 0; round < ROUNDS; round++) {
  if (previous) rounds.previous.push(await lockstep({ by: previous }));
  rounds.ahead.push(await lockstep({ aheadSteps: STEPS_PER_ANSWER - 1 }));
  rounds.now.push(await lockstep());
  rounds.before.push(await lockstep({ qos1: true }));
  rounds.eventDriven.push(await lockstep({ sleepSteps: 10 }));
  rounds.free.push(await noWait());
}
worker.postMessage('close');
await new Promise((done) => worker.once('message', done));
await worker.terminate();
await link.close();
await broker.close();
boards.remove();

const [ahead, now, before, eventDriven, free] = [
  rounds.ahead,
  rounds.now,
  rounds.before,
  rounds.eventDriven,
  rounds.free,
].map(median);
const rate = (value) => value.toFixed(0).padStart(7);
const ratio = (value) => value.toFixed(2);
console.log(
  `lockstep co-simulation, ${PARTICIPANTS} MQTT participants on loopback, ${STEPS} steps x ${ROUNDS} rounds (median), load average ${loadavg()[0].toFixed(1)}`,
);
console.log(
  `  ahead: each answers ${STEPS_PER_ANSWER} steps per message (QoS 0)  ${rate(ahead)} steps/s   ahead/every step = ${ratio(ahead / now)}`,
);
console.log(`  every step: each asked and answering (QoS 0) ${rate(now)} steps/s`);
console.log(
  `  before: every step, QoS 1 both ways          ${rate(before)} steps/s   every step/before = ${ratio(now / before)}`,
);
console.log(
  `  event-driven, each due every 10th step       ${rate(eventDriven)} steps/s   event-driven/every step = ${ratio(eventDriven / now)}`,
);
console.log(
  `  peer: every step's answers, no lockstep wait ${rate(free)} steps/s   every step/no-wait = ${ratio(now / free)}, ahead/no-wait = ${ratio(ahead / free)}`,
);
console.log(
  `  mosaik demo (published figure, not run here) ${String(MOSAIK_PUBLISHED_STEPS_PER_S).padStart(7)} steps/s   ahead/mosaik = ${(ahead / MOSAIK_PUBLISHED_STEPS_PER_S).toFixed(1)}x, every step/mosaik = ${(now / MOSAIK_PUBLISHED_STEPS_PER_S).toFixed(1)}x`,
);
console.log(
  `  previously published here (5 Dec 2026, QoS 1) ${String(PREVIOUS_STEPS_PER_S).padStart(7)} steps/s`,
);
if (previous)
  console.log(
    `  ${previousDist}: every step (QoS 0) ${rate(median(rounds.previous))} steps/s   every step now/then = ${ratio(now / median(rounds.previous))}, ahead/then = ${ratio(ahead / median(rounds.previous))}`,
  );
const goal = (value) => (value >= 5000 ? 'met' : 'not met');
console.log(`  goal >= 5000 steps/s: ahead ${goal(ahead)}, every step ${goal(now)}`);
