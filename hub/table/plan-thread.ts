/**
 * The hub's side of the plan thread (./plan-worker.ts): makes the live streets' policies there and sends them
 * the residents' plan requests, one message per street step, while the broker keeps the event loop. A thread
 * that fails (an uncaught error, an exit) is reported once and answers nothing more: the caller then plans in
 * the hub's thread.
 */
import { Worker } from 'node:worker_threads';
import type { PlanAnswer } from '../engine/participants/residents.js';
import type { PlanThreadData, PlanThreadMessage, PlanThreadReply, ThreadPlanRequest } from './plan-host.js';

/** The plan thread's module as built (dist/hub/table/plan-worker.js). */
export const PLAN_WORKER = new URL('./plan-worker.js', import.meta.url);

type Waiting = (answers: PlanAnswer[] | undefined) => void;

export class PlanThread {
  private readonly worker: Worker;
  private nextId = 1;
  private nextSeq = 1;
  private readonly waiting = new Map<number, Waiting>();
  private failed = false;
  private stopping = false;

  /** `onFailure` hears, once, why the thread stopped answering. */
  constructor(
    data: PlanThreadData,
    private readonly onFailure: (message: string) => void,
    module: URL = PLAN_WORKER,
  ) {
    // Its garbage is small and short-lived (cloned contexts, plans): with a 2 MB young generation instead of V8's
    // default the hub on the IEEE street held 184-189 MB instead of 201-205 MB 8 s after start (3 runs each way).
    const resourceLimits = { maxYoungGenerationSizeMb: 2 };
    this.worker = new Worker(module, { workerData: data, resourceLimits });
    this.worker.on('message', (reply: PlanThreadReply) => this.answered(reply));
    this.worker.on('error', (error) => this.fail(`the plan thread failed: ${error.message}`));
    this.worker.on('exit', (code) => this.fail(`the plan thread exited with code ${code}`));
  }

  /** Whether the thread still plans (it does until it fails or stops). */
  get running(): boolean {
    return !this.failed && !this.stopping;
  }

  /** Makes a policy of the registry in the thread; returns its id there. */
  create(name: string): number {
    const id = this.nextId++;
    this.post({ kind: 'create', id, name });
    return id;
  }

  dispose(id: number): void {
    this.post({ kind: 'dispose', id });
  }

  /** The requests' answers, in order; undefined when the thread has failed (before or while planning). */
  plan(requests: ThreadPlanRequest[]): Promise<PlanAnswer[] | undefined> {
    if (!this.running) return Promise.resolve(undefined);
    const seq = this.nextSeq++;
    return new Promise((resolve) => {
      this.waiting.set(seq, resolve);
      this.post({ kind: 'plan', seq, requests });
    });
  }

  /** Ends the thread (the hub stops); what waits for it gets no answer. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.release();
    await this.worker.terminate();
  }

  private post(message: PlanThreadMessage): void {
    if (this.running) this.worker.postMessage(message);
  }

  private answered(reply: PlanThreadReply): void {
    const waiting = this.waiting.get(reply.seq);
    this.waiting.delete(reply.seq);
    waiting?.(
      reply.answers.map((answer) =>
        'error' in answer ? { error: new Error(answer.error), planningMs: answer.planningMs } : answer,
      ),
    );
  }

  private fail(message: string): void {
    if (this.failed || this.stopping) return;
    this.failed = true;
    this.onFailure(message);
    this.release();
  }

  private release(): void {
    for (const waiting of this.waiting.values()) waiting(undefined);
    this.waiting.clear();
  }
}
