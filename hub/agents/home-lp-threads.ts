/**
 * Helper threads for a coordination round's home LPs. Within a round the homes' LPs are independent, so the
 * homes with devices are dealt out between the calling thread and the helpers (./home-lp-worker.ts), each
 * home always to the same thread: its HiGHS model and basis live there, and it warm-starts exactly as it
 * would in the calling thread, so the plans are the same whichever thread solves them. The call is
 * synchronous (the caller blocks on shared flags while the helpers solve), so the coordinator's protocol and
 * the runner stay as they are. A helper that fails or does not answer is logged once and its homes, and every
 * other helper's, are solved in the calling thread from then on (their LPs start cold there).
 *
 * A helper's failure to start is heard only on the event loop, which the blocked caller does not turn; so the
 * helper says on the shared flags that its own module runs ({@link STARTED}), and {@link DEAD} if its solver
 * then fails to load. The caller waits a short, bounded time for the helper to start before the first request,
 * so a broken install is named at once instead of after the reply timeout.
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
/** Index in the shared flags of the helper's start-up state: 0 until its module runs, then one of the below. */
export const STATE = 2;
/** The helper's module runs (it loads its solver, HiGHS and the home LP, after). */
export const STARTED = 1;
/** The helper cannot solve; its 'dead' reply says why. */
export const DEAD = 2;

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
 * this module runs from its TypeScript source (vitest), where no built helper sits beside it (a run asked for
 * helpers there would log the missing module and solve every home itself).
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
  /** How long the first round may wait for a helper's module to start running, ms. Default 10 s. */
  startTimeoutMs?: number;
  /** Hears, once, why the helpers stopped (default console.warn). */
  log?: (message: string) => void;
}

/** The homes' LP helpers of one policy. */
export class HomeLpThreads {
  private readonly threads: HomeLpThread[];
  /** Each home's solver: 0 the calling thread, k the k-th helper; kept for the run so each home warm-starts. */
  private readonly threadOfHome = new Map<string, number>();
  private failed = false;
  /** Whether every helper has been heard to start (checked once, before the first request). */
  private started = false;
  private readonly replyTimeoutMs: number;
  private readonly startTimeoutMs: number;
  private readonly log: (message: string) => void;

  constructor(count: number, options: HomeLpThreadsOptions = {}) {
    if (!Number.isInteger(count) || count < 1)
      throw new TypeError(`home LP threads: count must be a positive integer, got ${count}`);
    const module = options.module ?? HOME_LP_WORKER;
    this.replyTimeoutMs = options.replyTimeoutMs ?? 120_000;
    this.startTimeoutMs = options.startTimeoutMs ?? 10_000;
    this.log = options.log ?? ((message) => console.warn(message));
    const missing = module.protocol === 'file:' && !existsSync(fileURLToPath(module));
    this.threads = missing ? [] : Array.from({ length: count }, () => new HomeLpThread(module));
    if (missing) this.fail(`no helper module at ${modulePath(module)}`);
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
      this.awaitStart();
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

  /** Before the first request: a helper that has not started within the start timeout, or cannot solve, fails. */
  private awaitStart(): void {
    if (this.started || this.failed) return;
    this.started = true;
    const deadline = performance.now() + this.startTimeoutMs;
    for (const thread of this.threads) {
      const problem = thread.awaitStart(deadline);
      if (problem) {
        this.fail(problem);
        return;
      }
    }
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
  private readonly flags = new Int32Array(new SharedArrayBuffer(3 * Int32Array.BYTES_PER_ELEMENT));
  private readonly module: URL;
  private repliesExpected = 0;
  private closed = false;
  /** Why the thread stopped, when its error event has been heard. */
  error: string | undefined;

  constructor(module: URL) {
    this.module = module;
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

  /**
   * Waits, until `deadline` (performance.now() ms), for the helper's module to run; returns why the helper
   * cannot serve, or undefined once it runs (a helper that fails later, loading its solver, says so in its reply).
   */
  awaitStart(deadline: number): string | undefined {
    for (;;) {
      const state = Atomics.load(this.flags, STATE);
      if (state === DEAD) {
        const reply = receiveMessageOnPort(this.port)?.message as HomeLpThreadReply | undefined;
        return reply?.kind === 'dead' ? reply.message : 'it could not load its solver';
      }
      if (state !== 0) return undefined;
      const leftMs = deadline - performance.now();
      if (leftMs <= 0) {
        return `its module ${modulePath(this.module)} did not start running within the start timeout (it failed to load, or the machine is too busy)`;
      }
      Atomics.wait(this.flags, STATE, 0, leftMs);
    }
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

/** A module's file path, or its URL when it is no file. */
function modulePath(module: URL): string {
  return module.protocol === 'file:' ? fileURLToPath(module) : module.href;
}
