// Preloaded into a hub by bench/broker-overhead.js (`--hub "name:--import=./bench/_write-batch-off.js"`) to measure
// the hub without its write batching (hub/broker/write-batch.ts, on the dashboards' WebSocket streams) in the same
// run as the hub with it: every import of dist/hub/broker/write-batch.js gets a batchWritesPerTurn that leaves the
// stream as it is. (The hook thread that node starts for it holds some 10 MB: compare CPU and latency, not RSS.)
import { register } from 'node:module';
import { isMainThread } from 'node:worker_threads';

// This file is also the hook module, loaded again in node's hooks thread: registered from the main thread only.
if (isMainThread) register('./_write-batch-off.js', import.meta.url);

const STAND_IN = `data:text/javascript,${encodeURIComponent('export function batchWritesPerTurn() {}')}`;

/** Module hook (run in node's hooks thread): the real module's URL is answered with the stand-in's. */
export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  return resolved.url.endsWith('/dist/hub/broker/write-batch.js')
    ? { url: STAND_IN, shortCircuit: true }
    : resolved;
}
