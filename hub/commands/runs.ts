import type { Command } from 'commander';
import { DEFAULT_DATA_DIR, parseRunId, type RunRecord, RunStore } from '../runs/index.js';
import { formatGbp } from '../sim/summary-words.js';

interface HistoryFlags {
  dataDir: string;
  json?: boolean;
}

/** `gridflex runs list|show|delete|compare`: the run history in the data dir. */
export function registerRunsCommand(program: Command): void {
  const runs = program
    .command('runs')
    .description('the run history: every gridflex run and study recorded in the data dir (SQLite)');
  const withCommon = (command: Command) =>
    command
      .option('--data-dir <dir>', 'data dir holding runs.sqlite', DEFAULT_DATA_DIR)
      .option('--json', 'print JSON instead of a table');

  withCommon(runs.command('list').description('every recorded run, newest first')).action(
    (flags: HistoryFlags) =>
      withStore(flags, (store) => {
        const records = store.list();
        if (flags.json) return printJson(records);
        if (records.length === 0) return print(`no runs recorded in ${store.file}`);
        const rows = records.map((record) => [
          String(record.id),
          record.createdAt.replace('T', ' ').slice(0, 19),
          record.kind,
          record.scenarioName,
          String(record.parameters.policy ?? '-'),
          String(record.parameters.days ?? record.headline.days ?? '-'),
          keyFigure(record),
          record.outDir,
        ]);
        print(
          table(['id', 'created (UTC)', 'kind', 'scenario', 'policy', 'days', 'key figure', 'files'], rows),
        );
      }),
  );

  withCommon(
    runs.command('show').argument('<id>', 'run id (see runs list)').description('one run in full'),
  ).action((id: string, flags: HistoryFlags) =>
    withStore(flags, (store) => {
      const record = store.get(parseRunId(id));
      if (flags.json) return printJson(record);
      const lines = [
        `run ${record.id} (${record.kind}) at ${record.createdAt}, gridflex ${record.version}`,
        `scenario ${record.scenarioName}: ${record.scenarioFile} (sha256 ${record.scenarioSha256.slice(0, 12)}…), seed ${record.seed}`,
        `parameters ${JSON.stringify(record.parameters)}`,
        `files ${record.outDir}`,
        table(
          ['figure', 'value'],
          Object.entries(record.headline).map(([name, value]) => [name, formatNumber(value)]),
        ),
      ];
      print(lines.join('\n'));
    }),
  );

  runs
    .command('delete')
    .argument('<id>', 'run id')
    .description('remove a run from the history (with --files, also its output folder)')
    .option('--data-dir <dir>', 'data dir holding runs.sqlite', DEFAULT_DATA_DIR)
    .option('--files', "also delete the run's output folder")
    .action((id: string, flags: { dataDir: string; files?: boolean }) =>
      withStore(flags, (store) => {
        const { record, filesRemoved } = store.delete(parseRunId(id), { files: flags.files === true });
        print(`deleted run ${record.id}${filesRemoved ? ` and its folder ${record.outDir}` : ''}`);
      }),
    );

  withCommon(
    runs
      .command('compare')
      .argument('<a>', 'first run id')
      .argument('<b>', 'second run id')
      .description('two runs side by side: headline figures and their difference (b − a)'),
  ).action((a: string, b: string, flags: HistoryFlags) =>
    withStore(flags, (store) => {
      const comparison = store.compare(parseRunId(a, '<a>'), parseRunId(b, '<b>'));
      if (flags.json) return printJson(comparison);
      const describe = (record: RunRecord) =>
        `run ${record.id}: ${record.kind} ${record.scenarioName} ${JSON.stringify(record.parameters)}`;
      print(
        [
          `a = ${describe(comparison.a)}`,
          `b = ${describe(comparison.b)}`,
          ...comparison.warnings.map((warning) => `warning: ${warning}`),
          table(
            ['figure', `a (run ${comparison.a.id})`, `b (run ${comparison.b.id})`, 'b − a'],
            comparison.figures.map((figure) => [
              figure.name,
              formatNumber(figure.a),
              formatNumber(figure.b),
              figure.difference === null ? '-' : formatNumber(figure.difference, true),
            ]),
          ),
        ].join('\n'),
      );
    }),
  );
}

function withStore(flags: { dataDir: string }, use: (store: RunStore) => void): void {
  const store = RunStore.open(flags.dataDir);
  try {
    use(store);
  } finally {
    store.close();
  }
}

/** The one figure a list row shows for each kind. */
function keyFigure(record: RunRecord): string {
  const h = record.headline;
  if (record.kind === 'run' && h.billsGbp !== undefined) {
    return `bills ${formatGbp(h.billsGbp)} (${formatGbp(h.billsVsPassiveGbp ?? 0, true)} vs passive), peak ${formatNumber(h.transformerPeakKw ?? 0)} kW`;
  }
  if (record.kind === 'study-poa' && h.priceOfAnarchy !== undefined)
    return `PoA ${h.priceOfAnarchy.toFixed(3)}`;
  if (record.kind === 'study-sweep') return `${h.runs ?? 0} runs, ${h.failed ?? 0} failed`;
  if (record.kind === 'study-redteam' && h.attackPeakKw !== undefined)
    return `peak ${formatNumber(h.attackPeakKw)} kW under attack, ${formatNumber(h.noAttackPeakKw ?? null)} kW without`;
  if (record.kind === 'study-links' && h.worstSocialCostGbp !== undefined)
    return `worst social cost ${formatGbp(h.worstSocialCostGbp)}, ${h.failed ?? 0} failed`;
  return '-';
}

function formatNumber(value: number | null, signed = false): string {
  if (value === null) return '-';
  const text = Number.isInteger(value) ? String(value) : value.toFixed(Math.abs(value) >= 100 ? 1 : 3);
  return signed && value > 0 ? `+${text}` : text;
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n');
}

function print(text: string): void {
  process.stdout.write(`${text}\n`);
}

function printJson(value: unknown): void {
  print(JSON.stringify(value, null, 2));
}
