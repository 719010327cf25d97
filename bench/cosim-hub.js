// A real hub in clock mode `lockstep`: steps/s of `gridflex hub` (its own process: embedded broker, the shipped
// table map's street with its power flow, market, residents' agents and shadow runs every step) with 10
// lockstep participants, each its own MQTT connection and device identity (in a worker thread of this process).
// Side by side in one run, alternating: the participants answering every step or 10 steps per message
// (`ahead`), with the map's clock.stepMs at 1 ms (allowed in lockstep since 6 Dec 2026) and at 10 ms (the least
// before). The per-board rate limit is lifted (--rate-limit) so that the lockstep is measured, not the broker's
// limit. Steps/s are counted from the hub's `cosim/done` over COSIM_HUB_STEPS steps (default 600) a round.
import { readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { parse, stringify } from 'yaml';
import { connect, registerBoards, startHub } from './_mqtt-peers.js';

const PARTICIPANTS = 10;
const STEPS = Number(process.env.COSIM_HUB_STEPS ?? 600);
const ROUNDS = 3;
const STEPS_PER_ANSWER = 10;
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

const boards = await registerBoards('cosim', PARTICIPANTS);

/** The shipped table map with a lockstep clock of `stepMs`. */
function writeMap(stepMs) {
  const map = parse(readFileSync('scenarios/table-map.yaml', 'utf8'));
  map.feeder = join(process.cwd(), 'feeders/table-street');
  map.clock = { ...map.clock, stepMs, mode: 'lockstep', lockstep: { policy: 'wait', timeoutMs: 10_000 } };
  const file = join(boards.dir, `table-map-${stepMs}.yaml`);
  writeFileSync(file, stringify(map));
  return file;
}

/** Steps/s of a hub with clock.stepMs `stepMs`, for each way of answering, ROUNDS times alternating. */
async function measureHub(stepMs, ways) {
  const hub = await startHub(boards.dir, ['--scenario', writeMap(stepMs), '--rate-limit', '1000000']);
  const viewer = await connect(hub.url, { clientId: `cosim-viewer-${stepMs}` });
  let onDone = () => {};
  viewer.on('message', () => onDone());
  await viewer.subscribeAsync('gridflex/v1/cosim/done', { qos: 0 });
  const worker = new Worker(new URL('./_cosim-participants-worker.js', import.meta.url), {
    workerData: { url: hub.url, boards: [...boards.passwords] },
  });
  const reply = () =>
    new Promise((done, reject) => {
      worker.once('message', done);
      worker.once('error', reject);
    });
  await reply();
  const rates = Object.fromEntries(ways.map(([name]) => [name, []]));
  for (let round = 0; round <= ROUNDS; round++) {
    for (const [name, aheadSteps] of ways) {
      const set = reply();
      worker.postMessage({ qos: 0, sleepSteps: 0, aheadSteps });
      await set;
      // Let the previous way's answers ahead run out, then time STEPS steps.
      await new Promise((done) => {
        let seen = 0;
        onDone = () => ++seen === STEPS_PER_ANSWER && done();
      });
      const start = performance.now();
      await new Promise((done) => {
        let seen = 0;
        onDone = () => ++seen === STEPS && done();
      });
      // Round 0 warms up (the JIT, the agents' first plans).
      if (round > 0) rates[name].push(STEPS / ((performance.now() - start) / 1000));
    }
  }
  onDone = () => {};
  worker.postMessage('close');
  await reply();
  await worker.terminate();
  await viewer.endAsync();
  await hub.stop();
  return Object.fromEntries(Object.entries(rates).map(([name, values]) => [name, median(values)]));
}

const ways = [
  ['ahead', STEPS_PER_ANSWER - 1],
  ['every step', 0],
];
const fast = await measureHub(1, ways);
const slow = await measureHub(10, ways);
boards.remove();

const rate = (value) => value.toFixed(0).padStart(6);
console.log(
  `gridflex hub in lockstep (shipped table map), ${PARTICIPANTS} MQTT participants on loopback, ${STEPS} steps x ${ROUNDS} rounds (median), load average ${loadavg()[0].toFixed(1)}`,
);
for (const [name] of ways)
  console.log(
    `  ${name.padEnd(11)} clock.stepMs 1: ${rate(fast[name])} steps/s   stepMs 10: ${rate(slow[name])} steps/s   1 ms/10 ms = ${(fast[name] / slow[name]).toFixed(2)}`,
  );
console.log(
  `  ahead/every step at stepMs 1 = ${(fast.ahead / fast['every step']).toFixed(2)}; the 10 ms floor allows at most 100 steps/s`,
);
