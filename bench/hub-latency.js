// End-to-end latency through the hub: 200 simulated boards (each its own MQTT connection and credentials)
// publish one reading (a plain Homie 5 float) per second each, spread evenly over the second; one subscriber measures
// publish-to-delivery time. The same load runs through Mosquitto 2 started in the same run (same users
// and ACLs) as the peer. Prints p50/p99/max for both and the ratios, the broker process's resident memory
// under the load, and how long the 200 boards take to connect at once: first (the hub checks each board key
// with one SHA-256, see docs/security.md "Stored secrets") and again after all of them dropped (its cache).
//
// Flags: --scenario <table map> runs the hub on another table (default: the hub's default table map; e.g.
// scenarios/table-map-ieee.yaml plans 55 homes under every policy each step); --hub-node-flags="<flags>" passes
// node flags to the hub process (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof"), started by node; --start=node starts
// it as `node dist/hub/cli.js hub` (node's defaults), --start=bin (the default without node flags) as a user's
// `gridflex hub` does (bin/gridflex: its memory settings). Run both alternately to compare their RSS.
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
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { connect, onHubThenMosquitto, percentile, registerBoards, startHub } from './_mqtt-peers.js';

const { values: flags } = parseArgs({
  options: {
    scenario: { type: 'string' },
    'hub-node-flags': { type: 'string', default: '' },
    start: { type: 'string' },
  },
});
const hubFlags = flags.scenario ? ['--scenario', flags.scenario] : [];
const hubNodeFlags = flags['hub-node-flags'].split(' ').filter(Boolean);
const start = flags.start ?? (hubNodeFlags.length > 0 ? 'node' : 'bin');
if (start !== 'bin' && start !== 'node') throw new Error(`--start: "${start}" is neither bin nor node`);
const DEVICES = 200;
const SECONDS = 15;

/** Resident memory of process `pid` in MB (VmRSS of /proc; Linux only). */
function rssMb(pid) {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : Number.NaN;
}

/** CPU time process `pid` has used so far, in ms (utime + stime of /proc/<pid>/stat; Linux only). */
function cpuMs(pid) {
  // Fields after the command name in parentheses, which may itself hold spaces.
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  const ticksPerSecond = 100;
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond;
}

/** Connects every board at once; resolves with the clients and the wall time until the last CONNACK. */
async function connectAll(url, passwords) {
  const startMs = performance.now();
  const devices = await Promise.all(
    [...passwords].map(([username, password]) => connect(url, { clientId: username, username, password })),
  );
  return { devices, ms: performance.now() - startMs };
}

async function measure(url, passwords, pid) {
  const subscriber = await connect(url, { clientId: 'latency-sub' });
  await subscriber.subscribeAsync('homie/5/+/lat/value', { qos: 1 });
  const latenciesMs = [];
  subscriber.on('message', (_topic, payload) => {
    latenciesMs.push(performance.now() - Number(payload.toString()));
  });
  const first = await connectAll(url, passwords);
  await Promise.all(first.devices.map((device) => device.endAsync()));
  const { devices, ms: reconnectMs } = await connectAll(url, passwords);
  let peakRssMb = rssMb(pid);
  const cpuBeforeMs = cpuMs(pid);
  const sampler = setInterval(() => {
    peakRssMb = Math.max(peakRssMb, rssMb(pid));
  }, 500);
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
  clearInterval(sampler);
  const loadCpuMs = cpuMs(pid) - cpuBeforeMs;
  await Promise.all(devices.map((device) => device.endAsync()));
  await subscriber.endAsync();
  const sorted = latenciesMs.sort((a, b) => a - b);
  return {
    count: sorted.length,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted.at(-1),
    peakRssMb,
    cpuUsPerMessage: (loadCpuMs * 1000) / sorted.length,
    connectMs: first.ms,
    reconnectMs,
  };
}

const boards = await registerBoards('lat', DEVICES);
const results = [];
try {
  await onHubThenMosquitto(
    boards.dir,
    () => startHub(boards.dir, hubFlags, hubNodeFlags, start === 'bin'),
    async (name, broker) => {
      const result = await measure(broker.url, boards.passwords, broker.pid);
      results.push({ name, ...result });
      const started = name === 'mosquitto' ? '' : ` started by ${start === 'bin' ? 'bin/gridflex' : 'node'}`;
      console.log(
        `${name.padEnd(12)}${started} (load average ${loadavg()[0].toFixed(1)}) ${result.count} msgs: p50 ${result.p50.toFixed(2)} ms, p99 ${result.p99.toFixed(2)} ms, max ${result.max.toFixed(2)} ms; RSS under load ${result.peakRssMb.toFixed(0)} MB, CPU ${result.cpuUsPerMessage.toFixed(0)} µs/msg; ${DEVICES} connect ${result.connectMs.toFixed(0)} ms, again ${result.reconnectMs.toFixed(0)} ms`,
      );
    },
  );
  if (results.length === 2) {
    const [hub, peer] = results;
    console.log(
      `hub / mosquitto: p50 ${(hub.p50 / peer.p50).toFixed(2)}x, p99 ${(hub.p99 / peer.p99).toFixed(2)}x, RSS ${(hub.peakRssMb / peer.peakRssMb).toFixed(1)}x, CPU/msg ${(hub.cpuUsPerMessage / peer.cpuUsPerMessage).toFixed(1)}x, connect ${(hub.connectMs / peer.connectMs).toFixed(1)}x, again ${(hub.reconnectMs / peer.reconnectMs).toFixed(1)}x`,
    );
  }
  console.log(
    `${DEVICES} boards x 1 msg/s for ${SECONDS} s each, QoS 1, loopback; latency = publish call to delivery; RSS = peak VmRSS sampled every 0.5 s under the load; CPU/msg = the broker process's CPU time over the load (the hub's includes its clock steps) per delivered message.`,
  );
} finally {
  boards.remove();
}
