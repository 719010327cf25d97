// End-to-end latency through the hub: 200 simulated boards (each its own MQTT connection and credentials)
// publish one reading (a plain Homie 5 float) per second each, spread evenly over the second; one subscriber measures
// publish-to-delivery time. The same load runs through Mosquitto 2 started in the same run (same users
// and ACLs) as the peer. Prints p50/p99/max for both and the ratios, the broker process's resident memory
// under the load, and how long the 200 boards take to connect at once: first (the hub checks each board key
// with one SHA-256, see docs/security.md "Stored secrets") and again after all of them dropped (its cache).
// bench/broker-overhead.js runs the same load (bench/_latency-load.js) on bare Aedes, the EmbeddedBroker alone and the
// hub beside Mosquitto: the cost per message is Aedes's own (230 µs/msg bare, 267 with our hooks, 47 Mosquitto).
//
// Flags: --scenario <table map> runs the hub on another table (default: the hub's default table map; e.g.
// scenarios/table-map-ieee.yaml plans 55 homes under every policy each step); --hub-node-flags="<flags>" passes
// node flags to the hub process (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof"), started by node; --start=node starts
// it as `node dist/hub/cli.js hub` (node's defaults), --start=bin (the default without node flags) as a user's
// `gridflex hub` does (bin/gridflex: its memory settings). Run both alternately to compare their RSS.
// --step-ms=<ms,ms,...> measures the hub once with each clock.stepMs (e.g. 500,3600000: the default table's clock
// against one that does not step during the load), alternating, --rounds=<n> times, then Mosquitto once as every
// run's peer. --loop-delay preloads bench/_loop-delay.js into the hub (so started by node) and prints its event
// loop over the load: delay percentiles, the share of wall time it was busy, and the stalls over 10 ms.
//
// Figures (Dec 6, default table, bin/gridflex; a git worktree of the base commit and one with the change, run
// alternately, load average 17-25 on 2 cores shared by 7 sessions, so p99 is mostly the machine's queue):
// - before/after the broker writing each client's packets of one event-loop turn as one buffer (hub/broker/
//   write-batch.ts): hub CPU 654, 541 µs/msg before and 593, 650 after (Mosquitto's in the same runs 110, 87 and
//   134, 144: 5.9x, 6.2x before, 4.4x, 4.5x after); p99 49, 57 ms before and 311, 52 ms after against
//   Mosquitto's 21, 15, 10, 16 ms; RSS 122, 123 MB before and 127, 127 MB after (Mosquitto 9 MB). The embedded
//   broker alone (no table, same load, same alternation, load 22-25): 444, 430 µs/msg before, 415, 418 after.
// - where the broker's CPU goes (--cpu-prof of the broker alone, the 13.5 s of load): the socket writes
//   (writeBuffer, one per PUBACK to a board and one per PUBLISH to the subscriber) 30%, garbage collection 12%,
//   setImmediate dispatch 7% (Aedes defers every write's callback), the rest spread over Aedes and mqtt-packet
//   (parse, qlobber match, persistence of QoS 1, debug calls), none above 3%. The table's steps are 7% of the
//   hub's busy time under this load. A write here costs 31-65 µs of CPU (1 000 a second to a reader process).
// - memory: the hub thread no longer makes its own copy of each plan-thread policy (4.3 KB a set of six before
//   they plan). HiGHS holds 10.5-10.7 MB in a process of its own, but the hub thread's second copy costs little
//   (V8 shares the compiled module between the threads): loaded only when a policy plans in the hub thread
//   (tried, not kept), the hub held 121, 123 MB against 123, 125 MB alternating (load 15-19).
// - quiet (load 0.3-1.5, one bench at a time): 808ca8b p99 2.89, 3.08 ms (4.13x, 4.06x Mosquitto), 520, 477 µs/msg,
//   120 MB; with the write batching (b9e995b) 2.92-3.91 ms (3.20x-5.19x), 510-700 µs/msg, 122-131 MB; b9e995b
//   without it 2.62, 4.04 ms (3.84x, 4.28x), 487, 707 µs/msg. One build's spread exceeds the builds' difference.
// - is it the table's step (issue 18)? --loop-delay --step-ms 500,3600000 --rounds 3, twice, a worktree of 843f245
//   (step pacing, which leaves a 500 ms clock alone), started by node, load average 10-13 (6 Dec 2026): p99 with the
//   clock stepping 6.83, 51.96, 58.20, 8.05, 14.71, 5.80 ms against 3.81, 4.38, 28.06, 10.31, 13.72, 23.05 ms
//   without a step (alternating, so pair by pair): no consistent difference; Mosquitto of those runs 13.39 and
//   0.70 ms. Its event loop's delay p99 3.9-9.0 ms against 3.9-6.3 ms; in the second run it was busy 7.6-8.2 % of
//   the wall time stepping against 6.6-7.0 % not (the steps' share, 3-7 ms a step), with 21-55 stalls over 10 ms a
//   run against 25-49: the machine's, not the steps'. CPU 458-618 µs/msg stepping, 420-534 not (Mosquitto 37). So at
//   the default table the steps are not what makes the p99: a hub that does not step keeps it, and what is left is
//   the broker's own cost per message on a busy machine. No yield was added (a step already yields between the
//   residents, each shadow run and the power flow). A fast clock is another matter: --step-ms 10 (100 steps/s)
//   costs 1295-1393 µs/msg, with p99 124.72, 49.60 ms before the pacing (9bd8875) and 28.40, 48.39 after, load 7-13.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEVICES, measureLatency, SECONDS } from './_latency-load.js';
import { onHubThenMosquitto, registerBoards, startHub } from './_mqtt-peers.js';

const { values: flags } = parseArgs({
  options: {
    scenario: { type: 'string' },
    'hub-node-flags': { type: 'string', default: '' },
    start: { type: 'string' },
    'step-ms': { type: 'string' },
    rounds: { type: 'string', default: '1' },
    'loop-delay': { type: 'boolean', default: false },
  },
});
const hubFlags = flags.scenario ? ['--scenario', flags.scenario] : [];
/** The hub's clock.stepMs values to measure, alternating each round (none: the table map's own). */
const stepMsList = flags['step-ms']?.split(',').map(Number) ?? [undefined];
if (stepMsList.some((stepMs) => stepMs !== undefined && !(Number.isInteger(stepMs) && stepMs >= 10)))
  throw new Error(
    `--step-ms: "${flags['step-ms']}" is not a comma-separated list of whole ms of at least 10`,
  );
const ROUNDS = Number(flags.rounds);
if (!(Number.isInteger(ROUNDS) && ROUNDS >= 1)) throw new Error(`--rounds: "${flags.rounds}" is not a count`);
const hubNodeFlags = flags['hub-node-flags'].split(' ').filter(Boolean);
if (flags['loop-delay']) hubNodeFlags.push(`--import=${resolve('bench/_loop-delay.js')}`);
const start = flags.start ?? (hubNodeFlags.length > 0 ? 'node' : 'bin');
if (start !== 'bin' && start !== 'node') throw new Error(`--start: "${start}" is neither bin nor node`);
/** Asks the hub (preloaded with bench/_loop-delay.js) for its event-loop delay since it was last asked. */
async function loopDelay(pid) {
  const file = process.env.GRIDFLEX_LOOP_DELAY_FILE;
  rmSync(file, { force: true });
  process.kill(pid, 'SIGUSR2');
  for (let waitedMs = 0; !existsSync(file); waitedMs += 20) {
    if (waitedMs > 5000) throw new Error('the hub did not write its event-loop delay');
    await new Promise((done) => setTimeout(done, 20));
  }
  await new Promise((done) => setTimeout(done, 20));
  return JSON.parse(readFileSync(file, 'utf8'));
}

function measure(url, passwords, pid, isHub) {
  const hooks =
    isHub && flags['loop-delay'] ? { beforeLoad: () => loopDelay(pid), afterLoad: () => loopDelay(pid) } : {};
  return measureLatency(url, passwords, pid, hooks);
}

/** Prints one broker's figures (and, for a hub, the ratios to `peer` when it is measured). */
function report(name, result, peer) {
  const started = name === 'mosquitto' ? '' : ` started by ${start === 'bin' ? 'bin/gridflex' : 'node'}`;
  console.log(
    `${name.padEnd(12)}${started} (load average ${result.load.toFixed(1)}) ${result.count} msgs: p50 ${result.p50.toFixed(2)} ms, p99 ${result.p99.toFixed(2)} ms, max ${result.max.toFixed(2)} ms; RSS under load ${result.peakRssMb.toFixed(0)} MB, CPU ${result.cpuUsPerMessage.toFixed(0)} µs/msg; ${DEVICES} connect ${result.connectMs.toFixed(0)} ms, again ${result.reconnectMs.toFixed(0)} ms${result.delay ? `; event loop: delay p50 ${result.delay.p50.toFixed(1)} ms, p99 ${result.delay.p99.toFixed(1)} ms, max ${result.delay.max.toFixed(1)} ms, busy ${(result.delay.utilisation * 100).toFixed(1)} %, ${result.delay.stalls.count} stalls over 10 ms (${result.delay.stalls.ms.toFixed(0)} ms)` : ''}`,
  );
  if (!peer) return;
  console.log(
    `  ${name} / mosquitto: p50 ${(result.p50 / peer.p50).toFixed(2)}x, p99 ${(result.p99 / peer.p99).toFixed(2)}x, RSS ${(result.peakRssMb / peer.peakRssMb).toFixed(1)}x, CPU/msg ${(result.cpuUsPerMessage / peer.cpuUsPerMessage).toFixed(1)}x, connect ${(result.connectMs / peer.connectMs).toFixed(1)}x, again ${(result.reconnectMs / peer.reconnectMs).toFixed(1)}x`,
  );
}

const boards = await registerBoards('lat', DEVICES);
process.env.GRIDFLEX_LOOP_DELAY_FILE = join(boards.dir, 'loop-delay.json');
const hubs = [];
try {
  let peer;
  // The hub with each stepMs, alternating, ROUNDS times; Mosquitto once after the last: every hub run's peer.
  for (let round = 0; round < ROUNDS; round++) {
    for (const stepMs of stepMsList) {
      const name = stepMs === undefined ? 'hub (Aedes)' : `hub stepMs ${stepMs}`;
      const stepFlags = stepMs === undefined ? [] : ['--step-ms', String(stepMs)];
      const last = round === ROUNDS - 1 && stepMs === stepMsList.at(-1);
      await onHubThenMosquitto(
        boards.dir,
        () => startHub(boards.dir, [...hubFlags, ...stepFlags], hubNodeFlags, start === 'bin'),
        async (kind, server) => {
          const result = await measure(server.url, boards.passwords, server.pid, kind !== 'mosquitto');
          if (kind === 'mosquitto') peer = result;
          else hubs.push({ name, ...result });
        },
        last,
      );
    }
  }
  for (const hub of hubs) report(hub.name, hub, peer);
  if (peer) report('mosquitto', peer);
  console.log(
    `${DEVICES} boards x 1 msg/s for ${SECONDS} s each, QoS 1, loopback; latency = publish call to delivery; RSS = peak VmRSS sampled every 0.5 s under the load; CPU/msg = the broker process's CPU time over the load (the hub's includes its clock steps) per delivered message.`,
  );
} finally {
  boards.remove();
}
