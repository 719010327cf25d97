import { dirname, join } from 'node:path';
import type { Command } from 'commander';
import { InputError } from '../errors.js';
import { chartSeriesCsv, loadReport, perHomeCsv, type ReportData, reportHtml } from '../report/index.js';
import { DEFAULT_DATA_DIR, parseRunId, RunStore } from '../runs/index.js';
import { makeOutputDir, writeOutput } from './flags.js';

const STUDY_NAMES: Record<Exclude<ReportData['kind'], 'run'>, string> = {
  'study-poa': 'PoA study',
  'study-redteam': 'red-team study',
  'study-links': 'links study',
  'study-social': 'social-graph sweep',
};

/** `gridflex report --run DIR|--id N --out report.html [--csv DIR]`: the year report as one self-contained HTML file. */
export function registerReportCommand(program: Command): void {
  program
    .command('report')
    .description(
      'the report of a finished gridflex run, study poa, study links, study redteam or a study sweep over social graphs as ONE self-contained HTML file (opens offline, prints to PDF)',
    )
    .option(
      '--run <dir>',
      'output folder of gridflex run (metrics.json …), study poa (poa.json), study links (links.json), study redteam (results.json) or study sweep over social graphs (social.json)',
    )
    .option('--id <n>', 'or: a run from the history (see gridflex runs list)')
    .option('--data-dir <dir>', 'data dir holding the history (with --id)', DEFAULT_DATA_DIR)
    .requiredOption('--out <file>', 'HTML file to write, e.g. report.html')
    .option('--csv <dir>', 'also write the per-home table and the chart series as CSV into this folder')
    .action((flags: { run?: string; id?: string; dataDir: string; out: string; csv?: string }) => {
      const started = performance.now();
      const report = loadReport(outputFolder(flags));
      const html = reportHtml(report);
      makeParent(flags.out);
      writeOutput(flags.out, html);
      const lines = [
        `wrote ${flags.out} (${(Buffer.byteLength(html) / 1024).toFixed(0)} KiB, ${report.kind === 'run' ? `${report.run?.homes.length ?? 0} homes` : STUDY_NAMES[report.kind]}, ${report.days} days) in ${(performance.now() - started).toFixed(0)} ms`,
      ];
      if (flags.csv !== undefined) {
        makeOutputDir(flags.csv);
        const homes = join(
          flags.csv,
          report.kind === 'run' ? 'report-homes.csv' : report.poa ? 'report-policies.csv' : 'report-rows.csv',
        );
        const series = join(flags.csv, 'report-chart-series.csv');
        writeOutput(homes, perHomeCsv(report));
        writeOutput(series, chartSeriesCsv(report));
        lines.push(`wrote ${homes} and ${series}`);
      }
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}

/** The folder to report on: --run, or the folder of history run --id. */
function outputFolder(flags: { run?: string; id?: string; dataDir: string }): string {
  if ((flags.run === undefined) === (flags.id === undefined)) {
    throw new InputError('--run/--id', 'give either --run DIR or --id N (a run from gridflex runs list)');
  }
  if (flags.run !== undefined) return flags.run;
  const store = RunStore.open(flags.dataDir);
  try {
    return store.get(parseRunId(flags.id ?? '', '--id')).outDir;
  } finally {
    store.close();
  }
}

function makeParent(file: string): void {
  makeOutputDir(dirname(file));
}
