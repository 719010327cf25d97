/**
 * `gridflex study links`: what delay and loss on one class of links do to cooperative control. A sweep
 * (sweep.ts, on worker threads, resumable) over the link's latency × loss under the cooperative policy;
 * each run's social cost (the sweep row's, summed by poa-metrics.ts's socialCostSum as the PoA study sums it)
 * and limit violations in one table (links.md, links.json) and a chart (links.svg).
 */
import { join } from 'node:path';
import type { LinksFigures } from './study-rows.js';
import { runSweep, type SweepRow, type SweepStudyOptions } from './sweep.js';

/** The link classes a batch run applies, with the field its latency is given in. */
export const STUDY_LINKS = {
  agentCoordinator: { latency: 'latencyRounds', unit: 'rounds' },
  deviceHub: { latency: 'latencySteps', unit: 'steps' },
} as const;
export type StudyLink = keyof typeof STUDY_LINKS;

export interface LinksStudyOptions {
  scenarioFile: string;
  link: StudyLink;
  latencies: readonly number[];
  losses: readonly number[];
  days: number;
  study: SweepStudyOptions;
  /** The street's limit the sweep's rows measure the peak above, kW (the study's figures). */
  limitKw: number;
  outDir: string;
  workers?: number;
  onRow?: (row: SweepRow, done: number, total: number) => void;
}

/** One run of the study: a latency and a loss, and what cooperative control did under them. */
export interface LinksStudyRow extends LinksFigures {
  linesOverRating: number;
  /** Rounds in which a home's new proposal had not reached the coordinator (agent–coordinator). */
  missingProposals: number;
  /** Plans made on a reading older than their step (device–hub). */
  staleReadings: number;
}

export interface LinksStudyResult {
  link: StudyLink;
  unit: string;
  days: number;
  limitKw: number;
  rows: LinksStudyRow[];
  failed: { id: string; error: string }[];
}

/** Runs the sweep and reads each run's figures. */
export async function runLinksStudy(options: LinksStudyOptions): Promise<LinksStudyResult> {
  const { link, latencies, losses } = options;
  const rows: SweepRow[] = [];
  await runSweep({
    scenarioFile: options.scenarioFile,
    study: options.study,
    grid: {
      vary: {
        [`links.${link}.${STUDY_LINKS[link].latency}`]: [...latencies],
        [`links.${link}.loss`]: [...losses],
      },
      policies: ['cooperative'],
      days: options.days,
    },
    outDir: options.outDir,
    ...(options.workers !== undefined ? { workers: options.workers } : {}),
    onRow: (row, done, total) => {
      rows.push(row);
      options.onRow?.(row, done, total);
    },
  });
  const ran = rows.filter((row) => !row.error);
  return {
    link,
    unit: STUDY_LINKS[link].unit,
    days: options.days,
    limitKw: options.limitKw,
    rows: latencies.flatMap((latency) =>
      losses.flatMap((loss) => {
        const row = ran.find((candidate) => matches(candidate, link, latency, loss));
        return row ? [studyRow(row, latency, loss)] : [];
      }),
    ),
    failed: rows.filter((row) => row.error).map((row) => ({ id: row.id, error: row.error as string })),
  };
}

function matches(row: SweepRow, link: StudyLink, latency: number, loss: number): boolean {
  return (
    row.overrides[`links.${link}.${STUDY_LINKS[link].latency}`] === latency &&
    row.overrides[`links.${link}.loss`] === loss
  );
}

function studyRow(row: SweepRow, latency: number, loss: number): LinksStudyRow {
  const metric = (name: string) => row.metrics[name] ?? 0;
  return {
    latency,
    loss,
    socialCostGbp: metric('socialCostGbp'),
    billsGbp: metric('billsGbp'),
    transformerPeakKw: metric('transformerPeakKw'),
    peakAboveLimitKw: metric('peakAboveLimitKw'),
    busMinutesOutsideStatutoryLimits: metric('busMinutesOutsideStatutoryLimits'),
    linesOverRating: metric('linesOverRating'),
    missingProposals: metric('missingProposals'),
    staleReadings: metric('staleReadings'),
  };
}

/** The study as markdown: the table and the chart beside it. */
export function linksReport(study: LinksStudyResult, scenarioName: string, chartFile: string): string {
  const header = `| latency (${study.unit}) | loss | social cost £ | bills £ | peak kW | above limit kW | voltage breaches (bus·min) | lines over rating | proposals missing | stale readings |`;
  const lines = study.rows.map(
    (row) =>
      `| ${row.latency} | ${row.loss} | ${row.socialCostGbp.toFixed(2)} | ${row.billsGbp.toFixed(2)} | ${row.transformerPeakKw.toFixed(2)} | ${row.peakAboveLimitKw.toFixed(2)} | ${row.busMinutesOutsideStatutoryLimits} | ${row.linesOverRating} | ${row.missingProposals} | ${row.staleReadings} |`,
  );
  return [
    `# Links: ${study.link} latency and loss on ${scenarioName}`,
    '',
    `Cooperative control, ${study.days} day${study.days === 1 ? '' : 's'}, street limit ${study.limitKw} kW. Social cost: bills (less what a market module's counterparty gained from them) + reinforcement for the peak above the limit + carbon at its price, as study poa sums it.`,
    '',
    header,
    `|${'---:|'.repeat(10)}`,
    ...lines,
    '',
    ...study.failed.map((failure) => `- failed: ${failure.id}: ${failure.error}`),
    `![social cost and peak above the limit against latency, one line per loss](${chartFile})`,
    '',
  ].join('\n');
}

/** Two panels (social cost; peak above the limit) against latency, one line per loss, as one SVG. */
export function linksChart(study: LinksStudyResult): string {
  const panels = [
    { title: 'social cost £', value: (row: LinksStudyRow) => row.socialCostGbp },
    { title: 'peak above the limit kW', value: (row: LinksStudyRow) => row.peakAboveLimitKw },
  ];
  const width = 360;
  const height = 240;
  const margin = 48;
  const losses = [...new Set(study.rows.map((row) => row.loss))];
  const latencies = [...new Set(study.rows.map((row) => row.latency))];
  const maxLatency = Math.max(1, ...latencies);
  const colours = ['#1b6ca8', '#d1495b', '#edae49', '#00798c', '#30638e', '#6a4c93'];
  const parts = panels.map((panel, p) => {
    const values = study.rows.map(panel.value);
    const low = Math.min(0, ...values);
    const high = Math.max(low + 1e-9, ...values);
    const x = (latency: number) => p * width + margin + ((width - 2 * margin) * latency) / maxLatency;
    const y = (value: number) => height - margin - ((height - 2 * margin) * (value - low)) / (high - low);
    const lines = losses.map((loss, l) => {
      const points = study.rows
        .filter((row) => row.loss === loss)
        .map((row) => `${x(row.latency).toFixed(1)},${y(panel.value(row)).toFixed(1)}`);
      const colour = colours[l % colours.length];
      return `<polyline fill="none" stroke="${colour}" stroke-width="2" points="${points.join(' ')}"/><text x="${p * width + width - margin + 4}" y="${margin + 14 * l}" font-size="11" fill="${colour}">loss ${loss}</text>`;
    });
    const ticks = latencies.map(
      (latency) =>
        `<text x="${x(latency).toFixed(1)}" y="${height - margin + 14}" font-size="10" text-anchor="middle">${latency}</text>`,
    );
    return [
      `<text x="${p * width + margin}" y="${margin - 12}" font-size="12">${panel.title}</text>`,
      `<line x1="${x(0)}" y1="${height - margin}" x2="${x(maxLatency)}" y2="${height - margin}" stroke="#444"/>`,
      `<line x1="${x(0)}" y1="${margin}" x2="${x(0)}" y2="${height - margin}" stroke="#444"/>`,
      `<text x="${x(0) - 4}" y="${margin + 4}" font-size="10" text-anchor="end">${high.toFixed(0)}</text>`,
      `<text x="${x(0) - 4}" y="${height - margin}" font-size="10" text-anchor="end">${low.toFixed(0)}</text>`,
      `<text x="${x(maxLatency / 2)}" y="${height - 12}" font-size="11" text-anchor="middle">latency (${study.unit})</text>`,
      ...ticks,
      ...lines,
    ].join('\n');
  });
  const title = `<title>Social cost and peak above the ${study.limitKw} kW limit against ${study.link} latency, a line per loss</title>`;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${2 * width}" height="${height}" font-family="sans-serif">\n${title}\n${parts.join('\n')}\n</svg>\n`;
}

/** Where the study writes its table, figures and chart. */
export function linksOutputs(outDir: string): { report: string; json: string; chart: string } {
  return {
    report: join(outDir, 'links.md'),
    json: join(outDir, 'links.json'),
    chart: join(outDir, 'links.svg'),
  };
}
