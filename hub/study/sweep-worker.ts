/**
 * Worker thread of a sweep: receives jobs (a scenario variant and a policy), runs the year, posts back one
 * row of figures. Errors (a variant the schema rejects, a run that fails) come back as the row's `error`.
 */
import { readFileSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { createPolicy } from '../agents/registry.js';
import { loadBaseLoadLibrary } from '../environment/load-base-load.js';
import { DEFAULT_YEAR_CSV, loadYearCsv } from '../environment/load-year.js';
import type { RepresentativeYear } from '../environment/year.js';
import { parseScenario } from '../scenarios/load.js';
import { type RunInputs, runYear } from '../sim/runner.js';
import { socialCostSum } from './poa-metrics.js';
import { streetPolicyContext } from './street-context.js';
import { type SweepJobMessage, type SweepRow, type SweepSocialSeries, setPath } from './sweep.js';

const years = new Map<string, RepresentativeYear>();
let baseLoadLibrary: RunInputs['baseLoadLibrary'] | undefined;

async function runJob({ job, scenarioFile, days, study }: SweepJobMessage): Promise<SweepRow> {
  const raw = parseYaml(readFileSync(scenarioFile, 'utf8')) as Record<string, unknown>;
  for (const [path, value] of Object.entries(job.overrides)) setPath(raw, path, value);
  const { scenario, feeder } = parseScenario(stringifyYaml(raw), scenarioFile);
  const yearFile = scenario.yearFile ?? DEFAULT_YEAR_CSV;
  let year = years.get(yearFile);
  if (!year) {
    year = loadYearCsv(yearFile);
    years.set(yearFile, year);
  }
  baseLoadLibrary ??= loadBaseLoadLibrary();
  const inputs: RunInputs = { scenario, feeder, year, baseLoadLibrary };
  // The sweep's threads fill the cores already: cooperative solves its homes in the job's thread.
  const { context, figures } = await streetPolicyContext(inputs, { ...study, homeLpThreads: 0 });
  const result = await runYear(inputs, job.policy, {
    ...(days !== undefined ? { days } : {}),
    recordSeries: false,
    createPolicy: (name) => createPolicy(name, context),
  });
  const homes = result.homes;
  const sum = (pick: (home: (typeof homes)[number]) => number) =>
    homes.reduce((total, home) => total + pick(home), 0);
  const influence = result.influence;
  return {
    id: job.id,
    policy: job.policy,
    overrides: job.overrides,
    ...(influence && { social: socialSeries(influence, homes) }),
    metrics: {
      homes: homes.length,
      billsGbp: result.totals.billsGbp,
      carbonKg: result.totals.carbonKg,
      importKwh: result.totals.importKwh,
      exportKwh: result.totals.exportKwh,
      transformerPeakKw: result.network.transformerPeakKw,
      transformerPeakLoadingPct: result.network.transformerPeakLoadingPct,
      minVoltageV: result.network.minVoltageV,
      maxVoltageV: result.network.maxVoltageV,
      busMinutesOutsideStatutoryLimits: result.network.busMinutesOutsideStatutoryLimits,
      linesOverRating: result.networkStress.lines.filter((line) => line.overloadSteps > 0).length,
      worstLineLoadingPct: Math.max(0, ...result.networkStress.lines.map((line) => line.maxLoadingPct)),
      lossesKwh: result.network.lossesKwh,
      switches: sum((home) => home.switches),
      comfortDegreeHoursOutside: sum((home) => home.comfortDegreeHoursOutside),
      evShortfallKwh: sum((home) => home.evShortfallKwh),
      ...(influence
        ? {
            adoptersAtEnd: influence.adoptersPerDay.at(-1) ?? 0,
            socialEdges: influence.edges,
            tariffCopies: influence.tariffCopies,
            lastDayPeakKw: influence.peakKwPerDay.at(-1) ?? 0,
          }
        : {}),
      // What the social-graph report (hub/study/social-study.ts) and the links study's table weigh runs by; only
      // their rows, since figures() builds the street (two power flows a home) that passive and selfish never need.
      ...(influence || result.links ? socialCostFigures(result, figures().transformerLimitKw, study) : {}),
      ...(result.links
        ? {
            readingsLost: result.links.deviceHub.lost + result.links.deviceHub.overBandwidth,
            staleReadings: result.links.deviceHub.staleReadings,
            coordinatorMessagesLost:
              result.links.agentCoordinator.lost + result.links.agentCoordinator.overBandwidth,
            missingProposals: result.links.agentCoordinator.missingProposals,
          }
        : {}),
    },
  };
}

type YearResult = Awaited<ReturnType<typeof runYear>>;

function socialSeries(
  influence: NonNullable<YearResult['influence']>,
  homes: YearResult['homes'],
): SweepSocialSeries {
  const tariffsAtEnd: Record<string, number> = {};
  for (const home of homes) tariffsAtEnd[home.tariffAtEnd] = (tariffsAtEnd[home.tariffAtEnd] ?? 0) + 1;
  return {
    adoptedPolicy: influence.adoptedPolicy,
    adoptersPerDay: influence.adoptersPerDay,
    peakKwPerDay: influence.peakKwPerDay,
    tariffsAtEnd,
  };
}

/** Social cost ({@link socialCostSum}, as the PoA study sums it) and the peak above the street's limit. */
function socialCostFigures(result: YearResult, limitKw: number, study: SweepJobMessage['study']) {
  const { socialCostGbp } = socialCostSum(result, {
    transformerRatingKw: limitKw,
    reinforcementGbpPerKw: study.reinforcementGbpPerKw,
    carbonPriceGbpPerKg: study.carbonPriceGbpPerKg,
  });
  return {
    transformerLimitKw: limitKw,
    peakAboveLimitKw: Math.max(0, result.network.transformerPeakKw - limitKw),
    socialCostGbp,
  };
}

parentPort?.on('message', (message: SweepJobMessage) => {
  runJob(message).then(
    (row) => parentPort?.postMessage(row),
    (error: unknown) =>
      parentPort?.postMessage({
        id: message.job.id,
        policy: message.job.policy,
        overrides: message.job.overrides,
        metrics: {},
        error: error instanceof Error ? error.message : String(error),
      } satisfies SweepRow),
  );
});
