/**
 * A helper thread of ./home-lp-threads.ts: keeps the HomeLp of each home it is given (its HiGHS model and
 * basis, so each home warm-starts as it would in the calling thread) and solves them at the prices it is sent.
 * It waits on the shared flags, not on the event loop: the caller blocks until the answers are in.
 * Its static imports are only what it needs to say it started; the solver is imported after, so a broken
 * install is a 'dead' reply that names the problem.
 */
import { receiveMessageOnPort, workerData } from 'node:worker_threads';
import type { getHighs } from './highs.js';
import type { HomeLp } from './home-lp.js';
import {
  DEAD,
  type HomeLpThreadData,
  type HomeLpThreadMessage,
  type HomeLpThreadReply,
  REPLIES,
  REQUESTS,
  STARTED,
  STATE,
} from './home-lp-threads.js';
import type { PlanContext } from './policy.js';

const { flags: sharedFlags, port } = workerData as HomeLpThreadData;
const flags = new Int32Array(sharedFlags);
setState(STARTED);

/** Each home's LP by home id and horizon, kept across windows. */
const problems = new Map<string, HomeLp>();
/** The window's contexts by the fleet's home index (one object per window, so a home's later rounds change only costs). */
let contexts = new Map<number, PlanContext>();

function setState(state: number): void {
  Atomics.store(flags, STATE, state);
  Atomics.notify(flags, STATE);
}

function reply(message: HomeLpThreadReply): void {
  port.postMessage(message);
  Atomics.add(flags, REPLIES, 1);
  Atomics.notify(flags, REPLIES);
}

/** The solver's modules, imported once the helper has said it started. */
interface Solver {
  highs: Awaited<ReturnType<typeof getHighs>>;
  HomeLp: typeof HomeLp;
}

function answer(message: Extract<HomeLpThreadMessage, { kind: 'solve' }>, { highs, HomeLp }: Solver) {
  if (message.window) contexts = new Map(message.window.contexts);
  const solutions = message.requests.map(({ home, prices }) => {
    const context = contexts.get(home);
    if (!context) throw new Error(`home index ${home} has no context in this window`);
    const key = `${context.home.id}/${message.horizonSteps}`;
    let problem = problems.get(key);
    if (!problem) {
      problem = new HomeLp(highs, context.home, message.horizonSteps);
      problems.set(key, problem);
    }
    return { home, solution: problem.solvePriced(context, prices) };
  });
  reply({ kind: 'solved', solutions });
}

async function loadSolver(): Promise<Solver> {
  const [{ getHighs }, { HomeLp }] = await Promise.all([import('./highs.js'), import('./home-lp.js')]);
  return { highs: await getHighs(), HomeLp };
}

async function serve(): Promise<void> {
  const solver = await loadSolver();
  let seen = 0;
  for (;;) {
    Atomics.wait(flags, REQUESTS, seen);
    seen = Atomics.load(flags, REQUESTS);
    for (let received = receiveMessageOnPort(port); received; received = receiveMessageOnPort(port)) {
      const message = received.message as HomeLpThreadMessage;
      if (message.kind === 'close') {
        for (const problem of problems.values()) problem.dispose();
        port.close();
        return;
      }
      try {
        answer(message, solver);
      } catch (error) {
        // An LP that fails here would have failed in the calling thread: the caller throws it as its own.
        reply({ kind: 'failed', message: error instanceof Error ? error.message : String(error) });
      }
    }
  }
}

serve().catch((error: unknown) => {
  // The thread cannot serve (its solver did not load): the caller solves these homes itself from now on.
  reply({ kind: 'dead', message: error instanceof Error ? error.message : String(error) });
  setState(DEAD);
});
