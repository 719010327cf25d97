// One operator flooding valid control commands (issue 21) against another operator's answers, in one run of
// the hub (embedded Aedes, its default limits): the calm operator sends a clock `pause` every 200 ms and
// times each until its answer on gridflex/v1/audit (within 500 ms of the phase's end); with no flood, then while the other operator publishes
// `pause` as fast as it can and reconnects at once whenever it is cut off (three rounds of each, alternating).
// Prints the calm operator's p50/p99 in both phases and their ratio, and how many of the flood's commands the
// hub answered per second.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CredentialStore } from '../dist/hub/auth/credentials.js';
import { DEFAULT_CONTROL_RATE } from '../dist/hub/broker/rate-limiter.js';
import { connect, percentile, startFlood, startHub } from './_mqtt-peers.js';

const SECONDS = 8;
const ROUNDS = 3;
const EVERY_MS = 200;
const CLOCK = 'gridflex/control/v1/clock';

/** The calm operator's answer times over SECONDS; counts the flooder's answers into `flooded`. */
async function measure(url, password, answers) {
  const calm = await connect(url, { clientId: `op-calm-${Date.now()}`, username: 'op-calm', password });
  await calm.subscribeAsync('gridflex/v1/audit', { qos: 1 });
  const sentAt = new Map();
  const latenciesMs = [];
  calm.on('message', (_topic, payload) => {
    const entry = JSON.parse(payload.toString());
    if (entry.username === 'op-flood') answers.count++;
    const started = sentAt.get(entry.requestId);
    if (started !== undefined) latenciesMs.push(performance.now() - started);
  });
  let seq = 0;
  const timer = setInterval(() => {
    const requestId = `calm-${seq++}`;
    sentAt.set(requestId, performance.now());
    calm.publish(CLOCK, JSON.stringify({ action: 'pause', requestId }), { qos: 1 });
  }, EVERY_MS);
  await new Promise((done) => setTimeout(done, SECONDS * 1000));
  clearInterval(timer);
  // The last answers in flight.
  await new Promise((done) => setTimeout(done, 500));
  await calm.endAsync();
  return { latenciesMs, sent: seq };
}

function summary(runs) {
  const sorted = runs.flatMap((run) => run.latenciesMs).sort((a, b) => a - b);
  const sent = runs.reduce((sum, run) => sum + run.sent, 0);
  return { count: sorted.length, sent, p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
}

const dir = mkdtempSync(join(tmpdir(), 'gridflex-bench-'));
try {
  const store = CredentialStore.open(dir);
  const calmPassword = await store.add('op-calm', { role: 'operator' });
  const floodPassword = await store.add('op-flood', { role: 'operator' });
  const hub = await startHub(dir);
  try {
    const quietMs = [];
    const floodedMs = [];
    const answers = { count: 0 };
    for (let round = 0; round < ROUNDS; round++) {
      quietMs.push(await measure(hub.url, calmPassword, { count: 0 }));
      const stopFlood = await startFlood(hub.url, {
        username: 'op-flood',
        password: floodPassword,
        topic: CLOCK,
        payload: JSON.stringify({ action: 'pause', requestId: 'flood' }),
      });
      floodedMs.push(await measure(hub.url, calmPassword, answers));
      await stopFlood();
    }
    const quiet = summary(quietMs);
    const flooded = summary(floodedMs);
    for (const [name, result] of [
      ['no flood', quiet],
      ['one operator flooding', flooded],
    ]) {
      console.log(
        `${name.padEnd(21)} ${result.count} of the calm operator's ${result.sent} commands answered in time: p50 ${result.p50.toFixed(2)} ms, p99 ${result.p99.toFixed(2)} ms`,
      );
    }
    console.log(
      `flooded / no flood: p50 ${(flooded.p50 / quiet.p50).toFixed(2)}x, p99 ${(flooded.p99 / quiet.p99).toFixed(2)}x`,
    );
    console.log(
      `the flooding operator got ${(answers.count / (SECONDS * ROUNDS)).toFixed(1)} commands/s answered (limit ${DEFAULT_CONTROL_RATE.perSecond}/s, burst ${DEFAULT_CONTROL_RATE.burst}, held off on each offence)`,
    );
  } finally {
    await hub.stop();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
