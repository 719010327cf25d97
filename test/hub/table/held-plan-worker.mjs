// A plan thread that holds the plan messages it gets until the test lets them go: on the BroadcastChannel
// 'gridflex-test-plan-hold' it says "holding" when it holds the first one and waits for "release". Otherwise the
// real thread (dist's PlanHost), so a test sees what the hub's thread does while a plan is being made.
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
  for (const message of held.splice(0)) answer(message);
};
function answer(message) {
  const reply = host.handle(message);
  if (reply) parentPort.postMessage(reply);
}
parentPort.on('message', (message) => {
  if (message.kind !== 'plan' || released) return answer(message);
  held.push(message);
  if (held.length === 1) channel.postMessage('holding');
});
