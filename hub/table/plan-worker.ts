/**
 * The live hub's plan thread (node:worker_threads): it owns the live streets' policies and plans what their
 * residents ask (./plan-host.ts), so a fleet's LP work never holds the broker's event loop.
 */
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { getHighs } from '../agents/highs.js';
import { PlanHost, type PlanThreadData, type PlanThreadMessage } from './plan-host.js';

/** The plan thread's nice value: on a busy machine the broker's thread gets the CPU first, a plan waits. */
const PLAN_THREAD_NICE = 10;

/** Linux: lowers this thread's own priority (nice is per thread there); elsewhere it keeps the hub's. */
function lowerThreadPriority(): void {
  try {
    const threadId = Number(readlinkSync('/proc/thread-self').split('/').pop());
    setPriority(threadId, PLAN_THREAD_NICE);
  } catch {
    // No /proc/thread-self (not Linux) or not allowed: the thread plans at the hub's priority.
  }
}

lowerThreadPriority();

const port = parentPort;
if (!port) throw new Error('plan-worker.js runs as a worker thread of the live hub');
const host = new PlanHost(await getHighs(), workerData as PlanThreadData);
port.on('message', (message: PlanThreadMessage) => {
  const reply = host.handle(message);
  if (reply) port.postMessage(reply);
});
