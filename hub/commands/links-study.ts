/** `gridflex study links`: cooperative control against latency × loss on one class of links. */
import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
import { HUB_DASHBOARD_LIVE_ONLY } from '../engine/links.js';
import { InputError } from '../errors.js';
import { PACKAGE_ROOT } from '../live/options.js';
import { DEFAULT_DATA_DIR, gridflexVersion, linksHeadline, RunStore } from '../runs/index.js';
import { loadRunInputs } from '../sim/inputs.js';
import { roundNumbers } from '../sim/metrics.js';
import {
  linksChart,
  linksOutputs,
  linksReport,
  runLinksStudy,
  STUDY_LINKS,
  type StudyLink,
} from '../study/links-study.js';
import { streetPolicyContext } from '../study/street-context.js';
import { integerFlag, makeOutputDir, numberFlag, writeOutput } from './flags.js';

interface LinksFlags {
  scenario: string;
  link: string;
  latency: string;
  loss: string;
  days: string;
  out: string;
  limitKw?: string;
  reinforcementGbpPerKw: string;
  carbonPriceGbpPerTonne: string;
  workers: string;
  dataDir: string;
}

/** Adds `links` under the `study` command. */
export function registerLinksStudyCommand(program: Command): void {
  const study = program.commands.find((command) => command.name() === 'study');
  if (!study) throw new Error('the study command must be registered first');
  study
    .command('links')
    .description(
      'cooperative control against latency × loss on one class of links: social cost and limit violations (links.md, links.json, links.svg)',
    )
    .requiredOption(
      '--scenario <file>',
      'scenario YAML file (its links: section is the base the study varies)',
    )
    .option(
      '--link <class>',
      `the link class to vary (${Object.keys(STUDY_LINKS).join(', ')})`,
      'agentCoordinator',
    )
    .option(
      '--latency <list>',
      'latencies to try, comma-separated (rounds or steps, as the link counts)',
      '0,1,2,4',
    )
    .option('--loss <list>', 'loss probabilities to try, comma-separated', '0,0.1,0.3')
    .option('--days <n>', 'days to simulate from the scenario start', '7')
    .requiredOption('--out <dir>', 'output folder (a stopped study resumes from its results.jsonl)')
    .option('--limit-kw <kW>', "street import limit (default: the feeder's hosting capacity by power flow)")
    .option('--reinforcement-gbp-per-kw <gbp>', 'reinforcement cost per kW of peak above the limit', '150')
    .option('--carbon-price-gbp-per-tonne <gbp>', 'carbon price in the social cost', '0')
    .option('--workers <n>', 'worker threads', String(availableParallelism()))
    .option(
      '--data-dir <dir>',
      'data dir whose run history (runs.sqlite) records this study',
      DEFAULT_DATA_DIR,
    )
    .action(async (flags: LinksFlags) => {
      if (flags.link === 'hubDashboard')
        throw new InputError(
          '--link',
          `expected one of ${Object.keys(STUDY_LINKS).join(', ')}, found "hubDashboard": ${HUB_DASHBOARD_LIVE_ONLY}`,
        );
      if (!(flags.link in STUDY_LINKS))
        throw new InputError(
          '--link',
          `expected one of ${Object.keys(STUDY_LINKS).join(', ')}, found "${flags.link}"`,
        );
      const link = flags.link as StudyLink;
      const latencies = listFlag(flags.latency, '--latency', (text) =>
        integerFlag(text, '--latency', 0, 1000),
      );
      const losses = listFlag(flags.loss, '--loss', (text) => numberFlag(text, '--loss', 0, 1));
      const days = integerFlag(flags.days, '--days', 1, 365);
      const workers = integerFlag(flags.workers, '--workers', 1, 256);
      const studyOptions = {
        ...(flags.limitKw !== undefined
          ? { transformerLimitKw: numberFlag(flags.limitKw, '--limit-kw', 1, 1e6) }
          : {}),
        reinforcementGbpPerKw: numberFlag(flags.reinforcementGbpPerKw, '--reinforcement-gbp-per-kw', 0, 1e6),
        carbonPriceGbpPerKg:
          numberFlag(flags.carbonPriceGbpPerTonne, '--carbon-price-gbp-per-tonne', 0, 1e5) / 1000,
        loadPriceSlopeGbpPerKwhPerKw: 0,
      };
      // Read and check the scenario here, so a bad one is exit code 2 before any worker starts.
      const inputs = loadRunInputs(flags.scenario);
      const figures = (await streetPolicyContext(inputs, studyOptions)).figures();
      const history = RunStore.open(flags.dataDir);
      makeOutputDir(flags.out);
      const result = roundNumbers({
        // The report (gridflex report) names the study by them.
        scenario: inputs.scenario.name,
        seed: inputs.scenario.seed,
        ...(await runLinksStudy({
          scenarioFile: flags.scenario,
          link,
          latencies,
          losses,
          days,
          study: studyOptions,
          limitKw: figures.transformerLimitKw,
          outDir: flags.out,
          workers,
          onRow: (row, done, total) =>
            process.stdout.write(`${done}/${total} ${row.id}${row.error ? `  error: ${row.error}` : ''}\n`),
        })),
      });
      const outputs = linksOutputs(flags.out);
      const report = linksReport(result, inputs.scenario.name, 'links.svg');
      writeOutput(outputs.json, `${JSON.stringify(result, null, 2)}\n`);
      writeOutput(outputs.chart, linksChart(result));
      writeOutput(outputs.report, report);
      const record = history.record(
        {
          kind: 'study-links',
          scenarioFile: flags.scenario,
          scenarioName: inputs.scenario.name,
          seed: inputs.scenario.seed,
          parameters: { link, latencies, losses, days, ...studyOptions },
          headline: linksHeadline(result),
          outDir: flags.out,
        },
        gridflexVersion(PACKAGE_ROOT),
      );
      history.close();
      process.stdout.write(
        `${report}\nwrote ${outputs.report}, ${outputs.json} and ${outputs.chart}\nrecorded as run ${record.id} in ${history.file}\n`,
      );
      if (result.failed.length > 0) process.exitCode = 1;
    });
}

/** A comma-separated flag, each value checked by `parse`. */
function listFlag(text: string, flag: string, parse: (value: string) => number): number[] {
  const values = text.split(',').map((value) => parse(value.trim()));
  if (new Set(values).size !== values.length) throw new InputError(flag, `lists a value twice: "${text}"`);
  return values;
}
