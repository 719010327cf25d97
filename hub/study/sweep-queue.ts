/**
 * A sweep spread over machines through Redis with BullMQ: `enqueueSweep` puts the runs not yet finished on
 * the queue and collects their rows as workers finish them; `startSweepWorker` takes runs on any machine
 * and runs each on its worker threads (sweep-threads.ts), the same code as a local sweep. A worker that dies
 * stops renewing its job's lock; after `lockMs` another worker takes the job again.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { type Job, Queue, QueueEvents, Worker } from 'bullmq';
import { redisConnection } from '../redis-connection.js';
import {
  type SweepJobMessage,
  type SweepOptions,
  SweepProgress,
  type SweepRow,
  type SweepSummary,
} from './sweep.js';
import { SweepThreads } from './sweep-threads.js';

/** The one queue every GridFlex sweep goes through; a job's id names its sweep and run. */
export const SWEEP_QUEUE = 'gridflex-sweep';

/** How long a worker holds a job without renewing its lock before others take it (BullMQ's default). */
export const DEFAULT_LOCK_MS = 30_000;

/**
 * Enqueues the sweep's unfinished runs and waits for every row, appending each to `outDir/results.jsonl`
 * as it comes (so a stopped enqueuer resumes there); then writes `results.csv`. A run's job id comes from
 * the scenario file's bytes, the study options and the run, so enqueuing the same sweep again adds nothing
 * and picks up rows workers finished meanwhile.
 */
export async function enqueueSweep(options: SweepOptions, queueUrl: string): Promise<SweepSummary> {
  const connection = await redisConnection(queueUrl, '--queue');
  const sweep = new SweepProgress(options);
  const queue = new Queue<SweepJobMessage, SweepRow>(SWEEP_QUEUE, { connection });
  const events = new QueueEvents(SWEEP_QUEUE, { connection });
  try {
    await events.waitUntilReady();
    const sweepKey = sweepKeyOf(options);
    const jobs = await queue.addBulk(
      sweep.pending.map((job) => ({
        name: job.id,
        data: sweep.messageFor(job),
        opts: {
          jobId: `${sweepKey}-${hashOf(job.id)}`,
          // A thread that crashes fails the job; a stalled job (its worker died) is retried anyway.
          attempts: 2,
          removeOnComplete: false,
          removeOnFail: false,
        },
      })),
    );
    await Promise.all(jobs.map(async (queued) => sweep.record(await finishedRow(queued, events))));
  } finally {
    await events.close();
    await queue.close();
  }
  return sweep.finish();
}

/** The job's row, or a row with the error that failed it for good. */
async function finishedRow(job: Job<SweepJobMessage, SweepRow>, events: QueueEvents): Promise<SweepRow> {
  try {
    return await job.waitUntilFinished(events);
  } catch (error) {
    const { id, policy, overrides } = job.data.job;
    return {
      id,
      policy,
      overrides,
      metrics: {},
      error: error instanceof Error ? error.message : String(error),
    };
  }
}

function sweepKeyOf(options: SweepOptions): string {
  const scenario = readFileSync(options.scenarioFile);
  return hashOf(`${hashOf(scenario)}|${JSON.stringify(options.study)}|${options.grid.days ?? ''}`);
}

function hashOf(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex').slice(0, 24);
}

export interface SweepWorkerOptions {
  queueUrl: string;
  /** Runs at once on this machine, each on its own thread. */
  threads: number;
  lockMs?: number;
  /** Told when a job starts (`took`) and when its row is back (`done`). */
  onJob?: (event: 'took' | 'done', message: SweepJobMessage) => void;
  /** Told of Redis trouble (BullMQ reconnects by itself). */
  onError?: (error: Error) => void;
}

/** Takes sweep runs from the queue until closed; `close` lets the runs in hand finish first. */
export async function startSweepWorker(options: SweepWorkerOptions): Promise<{ close: () => Promise<void> }> {
  const connection = await redisConnection(options.queueUrl, '--queue');
  const threads = new SweepThreads(options.threads);
  const lockMs = options.lockMs ?? DEFAULT_LOCK_MS;
  const worker = new Worker<SweepJobMessage, SweepRow>(
    SWEEP_QUEUE,
    async (job) => {
      options.onJob?.('took', job.data);
      const row = await threads.run(job.data);
      options.onJob?.('done', job.data);
      return row;
    },
    { connection, concurrency: options.threads, lockDuration: lockMs, stalledInterval: lockMs },
  );
  worker.on('error', (error) => options.onError?.(error));
  await worker.waitUntilReady();
  return {
    close: async () => {
      await worker.close();
      await threads.close();
    },
  };
}
