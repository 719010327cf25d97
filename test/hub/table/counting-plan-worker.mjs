// The real plan thread (dist's PlanHost) that also tells the test, on the BroadcastChannel
// 'gridflex-test-plan-count', how many plan messages each batch it got carried (batches without one: not told).
import { BroadcastChannel, parentPort, workerData } from 'node:worker_threads';
import { getHighs } from '../../../dist/hub/agents/highs.js';
import { PlanHost } from '../../../dist/hub/table/plan-host.js';

const host = new PlanHost(await getHighs(), workerData);
const channel = new BroadcastChannel('gridflex-test-plan-count');
parentPort.on('message', (batch) => {
  const plans = batch.filter((message) => message.kind === 'plan').length;
  if (plans > 0) channel.postMessage(plans);
  const replies = host.handleBatch(batch);
  if (replies.length > 0) parentPort.postMessage(replies);
});
