// A sweep through Redis (BullMQ) beside the same sweep on local worker threads, in one run on this machine:
// wall time from `gridflex study sweep` start to its exit, with 2 local threads; queued to 2 `gridflex
// worker` processes of 1 thread; queued to 1 worker of 2 threads. The queued figures include the queue's
// overhead (Redis round trips, each worker loading its threads) against the same 2 cores. redis-server runs
// on a free loopback port without persistence, as in the tests.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, startRedis } from './_mqtt-peers.js';

const dir = mkdtempSync(join(tmpdir(), 'gridflex-bench-sweep-'));
const grid = join(dir, 'grid.yaml');
// 8 runs: 2 tariffs × 4 policies, 2 days each of the 8-home table street.
writeFileSync(
  grid,
  'vary:\n  defaults.tariff: [flat-cap, dynamic-half-hourly]\npolicies: [passive, selfish, cooperative, central]\ndays: 2\n',
);
const redis = await startRedis();
const queueUrl = redis.url;

const sweep = (out, extra) => [
  CLI,
  'study',
  'sweep',
  '--scenario',
  'scenarios/table.yaml',
  '--grid',
  grid,
  '--out',
  join(dir, out),
  '--data-dir',
  join(dir, 'data'),
  ...extra,
];

function startWorkers(count, threads) {
  return Array.from({ length: count }, () => {
    const child = spawn(process.execPath, [CLI, 'worker', '--queue', queueUrl, '--threads', String(threads)]);
    return new Promise((ready) =>
      child.stdout.on('data', (chunk) => /worker ready/.test(chunk) && ready(child)),
    );
  });
}

async function timeSweepS(out, extra, workers = []) {
  const children = await Promise.all(workers);
  const start = performance.now();
  const run = spawnSync(process.execPath, sweep(out, extra), { encoding: 'utf8' });
  const seconds = (performance.now() - start) / 1000;
  for (const child of children) child.kill('SIGTERM');
  if (run.status !== 0) throw new Error(`sweep ${out} exited ${run.status}: ${run.stderr}`);
  return seconds;
}

try {
  const local = await timeSweepS('local', ['--workers', '2']);
  // Each queued variant is a new sweep for Redis: a different --out does not change the job ids, so flush.
  const twoWorkers = await timeSweepS('queued-2x1', ['--queue', queueUrl], startWorkers(2, 1));
  spawnSync('redis-cli', ['-p', String(redis.port), 'flushall']);
  const oneWorker = await timeSweepS('queued-1x2', ['--queue', queueUrl], startWorkers(1, 2));
  console.log('Sweep of 8 runs (table street, 2 days each), wall time on this machine:');
  console.log(`  local, 2 threads                 ${local.toFixed(1).padStart(6)} s  1.00×`);
  console.log(
    `  queued, 2 workers × 1 thread     ${twoWorkers.toFixed(1).padStart(6)} s  ${(twoWorkers / local).toFixed(2)}×`,
  );
  console.log(
    `  queued, 1 worker × 2 threads     ${oneWorker.toFixed(1).padStart(6)} s  ${(oneWorker / local).toFixed(2)}×`,
  );
} finally {
  await redis.stop();
  rmSync(dir, { recursive: true, force: true });
}
