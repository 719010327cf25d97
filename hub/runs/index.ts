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
export {
  type ComparedFigure,
  DEFAULT_DATA_DIR,
  gridflexVersion,
  type NewRun,
  parseRunId,
  RUN_KINDS,
  RUNS_DB_FILE,
  RUNS_SCHEMA_VERSION,
  type RunKind,
  type RunRecord,
  RunStore,
} from './store.js';
