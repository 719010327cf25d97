export { loadRunInputs } from './inputs.js';
export { buildMetrics, type Metrics, roundNumbers } from './metrics.js';
export { RUN_OUTPUT_FILES, writeRunOutputs } from './output.js';
export * from './runner.js';
export { type RunWithBaseline, runWithPassiveBaseline } from './study.js';
