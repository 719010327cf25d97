/** Worker thread of a parallel PoA study: loads the scenario, runs one policy, posts the run back. */
import { parentPort } from 'node:worker_threads';
import { loadRunInputs } from '../sim/inputs.js';
import { type PoaPolicy, type PoaStudyOptions, runStudyPolicy } from './poa-study.js';
import { streetPolicyContext } from './street-context.js';

export interface PoaWorkerJob {
  scenarioFile: string;
  policy: PoaPolicy;
  options: Omit<PoaStudyOptions, 'onProgress'>;
}

parentPort?.on('message', async ({ scenarioFile, policy, options }: PoaWorkerJob) => {
  try {
    const inputs = loadRunInputs(scenarioFile);
    const street = await streetPolicyContext(inputs, options);
    const run = await runStudyPolicy(inputs, policy, street.context, {
      ...options,
      onProgress: (_, done, total) => parentPort?.postMessage({ progress: { done, total } }),
    });
    parentPort?.postMessage({ run, network: street.figures() });
  } catch (error) {
    parentPort?.postMessage({ error: error instanceof Error ? error.message : String(error) });
  }
});
