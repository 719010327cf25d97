import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { PACKAGE_ROOT } from '../live/options.js';
import {
  DEFAULT_DATA_DIR,
  gridflexVersion,
  type PoaSummary,
  poaHeadline,
  RunStore,
  sweepHeadline,
} from '../runs/index.js';
import { loadRunInputs } from '../sim/inputs.js';
import { roundNumbers } from '../sim/metrics.js';
import { cooperativeAgainstCentral, formatGbp, spanInWords, unsettledInWords } from '../sim/summary-words.js';
import type { PolicyFigures } from '../study/poa-metrics.js';
import {
  type PoaPolicyExtras,
  type PoaStudyOptions,
  runPoaStudy,
  runPoaStudyInWorkers,
  studyPolicies,
} from '../study/poa-study.js';
import { readSocialStudy, socialMarkdown } from '../study/social-study.js';
import type { StudyPolicyOptions } from '../study/street-context.js';
import { loadSweepGrid, runSweep, type SweepRow } from '../study/sweep.js';
import { type AgentFlags, addAgentOptions, withAgent } from './agent-option.js';
import {
  addSpanOptions,
  integerFlag,
  makeOutputDir,
  numberFlag,
  type SpanFlags,
  spanOptions,
  writeOutput,
} from './flags.js';

interface StudyFlags {
  scenario: string;
  out: string;
  limitKw?: string;
  reinforcementGbpPerKw: string;
  carbonPriceGbpPerTonne: string;
  loadPriceSlope: string;
  voltage: boolean;
  dataDir: string;
}

/** The options every study command shares: how the network and carbon are priced. */
function addPricingOptions(command: Command): Command {
  return command
    .requiredOption('--scenario <file>', 'scenario YAML file')
    .requiredOption('--out <dir>', 'output folder')
    .option(
      '--limit-kw <kW>',
      "street import limit at the transformer (default: the feeder's hosting capacity by power flow)",
    )
    .option('--reinforcement-gbp-per-kw <gbp>', 'reinforcement cost per kW of peak above the limit', '150')
    .option('--carbon-price-gbp-per-tonne <gbp>', 'carbon price in the social cost', '0')
    .option(
      '--load-price-slope <gbp>',
      'load-dependent network price selfish agents face, £/kWh per kW of street import (0: none)',
      '0',
    )
    .option('--no-voltage', 'leave the linearised voltage limits out of cooperative and central')
    .option(
      '--data-dir <dir>',
      'data dir whose run history (runs.sqlite) records this study',
      DEFAULT_DATA_DIR,
    );
}

/** The flags a study records in the run history. */
function pricingParameters(flags: StudyFlags): Record<string, unknown> {
  return {
    ...(flags.limitKw !== undefined ? { limitKw: Number(flags.limitKw) } : {}),
    reinforcementGbpPerKw: Number(flags.reinforcementGbpPerKw),
    carbonPriceGbpPerTonne: Number(flags.carbonPriceGbpPerTonne),
    loadPriceSlope: Number(flags.loadPriceSlope),
    voltage: flags.voltage,
  };
}

function studyOptions(flags: StudyFlags): StudyPolicyOptions {
  return {
    ...(flags.limitKw !== undefined
      ? { transformerLimitKw: numberFlag(flags.limitKw, '--limit-kw', 1, 1e6) }
      : {}),
    reinforcementGbpPerKw: numberFlag(flags.reinforcementGbpPerKw, '--reinforcement-gbp-per-kw', 0, 1e6),
    carbonPriceGbpPerKg:
      numberFlag(flags.carbonPriceGbpPerTonne, '--carbon-price-gbp-per-tonne', 0, 1e5) / 1000,
    loadPriceSlopeGbpPerKwhPerKw: numberFlag(flags.loadPriceSlope, '--load-price-slope', 0, 1),
    voltageLimits: flags.voltage,
  };
}

/** One policy's figures on stdout: costs, how social cost splits, and each network limit it broke. */
function policyLines(
  name: string,
  figures: PolicyFigures | undefined,
  extras: PoaPolicyExtras | undefined,
): string[] {
  if (!figures) return [];
  const broken =
    figures.limitsBroken.length === 0
      ? 'kept every network limit'
      : `broke ${figures.limitsBroken.join('; ')}`;
  const gain = figures.marketCounterpartyGainGbp;
  // The market module's settlement with its counterparty is in the bills but not in social cost.
  const counterparty = gain === 0 ? '' : ` (market counterparty's gain ${formatGbp(gain)})`;
  const below = [
    broken,
    ...(figures.plannedLimits ? [figures.plannedLimits] : []),
    ...unsettledInWords(extras?.inverterUnsettledSteps ?? 0),
  ];
  return [
    `  ${name.padEnd(12)} social ${formatGbp(figures.socialCostGbp)} (resources ${formatGbp(figures.resourceCostGbp)}, transfers ${formatGbp(figures.transfersGbp)})  bills ${formatGbp(figures.billsGbp)}${counterparty}  peak ${figures.transformerPeakKw.toFixed(1)} kW  (${((extras?.runMs ?? 0) / 1000).toFixed(1)} s)`,
    // Under the policy's name, indented as far.
    ...below.map((line) => `  ${''.padEnd(12)} ${line}`),
  ];
}

/**
 * The study's lines on `stream` from one clock: progress (a tenth of each policy's steps on a log, a counter on
 * a terminal), and a line as each policy's run ends with its social cost and bills, as the report comes only at
 * the study's end.
 */
function studyReporters(
  stream: NodeJS.WriteStream,
): Required<Pick<PoaStudyOptions, 'onProgress' | 'onPolicyDone'>> {
  const startedMs = Date.now();
  const seconds = () => ((Date.now() - startedMs) / 1000).toFixed(0);
  const tenthsWritten = new Map<string, number>();
  return {
    onProgress: (policy, done, total) => {
      if (stream.isTTY) {
        stream.write(`\r${policy}: ${done}/${total} steps   `);
        return;
      }
      const tenths = total > 0 ? Math.floor((10 * done) / total) : 0;
      if (tenths <= (tenthsWritten.get(policy) ?? 0)) return;
      tenthsWritten.set(policy, tenths);
      stream.write(`${policy}: ${tenths * 10} % of ${total} steps after ${seconds()} s\n`);
    },
    onPolicyDone: (policy, { socialCostGbp, billsGbp }) => {
      const lead = stream.isTTY ? '\r' : '';
      stream.write(
        `${lead}${policy}: done after ${seconds()} s: social ${formatGbp(socialCostGbp)}, bills ${formatGbp(billsGbp)}\n`,
      );
    },
  };
}

/** `gridflex study poa|sweep`: the price-of-anarchy study and sweeps of scenario variants. */
export function registerStudyCommand(program: Command): void {
  const study = program.command('study').description('studies over policies and scenario variants');

  addAgentOptions(
    addSpanOptions(
      addPricingOptions(
        study
          .command('poa')
          .description(
            'run passive, selfish (Nash), cooperative and central (and external with --agent) on the same year and write poa.json: social cost, PoA, headroom lost, spread of benefits',
          ),
      ),
    ).option(
      '--workers <n>',
      'policies run at once, each in a worker thread',
      String(availableParallelism()),
    ),
  ).action(async (flags: StudyFlags & AgentFlags & SpanFlags & { workers: string }) => {
    const workers = integerFlag(flags.workers, '--workers', 1, 4);
    // Read and check the scenario and the span here, so a bad one is exit code 2 before any worker starts.
    const inputs = loadRunInputs(flags.scenario);
    const span = spanOptions(flags, inputs);
    const options: PoaStudyOptions = {
      ...studyOptions(flags),
      ...span,
      ...(flags.agent !== undefined ? { external: true } : {}),
      ...studyReporters(process.stderr),
    };
    const history = RunStore.open(flags.dataDir);
    makeOutputDir(flags.out);
    const { report, runs, extras, network } = await withAgent(flags, () =>
      workers > 1
        ? runPoaStudyInWorkers(flags.scenario, inputs, options, workers)
        : runPoaStudy(inputs, options),
    );
    if (process.stderr.isTTY) process.stderr.write('\n');
    const passive = runs.passive;
    const poa = roundNumbers({
      scenario: passive.scenario,
      seed: passive.seed,
      startDay: passive.startDay,
      days: passive.days,
      ...(passive.warmUpDays ? { warmUpDays: passive.warmUpDays } : {}),
      homes: passive.homes.length,
      ...report,
      coordination: {
        cooperativeMessagesPerStep: extras.cooperative.coordination?.messagesPerStep ?? 0,
        cooperativeRounds: extras.cooperative.coordination?.iterations ?? 0,
        cooperativeMaxViolation: extras.cooperative.coordination?.maxViolation ?? 0,
        nashSweeps: extras.selfish.coordination?.iterations ?? 0,
        nashConvergedWindows: extras.selfish.coordination?.convergedWindows ?? 0,
        nashCycledWindows: extras.selfish.coordination?.cycledWindows ?? 0,
        planningWindows: extras.selfish.coordination?.windows ?? 0,
      },
      network,
    });
    writeOutput(join(flags.out, 'poa.json'), `${JSON.stringify(poa, null, 2)}\n`);
    // Timings vary run to run; they stay out of poa.json so that it is reproducible byte for byte.
    writeOutput(join(flags.out, 'timing.json'), `${JSON.stringify(roundNumbers(extras), null, 2)}\n`);
    const record = history.record(
      {
        kind: 'study-poa',
        scenarioFile: flags.scenario,
        scenarioName: passive.scenario,
        seed: passive.seed,
        parameters: {
          ...pricingParameters(flags),
          startDay: passive.startDay,
          days: passive.days,
          ...(passive.warmUpDays ? { warmUpDays: passive.warmUpDays } : {}),
        },
        headline: poaHeadline(poa as PoaSummary),
        outDir: flags.out,
      },
      gridflexVersion(PACKAGE_ROOT),
    );
    history.close();
    const lines = [
      `${passive.scenario}: ${passive.homes.length} homes, ${spanInWords(passive)}`,
      `street limit ${network.transformerLimitKw.toFixed(1)} kW at the transformer: ${network.limitBasis}`,
      ...studyPolicies(options).flatMap((name) => policyLines(name, report.policies[name], extras[name])),
      `price of anarchy ${report.priceOfAnarchy.toFixed(3)}; headroom lost ${report.headroomLostPct.toFixed(1)} % of ${network.transformerLimitKw.toFixed(0)} kW; ${cooperativeAgainstCentral(report.cooperativeGapPct)}`,
      `optimum check: ${report.optimumCheck.statement}`,
      `wrote ${join(flags.out, 'poa.json')}`,
      `recorded as run ${record.id} in ${history.file}`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  });

  addPricingOptions(
    study
      .command('sweep')
      .description(
        'run every combination of scenario variants × policies on all cores (resumable); results in one table',
      ),
  )
    .requiredOption('--grid <file>', 'grid YAML: vary: {dot.path: [values]}, policies: [..], days: N')
    .option('--workers <n>', 'worker threads', String(availableParallelism()))
    .option(
      '--queue <url>',
      'instead of local threads: queue the runs on this Redis for gridflex worker on any machine (docs/scale.md)',
    )
    .action(async (flags: StudyFlags & { grid: string; workers: string; queue?: string }) => {
      const grid = loadSweepGrid(flags.grid);
      const workers = integerFlag(flags.workers, '--workers', 1, 256);
      const inputs = loadRunInputs(flags.scenario);
      const history = RunStore.open(flags.dataDir);
      makeOutputDir(flags.out);
      const sweep = {
        scenarioFile: flags.scenario,
        grid,
        study: studyOptions(flags),
        outDir: flags.out,
        workers,
        onRow: (row: SweepRow, done: number, total: number) =>
          process.stdout.write(`${done}/${total} ${row.id}${row.error ? `  error: ${row.error}` : ''}\n`),
      };
      // BullMQ loads only for a queued sweep.
      const summary =
        flags.queue === undefined
          ? await runSweep(sweep)
          : await (await import('../study/sweep-queue.js')).enqueueSweep(sweep, flags.queue);
      // A sweep over social graphs: the topologies side by side, for gridflex report.
      const social = readSocialStudy(flags.out, grid, inputs.scenario);
      if (social) {
        writeOutput(join(flags.out, 'social.json'), `${JSON.stringify(social, null, 2)}\n`);
        writeOutput(join(flags.out, 'social.md'), socialMarkdown(social));
      }
      const record = history.record(
        {
          kind: 'study-sweep',
          scenarioFile: flags.scenario,
          scenarioName: inputs.scenario.name,
          seed: inputs.scenario.seed,
          parameters: { ...pricingParameters(flags), grid: grid as unknown },
          // The history page offers the report of a sweep that has one.
          headline: { ...sweepHeadline(summary), ...(social && { topologies: social.rows.length }) },
          outDir: flags.out,
        },
        gridflexVersion(PACKAGE_ROOT),
      );
      history.close();
      process.stdout.write(
        `${summary.total} runs (${summary.ranNow} now, ${summary.resumed} from before, ${summary.failed} failed); table in ${summary.resultsCsv}\nrecorded as run ${record.id} in ${history.file}\n`,
      );
      if (social) {
        process.stdout.write(
          `${social.answer.slice(-2).join('\n')}\nwrote ${join(flags.out, 'social.json')} and social.md (gridflex report --id ${record.id})\n`,
        );
      }
      if (summary.failed > 0) process.exitCode = 1;
    });
}
