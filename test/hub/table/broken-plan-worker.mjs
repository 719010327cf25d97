// A plan thread that fails at its first plan message, as a thread that crashed would.
import { parentPort } from 'node:worker_threads';

parentPort.on('message', (message) => {
  if (message.kind === 'plan') throw new Error('the planner broke');
});
