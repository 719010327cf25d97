/**
 * The run kinds, what the run history holds of a run, and a comparison's figures: plain declarations with no
 * imports, so the dashboard's history page shares them with hub/runs/store.ts without reaching the store's server code.
 */

export const RUN_KINDS = ['run', 'study-poa', 'study-sweep', 'study-links', 'study-redteam'] as const;
export type RunKind = (typeof RUN_KINDS)[number];

/** What a command records once its outputs are written. */
export interface NewRun {
  kind: RunKind;
  /** The scenario file as given (resolved to an absolute path when stored). */
  scenarioFile: string;
  scenarioName: string;
  seed: number;
  /** Flags and options the run was started with. */
  parameters: Record<string, unknown>;
  /** The figures a list or a comparison shows (name → value). */
  headline: Record<string, number>;
  /** Folder holding the run's files. */
  outDir: string;
}

export interface RunRecord extends Omit<NewRun, 'scenarioFile' | 'outDir'> {
  id: number;
  /** ISO 8601, UTC. */
  createdAt: string;
  scenarioFile: string;
  /** SHA-256 of the scenario file's bytes at the time of the run. */
  scenarioSha256: string;
  /** gridflex version (package.json) that made the run. */
  version: string;
  outDir: string;
}

/** One headline figure of two runs side by side. */
export interface ComparedFigure {
  name: string;
  /** The name in words, with its unit (hub/runs/labels.ts's headlineLabel). */
  label: string;
  a: number | null;
  b: number | null;
  /** b − a (null when either is missing). */
  difference: number | null;
}
