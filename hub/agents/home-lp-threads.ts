/**
 * Helper threads for a coordination round's home LPs. Within a round the homes' LPs are independent, so the
 * homes with devices are dealt out between the calling thread and the helpers (./home-lp-worker.ts), each
 * home always to the same thread: its HiGHS model and basis live there, and it warm-starts exactly as it
 * would in the calling thread, so the plans are the same whichever thread solves them. The call is
 * synchronous (the caller blocks on shared flags while the helpers solve), so the coordinator's protocol and
 * the runner stay as they are. A helper that fails or does not answer is logged once and its homes, and every
 * other helper's, are solved in the calling thread from then on (their LPs start cold there).
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from 'node:worker_threads';
import type { HomeLpSolution } from './home-lp.js';
import type { PlanContext } from './policy.js';

/** Index in the shared flags of the requests sent (the caller counts up) and the replies given (a helper counts up). */
export const REQUESTS = 0;
export const REPLIES = 1;

export interface HomeLpThreadData {
  flags: SharedArrayBuffer;
  port: MessagePort;
}

/** One home's prices to solve at, by its index in the window's fleet. */
interface PricedRequest {
  home: number;
  prices: Float64Array;
}

export type HomeLpThreadMessage =
  | {
      kind: 'solve';
      horizonSteps: number;
      /** The window's contexts of the helper's homes, with its first request of a window. */
      window?: { contexts: [number, PlanContext][] };
      requests: PricedRequest[];
    }
  | { kind: 'close' };

export type HomeLpThreadReply =
  | { kind: 'solved'; solutions: { home: number; solution: HomeLpSolution }[] }
  /** An LP failed: the caller throws it, as it would have thrown solving the home itself. */
  | { kind: 'failed'; message: string }
  /** The helper cannot solve at all (HiGHS did not load). */
  | { kind: 'dead'; message: string };

/** More helpers than this add little: the coordinator's master LP between rounds runs in one thread. */
const MAX_HELPER_THREADS = 3;

/** The built helper, beside this module once compiled. */
const HOME_LP_WORKER = new URL('./home-lp-worker.js', import.meta.url);

/**
 * One helper per core beyond the caller's, at most {@link MAX_HELPER_THREADS}; none on one core, and none when
 * this module runs from its TypeScript source (vitest), where no built helper sits beside it: a helper that
 * cannot load is only heard of on the event loop, which the blocked caller does not turn, so each such run
 * waited out the reply timeout (120 s) before solving every home itself.
 */
export function defaultHomeLpThreads(): number {
  if (!existsSync(fileURLToPath(HOME_LP_WORKER))) return 0;
  return Math.max(0, Math.min(MAX_HELPER_THREADS, availableParallelism() - 1));
}

/** Options of {@link HomeLpThreads}. */
export interface HomeLpThreadsOptions {
  /** The helper's module (default the built home-lp-worker.js). */
  module?: URL;
  /** How long a round may wait for a helper's answer before the helper counts as failed, ms. Default 120 s. */
  replyTimeoutMs?: number;
  /** Hears, once, why the helpers stopped (default console.warn). */
  log?: (message: string) => void;
}

/** The homes' LP helpers of one policy. */
export class HomeLpThreads {
  private readonly threads: HomeLpThread[];
  /** Each home's solver: 0 the calling thread, k the k-th helper; kept for the run so each home warm-starts. */
  private readonly threadOfHome = new Map<string, number>();
  private failed = false;
  private readonly replyTimeoutMs: number;
  private readonly log: (message: string) => void;

  constructor(count: number, options: HomeLpThreadsOptions = {}) {
    if (!Number.isInteger(count) || count < 1)
      throw new TypeError(`home LP threads: count must be a positive integer, got ${count}`);
    const module = options.module ?? HOME_LP_WORKER;
    this.threads = Array.from({ length: count }, () => new HomeLpThread(module));
    this.replyTimeoutMs = options.replyTimeoutMs ?? 120_000;
    this.log = options.log ?? ((message) => console.warn(message));
  }

  /**
   * A window's solver: `hasDevices(h)` says which homes have an LP worth a thread (the others answer once a
   * window in the calling thread).
   */
  window(contexts: readonly PlanContext[], horizonSteps: number, hasDevices: (home: number) => boolean) {
    const owners = contexts.map(({ home }, h) => (hasDevices(h) ? this.ownerOf(home.id) : 0));
    const contextsSent = this.threads.map(() => false);
    /**
     * Solves the round: each home that has prices, those of the helpers there and the others by `solveHere`
     * meanwhile. Returns the helpers' solutions by home index (undefined for the homes solved here).
     */
    const solve = (
      pricesByHome: readonly (Float64Array | undefined)[],
      solveHere: (home: number, prices: Float64Array) => void,
    ): (HomeLpSolution | undefined)[] => {
      const solutions: (HomeLpSolution | undefined)[] = contexts.map(() => undefined);
      const local = (home: number) => this.failed || owners[home] === 0;
      const asked = this.threads.map((thread, t) => {
        if (this.failed) return false;
        const requests: PricedRequest[] = [];
        pricesByHome.forEach((prices, h) => {
          if (prices && owners[h] === t + 1) requests.push({ home: h, prices });
        });
        if (requests.length === 0) return false;
        const window = contextsSent[t]
          ? undefined
          : {
              contexts: contexts.flatMap((context, h): [number, PlanContext][] =>
                owners[h] === t + 1 ? [[h, context]] : [],
              ),
            };
        contextsSent[t] = true;
        thread.send({ kind: 'solve', horizonSteps, ...(window ? { window } : {}), requests });
        return true;
      });
      pricesByHome.forEach((prices, h) => {
        if (prices && local(h)) solveHere(h, prices);
      });
      // Every helper's reply is read before any is acted on, so each stays in step with its requests.
      const replies = this.threads.map((thread, t) =>
        asked[t] ? thread.receive(this.replyTimeoutMs) : undefined,
      );
      const unanswered: number[] = [];
      replies.forEach((reply, t) => {
        if (!asked[t]) return;
        if (reply?.kind === 'solved') {
          for (const { home, solution } of reply.solutions) solutions[home] = solution;
        } else if (reply?.kind !== 'failed') {
          const thread = this.threads[t] as HomeLpThread;
          this.fail(reply?.message ?? thread.error ?? `no answer within ${this.replyTimeoutMs / 1000} s`);
          unanswered.push(t + 1);
        }
      });
      const lpFailure = replies.find((reply) => reply?.kind === 'failed');
      if (lpFailure) throw new Error(lpFailure.message);
      pricesByHome.forEach((prices, h) => {
        if (prices && unanswered.includes(owners[h] as number)) solveHere(h, prices);
      });
      return solutions;
    };
    return { solve };
  }

  dispose(): void {
    for (const thread of this.threads) thread.close();
  }

  /** Deals the homes with devices out in turn over this thread and the helpers. */
  private ownerOf(homeId: string): number {
    let owner = this.threadOfHome.get(homeId);
    if (owner === undefined) {
      owner = this.threadOfHome.size % (this.threads.length + 1);
      this.threadOfHome.set(homeId, owner);
    }
    return owner;
  }

  private fail(reason: string): void {
    if (this.failed) return;
    this.failed = true;
    this.log(
      `a home LP thread failed (${reason}); this thread solves every home's LP from now on, the moved homes' LPs starting cold`,
    );
    this.dispose();
  }
}

/** One helper thread and the flags the two sides wait on. */
class HomeLpThread {
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly flags = new Int32Array(new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT));
  private repliesExpected = 0;
  private closed = false;
  /** Why the thread stopped, when its error event has been heard. */
  error: string | undefined;

  constructor(module: URL) {
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    const data: HomeLpThreadData = { flags: this.flags.buffer as SharedArrayBuffer, port: port2 };
    this.worker = new Worker(module, { workerData: data, transferList: [port2] });
    // Never what keeps the process alive; an error in it shows as a round with no answer (receive's timeout).
    this.worker.unref();
    this.worker.on('error', (error) => {
      this.error = `the thread failed: ${error.message}`;
    });
  }

  send(message: HomeLpThreadMessage): void {
    this.port.postMessage(message);
    Atomics.add(this.flags, REQUESTS, 1);
    Atomics.notify(this.flags, REQUESTS);
  }

  /** The reply to the last request, or undefined if none came within `timeoutMs`. */
  receive(timeoutMs: number): HomeLpThreadReply | undefined {
    this.repliesExpected++;
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const replies = Atomics.load(this.flags, REPLIES);
      if (replies >= this.repliesExpected) break;
      const leftMs = deadline - performance.now();
      if (leftMs <= 0) return undefined;
      Atomics.wait(this.flags, REPLIES, replies, leftMs);
    }
    return receiveMessageOnPort(this.port)?.message as HomeLpThreadReply | undefined;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.send({ kind: 'close' });
    // A helper stuck in a solve ends too.
    this.worker.terminate().catch(() => {});
  }
}
