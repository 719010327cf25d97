/**
 * A sweep spread through Redis (issue 18): `gridflex study sweep --queue` enqueues the runs, two
 * `gridflex worker` processes take them, one is killed in the middle of a run and its run is taken again;
 * the table is byte for byte the local sweep's, the sweep is in the run history, and enqueuing it again
 * collects the rows Redis holds without running anything. A real redis-server on a free loopback port.
 */
import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, freePort } from '../live/hub-process.js';
import { tempDir } from '../mqtt-helpers.js';
import { type RedisServer, startRedisServer } from '../redis-server.js';

const scratch = tempDir('gridflex-sweep-queue-');
const dataDir = join(scratch.dir, 'data');
const grid = join(scratch.dir, 'grid.yaml');
let redis: RedisServer;
let queueUrl: string;
const started: ChildProcessWithoutNullStreams[] = [];

/** A child's output so far, and a wait for the first line matching a pattern. */
function watch(child: ChildProcessWithoutNullStreams) {
  let out = '';
  const waiters: Array<() => void> = [];
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    for (const waiter of waiters.splice(0)) waiter();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  const line = (pattern: RegExp) =>
    new Promise<RegExpMatchArray>((done, fail) => {
      const check = () => {
        const found = out.match(pattern);
        if (found) done(found);
        else waiters.push(check);
      };
      child.once('exit', () => fail(new Error(`exited before ${pattern}:\n${out}`)));
      check();
    });
  return { output: () => out, line, exited };
}

function gridflex(...args: string[]): ChildProcessWithoutNullStreams {
  const child = spawn('node', [CLI, ...args]);
  started.push(child);
  return child;
}

const sweepArgs = (out: string, gridFile = grid) => [
  'study',
  'sweep',
  '--scenario',
  'scenarios/table.yaml',
  '--grid',
  gridFile,
  '--out',
  join(scratch.dir, out),
  '--data-dir',
  dataDir,
];

beforeAll(async () => {
  writeFileSync(
    grid,
    'vary:\n  defaults.tariff: [flat-cap, dynamic-half-hourly]\npolicies: [passive, selfish]\ndays: 1\n',
  );
  redis = await startRedisServer();
  queueUrl = redis.url;
}, 30_000);

afterAll(async () => {
  for (const child of started) child.kill('SIGKILL');
  await redis?.stop();
  scratch.remove();
});

describe('gridflex study sweep --queue with gridflex worker', () => {
  it('gives the local table byte for byte with a worker killed mid-run, records the sweep, and resumes from Redis', async () => {
    const local = spawnSync('node', [CLI, ...sweepArgs('local'), '--workers', '2'], { encoding: 'utf8' });
    expect(local.status, local.stderr).toBe(0);

    const workers = [0, 1].map(() => {
      const child = gridflex('worker', '--queue', queueUrl, '--threads', '1', '--lock-ms', '5000');
      return { child, ...watch(child) };
    });
    await Promise.all(workers.map((worker) => worker.line(/^worker ready: /m)));
    const enqueuer = watch(gridflex(...sweepArgs('queued'), '--queue', queueUrl));

    // The first worker to take a run dies with it. A lock of 5 s: short for the test, long enough that a
    // busy machine does not hold up a live worker's renewals past it.
    const [killedRun, victim] = await Promise.race(
      workers.map(async (worker) => [(await worker.line(/^took (.+)$/m))[1], worker] as const),
    );
    victim.child.kill('SIGKILL');
    const survivor = workers.find((worker) => worker !== victim);

    expect(await enqueuer.exited, enqueuer.output()).toBe(0);
    expect(enqueuer.output()).toContain('4 runs (4 now, 0 from before, 0 failed)');
    expect(survivor?.output()).toContain(`took ${killedRun}`);
    expect(readFileSync(join(scratch.dir, 'queued', 'results.csv'), 'utf8')).toBe(
      readFileSync(join(scratch.dir, 'local', 'results.csv'), 'utf8'),
    );
    const runId = /recorded as run (\d+) in /.exec(enqueuer.output())?.[1] ?? '';
    const shown = spawnSync('node', [CLI, 'runs', 'show', runId, '--data-dir', dataDir, '--json'], {
      encoding: 'utf8',
    });
    expect(JSON.parse(shown.stdout)).toMatchObject({ kind: 'study-sweep', headline: { runs: 4, failed: 0 } });

    // Without the rows on disk, the same sweep enqueued again finds them all done in Redis.
    const ranBefore = survivor?.output().match(/^took /gm)?.length;
    rmSync(join(scratch.dir, 'queued'), { recursive: true });
    const again = watch(gridflex(...sweepArgs('queued'), '--queue', queueUrl));
    expect(await again.exited, again.output()).toBe(0);
    expect(again.output()).toContain('4 runs (4 now, 0 from before, 0 failed)');
    expect(survivor?.output().match(/^took /gm)?.length).toBe(ranBefore);
    expect(readFileSync(join(scratch.dir, 'queued', 'results.csv'), 'utf8')).toBe(
      readFileSync(join(scratch.dir, 'local', 'results.csv'), 'utf8'),
    );

    // With the rows on disk, nothing is enqueued at all.
    const resumed = watch(gridflex(...sweepArgs('queued'), '--queue', queueUrl));
    expect(await resumed.exited, resumed.output()).toBe(0);
    expect(resumed.output()).toContain('4 runs (0 now, 4 from before, 0 failed)');

    survivor?.child.kill('SIGTERM');
    expect(await survivor?.exited).toBe(0);
  }, 300_000);

  it('over social graphs writes social.json and social.md as the thread sweep does', async () => {
    const graphs = join(scratch.dir, 'graphs.yaml');
    const adoption = '{ threshold: 0.3, seedHomes: [home-1] }, tariffs: { threshold: 0.5 } }';
    writeFileSync(
      graphs,
      `vary:\n  socialGraph:\n    - { kind: ring, k: 1, adoption: ${adoption}\n` +
        `    - { kind: hub-dominated, influencers: [home-1], adoption: ${adoption}\n` +
        'policies: [selfish]\ndays: 3\n',
    );
    const local = spawnSync('node', [CLI, ...sweepArgs('graphs-local', graphs), '--workers', '2'], {
      encoding: 'utf8',
    });
    expect(local.status, local.stderr).toBe(0);
    const workerProcess = gridflex('worker', '--queue', queueUrl, '--threads', '1');
    const worker = watch(workerProcess);
    await worker.line(/^worker ready: /m);
    const queued = watch(gridflex(...sweepArgs('graphs-queued', graphs), '--queue', queueUrl));
    expect(await queued.exited, queued.output()).toBe(0);
    expect(queued.output()).toMatch(/^wrote .*social\.json and social\.md \(gridflex report --id \d+\)$/m);
    for (const file of ['social.json', 'social.md']) {
      expect(readFileSync(join(scratch.dir, 'graphs-queued', file), 'utf8')).toBe(
        readFileSync(join(scratch.dir, 'graphs-local', file), 'utf8'),
      );
    }
    const social = JSON.parse(readFileSync(join(scratch.dir, 'graphs-queued', 'social.json'), 'utf8'));
    expect(social.rows.map((row: { adoptersPerDay: number[] }) => row.adoptersPerDay.length)).toEqual([3, 3]);
    workerProcess.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
  }, 120_000);

  it('refuses a queue that is not a Redis URL, naming the flag', () => {
    const result = spawnSync('node', [CLI, 'worker', '--queue', 'http://127.0.0.1:1'], { encoding: 'utf8' });
    expect(result.stderr).toBe(
      'error: --queue: expected a redis:// or rediss:// URL, found "http://127.0.0.1:1"\n',
    );
    expect(result.status).toBe(2);
  });

  it('says so when no Redis answers at the URL, instead of waiting for one', async () => {
    const url = `redis://127.0.0.1:${await freePort()}`;
    const result = spawnSync('node', [CLI, 'worker', '--queue', url], { encoding: 'utf8' });
    expect(result.stderr).toMatch(
      new RegExp(`^error: --queue: cannot reach Redis at ${url}: .*ECONNREFUSED`),
    );
    expect(result.status).toBe(2);
  });
});
