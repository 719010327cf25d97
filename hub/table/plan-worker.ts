/**
 * The live hub's plan thread (node:worker_threads): it owns the live streets' policies and plans what their
 * residents ask (./plan-host.ts), so a fleet's LP work never holds the broker's event loop.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { getHighs } from '../agents/highs.js';
import { PlanHost, type PlanThreadData, type PlanThreadMessage } from './plan-host.js';

const port = parentPort;
if (!port) throw new Error('plan-worker.js runs as a worker thread of the live hub');
const host = new PlanHost(await getHighs(), workerData as PlanThreadData);
port.on('message', (message: PlanThreadMessage) => {
  const reply = host.handle(message);
  if (reply) port.postMessage(reply);
});
