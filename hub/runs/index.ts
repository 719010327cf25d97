export {
  type LinksSummary,
  linksHeadline,
  type PoaSummary,
  poaHeadline,
  type RedTeamSummary,
  redTeamHeadline,
  runHeadline,
  sweepHeadline,
} from './headline.js';
export { type ComparedFigure, type NewRun, RUN_KINDS, type RunKind, type RunRecord } from './run-record.js';
export {
  DEFAULT_DATA_DIR,
  gridflexVersion,
  parseRunId,
  RUNS_DB_FILE,
  RUNS_SCHEMA_VERSION,
  RunStore,
} from './store.js';
