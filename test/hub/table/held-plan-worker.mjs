// A plan thread that holds the batches with plan messages it gets until the test lets them go: on the
// BroadcastChannel 'gridflex-test-plan-hold' it says "holding" when it holds the first one and waits for
// "release". Otherwise the real thread (dist's PlanHost), so a test sees what the hub's thread does while a plan
// is being made.
import { BroadcastChannel, parentPort, workerData } from 'node:worker_threads';
import { getHighs } from '../../../dist/hub/agents/highs.js';
import { PlanHost } from '../../../dist/hub/table/plan-host.js';

const host = new PlanHost(await getHighs(), workerData);
const held = [];
let released = false;
const channel = new BroadcastChannel('gridflex-test-plan-hold');
channel.onmessage = () => {
  released = true;
  channel.close();
  for (const batch of held.splice(0)) answer(batch);
};
function answer(batch) {
  const replies = host.handleBatch(batch);
  if (replies.length > 0) parentPort.postMessage(replies);
}
parentPort.on('message', (batch) => {
  if (released || !batch.some((message) => message.kind === 'plan')) return answer(batch);
  held.push(batch);
  if (held.length === 1) channel.postMessage('holding');
});
