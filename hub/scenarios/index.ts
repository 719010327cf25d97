export * from './defaults.js';
export { type LoadedScenario, loadScenario, parseScenario, REPO_ROOT } from './load.js';
export { type ResolvedHome, resolveScenario, type Scenario, type ScenarioProblem } from './resolve.js';
export * from './schema.js';
