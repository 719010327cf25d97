/** What `gridflex run` and a run stepped by an MCP agent (`gridflex mcp --scenario`) share: policies and saving. */
import { createPolicy } from '../agents/registry.js';
import { PACKAGE_ROOT } from '../live/options.js';
import { gridflexVersion, type RunRecord, type RunStore, runHeadline } from '../runs/index.js';
import { streetPolicyContext } from '../study/street-context.js';
import type { Metrics } from './metrics.js';
import { writeRunOutputs } from './output.js';
import type { RunInputs, YearResult } from './runner.js';

/**
 * Makes a run's policies by name; fleet policies (nash, cooperative, central) get this street's limits: the
 * transformer limit (`limitKw`, default the feeder's hosting capacity), its cables and the voltage band.
 */
export async function runPolicyMaker(
  inputs: RunInputs,
  limitKw?: number,
): Promise<(name: string) => ReturnType<typeof createPolicy>> {
  const street = await streetPolicyContext(inputs, {
    ...(limitKw !== undefined ? { transformerLimitKw: limitKw } : {}),
    reinforcementGbpPerKw: 150,
    carbonPriceGbpPerKg: 0,
    loadPriceSlopeGbpPerKwhPerKw: 0,
    voltageLimits: true,
  });
  return (name) => createPolicy(name, street.context);
}

/** How a finished run is described in the run history. */
export interface SavedRunLabel {
  scenarioFile: string;
  outDir: string;
  /** The `--policy` asked for, or `scenario` for each home's own. */
  policy: string;
  limitKw?: number;
}

/** Writes the run's files to `label.outDir` and records it in the run history. */
export function saveRun(
  history: RunStore,
  label: SavedRunLabel,
  run: { result: YearResult; passive: YearResult; metrics: Metrics },
): { files: string[]; record: RunRecord } {
  const { result, passive, metrics } = run;
  const files = writeRunOutputs(label.outDir, result, metrics, passive);
  const record = history.record(
    {
      kind: 'run',
      scenarioFile: label.scenarioFile,
      scenarioName: result.scenario,
      seed: result.seed,
      parameters: {
        policy: label.policy,
        startDay: result.startDay,
        days: result.days,
        ...(result.warmUpDays ? { warmUpDays: result.warmUpDays } : {}),
        ...(label.limitKw !== undefined ? { limitKw: label.limitKw } : {}),
      },
      headline: runHeadline(metrics),
      outDir: label.outDir,
    },
    gridflexVersion(PACKAGE_ROOT),
  );
  return { files, record };
}
