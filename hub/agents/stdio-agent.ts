import { Worker } from 'node:worker_threads';
import { type AgentPlanRequest, ResidentPlanSchema } from '../../protocol/gridflex.js';
import type { PlanExchange } from './plan-exchange.js';

/** The largest plan line an agent may answer with, bytes. */
const MAX_PLAN_BYTES = 64 * 1024;
const STATE_WAITING = 0;
const STATE_ANSWERED = 1;

/**
 * The worker that talks to the agent's process: requests out on its stdin, one JSON line each; each line it
 * prints on stdout goes into the shared buffer, and the waiting run is woken. (Plain JS, evaluated as is.)
 */
const WORKER_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
const { spawn } = require('node:child_process');
const { command, shared, maxBytes } = workerData;
const state = new Int32Array(shared, 0, 2);
const bytes = new Uint8Array(shared, 8);
const child = spawn(command, { shell: true, stdio: ['pipe', 'pipe', 'inherit'] });
let partial = '';
child.stdout.on('data', (chunk) => {
  partial += chunk.toString();
  const lines = partial.split('\\n');
  partial = lines.pop();
  for (const line of lines) {
    const encoded = Buffer.from(line.trim());
    if (encoded.length === 0 || encoded.length > maxBytes) continue;
    bytes.set(encoded);
    Atomics.store(state, 1, encoded.length);
    Atomics.store(state, 0, ${STATE_ANSWERED});
    Atomics.notify(state, 0);
  }
});
child.on('exit', (code) => parentPort.postMessage({ exited: code }));
child.stdin.on('error', () => {});
parentPort.on('message', (message) => {
  if (message.stop) { child.kill('SIGTERM'); return; }
  child.stdin.write(message.line + '\\n');
});
`;

/** A team's agent as a local program for batch runs: plan requests on its stdin, plans on its stdout. */
export interface StdioAgent {
  /** Sends a request and waits for its plan up to the deadline; a plan that came in time goes to `exchange`. */
  ask(request: AgentPlanRequest): void;
  stop(): Promise<void>;
}

/**
 * Starts `command` (a shell command line) for a batch run's policy `external`. The run is synchronous, so
 * each request blocks it until the agent's answer to that request arrives or `deadlineMs` passes; a late or
 * broken answer leaves the home to the built-in plan (the exchange refuses it and the decision says so).
 */
export function startStdioAgent(
  command: string,
  deadlineMs: number,
  exchange: PlanExchange,
  log: (message: string) => void,
): StdioAgent {
  const shared = new SharedArrayBuffer(8 + MAX_PLAN_BYTES);
  const state = new Int32Array(shared, 0, 2);
  const bytes = new Uint8Array(shared, 8);
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { command, shared, maxBytes: MAX_PLAN_BYTES },
  });
  worker.on('message', (message: { exited?: number | null }) => {
    if ('exited' in message) log(`the agent "${command}" exited (${message.exited})`);
  });
  worker.unref();
  const readAnswer = (): unknown => {
    const text = Buffer.from(bytes.subarray(0, Atomics.load(state, 1))).toString();
    try {
      return JSON.parse(text);
    } catch {
      log(`the agent's answer is not JSON: ${text.slice(0, 120)}`);
      return undefined;
    }
  };
  return {
    ask: (request) => {
      const until = Date.now() + deadlineMs;
      Atomics.store(state, 0, STATE_WAITING);
      worker.postMessage({ line: JSON.stringify(request) });
      while (Date.now() < until) {
        if (Atomics.wait(state, 0, STATE_WAITING, until - Date.now()) === 'timed-out') return;
        Atomics.store(state, 0, STATE_WAITING);
        const plan = ResidentPlanSchema.safeParse(readAnswer());
        if (!plan.success) continue;
        if (plan.data.requestId !== request.requestId) continue;
        const answer = exchange.deliver(request.home, plan.data);
        if (!answer.accepted) log(`plan for ${request.home} refused: ${answer.reason}`);
        return;
      }
    },
    stop: async () => {
      worker.postMessage({ stop: true });
      await worker.terminate();
    },
  };
}
