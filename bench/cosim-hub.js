// A real hub in clock mode `lockstep`: steps/s of `gridflex hub` (its own process: embedded broker, the shipped
// table map's street with its power flow, market, residents' agents and shadow runs every step) with 10
// lockstep participants, each its own MQTT connection and device identity (in a worker thread of this process).
// Side by side in one run, alternating: the participants answering every step or 10 steps per message
// (`ahead`), with the map's clock.stepMs at 1 ms (allowed in lockstep since 6 Dec 2026) and at 10 ms (the least
// before). The per-board rate limit is lifted (--rate-limit) so that the lockstep is measured, not the broker's
// limit. Steps/s are counted from the hub's `cosim/done` over COSIM_HUB_STEPS steps (default 600) a round, with
// the hub process's CPU time a step (both its threads, from /proc; less moved by other load than the wall).
// --hub-node-flags="<flags>" passes node flags to the hub (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof").
//
// Where a step's time goes (a --cpu-prof of the hub at 808ca8b, load average 8.4: 198 steps/s ahead, 189 every
// step): the hub's thread was busy 13.4 s and its plan thread 11.0 s over about 5,000 steps, 2.7 and 2.2 ms a
// step, and they mostly take turns (the step awaits the plans). Plan thread: HiGHS and the home LPs 5.4 s, its
// garbage collector 2.3 s (a 2 MB young generation), posting the plans back 2.4 s. Hub thread: posting the plan
// requests 2.1 s (one message per street, four streets at a half-hour), socket writes 1.1 s, its collector 0.9 s,
// JSON of the per-step publishes 0.6 s (about 43 a step: clock, feeder summary, buses, lines, each home and its
// decision, meters, comparison, red team, metrics), the power flows (running street and 3 shadow runs) 0.6 s.
// Tried and taken back: a step's plan requests of every street in one message (f4a622a). That build and 808ca8b
// alternating, stepMs 1, 300 steps x 3 rounds, load average 17-26 (6 Dec 2026): ahead 94, 80, 74 steps/s
// against 99, 149, 71; every step 98, 85, 62 against 74, 140, 59; the hub's CPU 3.6-5.1 ms a step against
// 3.4-7.6; the table's agents alone (no broker) slower in 6 of 7 pairs. Mosaik's published 540 is not reached.
// Step pacing (a555f6e, hub/live/step-pacer.ts): at stepMs below the map's clock.publishEveryMs (default 100 ms)
// the clock goes out every step and the heavy per-step topics (feeder, homes, decisions, comparison, red team,
// metrics, ...) at most every 100 ms of wall time, the latest step. 9bd8875 (before) and 843f245 (after), each a
// git worktree, alternating, COSIM_HUB_STEPS=400, load average 12.5-18 (2 cores shared by 7 sessions, 6 Dec 2026):
// stepMs 1 ahead 235, 118 steps/s before against 265, 254 after; every step 132, 148 against 237, 213; the hub's CPU
// a step ahead 2.95, 2.85 ms against 2.52, 2.58, every step 3.50, 3.02 against 2.70, 2.92. stepMs 10 (at most 100
// steps/s): ahead 67, 66 against 70, 74; every step 67, 64 against 48, 66. By the profile above, most of what is
// left of a step is the plan thread's work and messaging, which the pacing does not touch (not profiled again).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { parse, stringify } from 'yaml';
import { connect, registerBoards, startHub } from './_mqtt-peers.js';

const { values: flags } = parseArgs({ options: { 'hub-node-flags': { type: 'string', default: '' } } });
const hubNodeFlags = flags['hub-node-flags'].split(' ').filter(Boolean);

const PARTICIPANTS = 10;
const STEPS = Number(process.env.COSIM_HUB_STEPS ?? 600);
const ROUNDS = 3;
const STEPS_PER_ANSWER = 10;
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
/** CPU time of process `pid` so far (user + system, every thread), ms; null where /proc does not tell it. */
function cpuMs(pid) {
  const stat = `/proc/${pid}/stat`;
  if (!existsSync(stat)) return null;
  // Fields after the command's closing parenthesis: utime and stime are the 12th and 13th, in clock ticks (100/s).
  const fields = readFileSync(stat, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

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
  const hub = await startHub(
    boards.dir,
    ['--scenario', writeMap(stepMs), '--rate-limit', '1000000'],
    hubNodeFlags,
  );
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
  const cpus = Object.fromEntries(ways.map(([name]) => [name, []]));
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
      const cpuStart = cpuMs(hub.pid);
      await new Promise((done) => {
        let seen = 0;
        onDone = () => ++seen === STEPS && done();
      });
      // Round 0 warms up (the JIT, the agents' first plans).
      if (round === 0) continue;
      rates[name].push(STEPS / ((performance.now() - start) / 1000));
      if (cpuStart !== null) cpus[name].push((cpuMs(hub.pid) - cpuStart) / STEPS);
    }
  }
  onDone = () => {};
  worker.postMessage('close');
  await reply();
  await worker.terminate();
  await viewer.endAsync();
  await hub.stop();
  return Object.fromEntries(
    ways.map(([name]) => [name, { rate: median(rates[name]), cpuMs: median(cpus[name]) }]),
  );
}

const ways = [
  ['ahead', STEPS_PER_ANSWER - 1],
  ['every step', 0],
];
const fast = await measureHub(1, ways);
const slow = await measureHub(10, ways);
boards.remove();

const rate = ({ rate: value, cpuMs: cpu }) =>
  `${value.toFixed(0).padStart(6)} steps/s (CPU ${cpu === undefined ? '?' : cpu.toFixed(2)} ms a step)`;
console.log(
  `gridflex hub in lockstep (shipped table map), ${PARTICIPANTS} MQTT participants on loopback, ${STEPS} steps x ${ROUNDS} rounds (median), load average ${loadavg()[0].toFixed(1)}`,
);
for (const [name] of ways)
  console.log(
    `  ${name.padEnd(11)} clock.stepMs 1: ${rate(fast[name])}   stepMs 10: ${rate(slow[name])}   1 ms/10 ms = ${(fast[name].rate / slow[name].rate).toFixed(2)}`,
  );
console.log(
  `  ahead/every step at stepMs 1 = ${(fast.ahead.rate / fast['every step'].rate).toFixed(2)}; the 10 ms floor allows at most 100 steps/s`,
);
