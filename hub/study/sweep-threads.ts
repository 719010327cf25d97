import { Worker } from 'node:worker_threads';
import type { SweepJobMessage, SweepRow } from './sweep.js';

/**
 * A fixed set of worker threads running sweep-worker.js, each one job at a time: a local sweep and a queue
 * worker (sweep-queue.ts) run their jobs through it, so both run a job with the same code. A thread keeps
 * the representative years it has read between jobs; the calling thread stays free (a queue worker renews
 * its job locks there).
 */
export class SweepThreads {
  private readonly threads: Worker[];
  private readonly idle: Worker[];
  private readonly waiting: Array<(thread: Worker) => void> = [];

  constructor(count: number, module: URL = new URL('./sweep-worker.js', import.meta.url)) {
    this.threads = Array.from({ length: count }, () => new Worker(module));
    this.idle = [...this.threads];
  }

  /** Runs one job on the next free thread and returns its row. */
  async run(message: SweepJobMessage): Promise<SweepRow> {
    const thread = this.idle.pop() ?? (await new Promise<Worker>((take) => this.waiting.push(take)));
    try {
      return await new Promise<SweepRow>((resolve, reject) => {
        thread.once('error', reject);
        thread.once('message', (row: SweepRow) => {
          thread.off('error', reject);
          resolve(row);
        });
        thread.postMessage(message);
      });
    } finally {
      const next = this.waiting.shift();
      if (next) next(thread);
      else this.idle.push(thread);
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.threads.map((thread) => thread.terminate()));
  }
}
