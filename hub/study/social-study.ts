/**
 * The social-graph study: a sweep over topologies (`gridflex study sweep` with a `socialGraph:` varied) read
 * back from its results.jsonl in the grid's order, per topology the adoption of the spread policy day by day,
 * the tariffs the homes end on, social cost and the peak against the street's limit, and the answer to issue
 * 15's question in words: does the cooperative outcome survive adding a hub (influencer) or cutting clusters?
 * Written beside the sweep's table as social.json and social.md; `gridflex report` draws social.json.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expandGrid, type SweepGrid, type SweepRow } from './sweep.js';

/** One topology's run. */
export interface SocialStudyRow {
  /** The topology and whatever else the grid varied, in words. */
  label: string;
  /** The social graph's generator (`socialGraph.kind`). */
  kind: string;
  policy: string;
  homes: number;
  adoptedPolicy: string;
  /** Homes on the adopted policy at the start of each day (the adoption curve). */
  adoptersPerDay: number[];
  adoptersAtEnd: number;
  socialEdges: number;
  tariffCopies: number;
  tariffsAtEnd: Record<string, number>;
  billsGbp: number;
  socialCostGbp: number;
  transformerPeakKw: number;
  lastDayPeakKw: number;
  transformerLimitKw: number;
  peakAboveLimitKw: number;
  busMinutesOutsideStatutoryLimits: number;
}

export interface SocialStudy {
  scenario: string;
  seed: number;
  days: number;
  rows: SocialStudyRow[];
  /** The question answered from the rows, one sentence a line. */
  answer: string[];
}

/** The rows of the sweep in `outDir` that ran a social graph, in the grid's order; null if none did. */
export function readSocialStudy(
  outDir: string,
  grid: SweepGrid,
  scenario: { name: string; seed: number; socialGraph?: unknown },
): SocialStudy | null {
  const file = join(outDir, 'results.jsonl');
  if (!existsSync(file)) return null;
  const byId = new Map<string, SweepRow>();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    try {
      const row = JSON.parse(line) as SweepRow;
      if (!row.error && row.social) byId.set(row.id, row);
    } catch {
      // A line cut short by a kill was run again.
    }
  }
  const policies = new Set(grid.policies);
  const rows = expandGrid(grid)
    .map((job) => byId.get(job.id))
    .filter((row) => row !== undefined)
    .map((row) => studyRow(row, scenario.socialGraph, policies.size > 1));
  if (rows.length === 0) return null;
  const days = Math.max(...rows.map((row) => row.adoptersPerDay.length));
  return { scenario: scenario.name, seed: scenario.seed, days, rows, answer: socialAnswer(rows) };
}

function studyRow(row: SweepRow, baseGraph: unknown, namePolicy: boolean): SocialStudyRow {
  const social = row.social as NonNullable<SweepRow['social']>;
  const metric = (name: string) => row.metrics[name] ?? 0;
  const graph = { ...(isObject(baseGraph) ? baseGraph : {}) };
  const others: string[] = [];
  for (const [path, value] of Object.entries(row.overrides)) {
    if (path === 'socialGraph' && isObject(value)) Object.assign(graph, value);
    else if (path.startsWith('socialGraph.') && !path.startsWith('socialGraph.adoption'))
      graph[path.slice('socialGraph.'.length)] = value;
    else if (!path.startsWith('socialGraph.')) others.push(`${path} ${JSON.stringify(value)}`);
  }
  const kind = String(graph.kind ?? 'none');
  return {
    label: [graphLabel(graph), ...others, ...(namePolicy ? [row.policy] : [])].join(', '),
    kind,
    policy: row.policy,
    homes: metric('homes'),
    adoptedPolicy: social.adoptedPolicy,
    adoptersPerDay: social.adoptersPerDay,
    adoptersAtEnd: metric('adoptersAtEnd'),
    socialEdges: metric('socialEdges'),
    tariffCopies: metric('tariffCopies'),
    tariffsAtEnd: social.tariffsAtEnd,
    billsGbp: metric('billsGbp'),
    socialCostGbp: metric('socialCostGbp'),
    transformerPeakKw: metric('transformerPeakKw'),
    lastDayPeakKw: metric('lastDayPeakKw'),
    transformerLimitKw: metric('transformerLimitKw'),
    peakAboveLimitKw: metric('peakAboveLimitKw'),
    busMinutesOutsideStatutoryLimits: metric('busMinutesOutsideStatutoryLimits'),
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** What spreads along the graph is not its shape: left out of the label. */
const INFLUENCE_KEYS = new Set(['kind', 'adoption', 'tariffs', 'drift']);

/** `hub-dominated (influencers home-1)`, `clustered (clusters 2, interP 0)`. */
function graphLabel(graph: Record<string, unknown>): string {
  const params = Object.entries(graph)
    .filter(([key]) => !INFLUENCE_KEYS.has(key))
    .map(([key, value]) => `${key} ${Array.isArray(value) ? value.map(String).join(' ') : String(value)}`);
  const kind = String(graph.kind ?? 'no graph');
  return params.length > 0 ? `${kind} (${params.join(', ')})` : kind;
}

/** The first day (1-based) every home was on the adopted policy, or null. */
export function dayAllAdopted(row: SocialStudyRow): number | null {
  const index = row.adoptersPerDay.indexOf(row.homes);
  return index < 0 ? null : index + 1;
}

/** The cooperative outcome: every home on the spread policy, and the last day's peak within the limit. */
export function survives(row: SocialStudyRow): boolean {
  return row.adoptersAtEnd === row.homes && row.lastDayPeakKw <= row.transformerLimitKw;
}

/** One row in words: how far the policy spread, and where the street's peak ended against its limit. */
function rowSentence(row: SocialStudyRow): string {
  const day = dayAllAdopted(row);
  const spread =
    day === null
      ? `${row.adoptersAtEnd} of ${row.homes} homes ${row.adoptedPolicy} at the end`
      : `all ${row.homes} homes ${row.adoptedPolicy} from day ${day}`;
  const peak = `last day's peak ${row.lastDayPeakKw.toFixed(1)} kW ${row.lastDayPeakKw <= row.transformerLimitKw ? 'within' : 'above'} the ${row.transformerLimitKw.toFixed(1)} kW limit`;
  return `${row.label}: ${spread}, ${peak}, social cost £${row.socialCostGbp.toFixed(2)}.`;
}

/** Does the cooperative outcome survive `what`? A verdict over the rows of those topologies. */
function verdict(what: string, rows: SocialStudyRow[]): string {
  if (rows.length === 0) return `${what}: this sweep has no such topology.`;
  const kept = rows.filter(survives);
  if (kept.length === rows.length)
    return `${what}: the cooperative outcome survives in every such topology here (${rows.map((row) => row.label).join('; ')}).`;
  if (kept.length === 0)
    return `${what}: the cooperative outcome does not survive in any such topology here (${rows.map((row) => `${row.label}: ${row.adoptersAtEnd} of ${row.homes}`).join('; ')}).`;
  return `${what}: it survives in ${kept.map((row) => row.label).join('; ')}, not in ${rows
    .filter((row) => !survives(row))
    .map((row) => `${row.label} (${row.adoptersAtEnd} of ${row.homes})`)
    .join('; ')}.`;
}

/** The question answered from the figures: one sentence per topology, then one per hub and per clusters. */
export function socialAnswer(rows: SocialStudyRow[]): string[] {
  return [
    ...rows.map(rowSentence),
    verdict(
      'Adding a hub (influencer)',
      rows.filter((row) => row.kind === 'hub-dominated'),
    ),
    verdict(
      'Cutting clusters',
      rows.filter((row) => row.kind === 'clustered'),
    ),
  ];
}

/** social.md: the table and the answer. */
export function socialMarkdown(study: SocialStudy): string {
  const header =
    '| topology | homes adopting at the end | all from day | ties | tariff copies | tariffs at the end | social cost £ | bills £ | peak kW | last day peak kW | above limit kW | voltage breaches (bus·min) |';
  const lines = study.rows.map(
    (row) =>
      `| ${row.label} | ${row.adoptersAtEnd} of ${row.homes} | ${dayAllAdopted(row) ?? '—'} | ${row.socialEdges} | ${row.tariffCopies} | ${tariffMix(row.tariffsAtEnd)} | ${row.socialCostGbp.toFixed(2)} | ${row.billsGbp.toFixed(2)} | ${row.transformerPeakKw.toFixed(2)} | ${row.lastDayPeakKw.toFixed(2)} | ${row.peakAboveLimitKw.toFixed(2)} | ${row.busMinutesOutsideStatutoryLimits} |`,
  );
  return [
    `# Social graph: ${study.scenario}, ${study.days} days, seed ${study.seed}`,
    '',
    header,
    `|${'---|'.repeat(12)}`,
    ...lines,
    '',
    ...study.answer.map((sentence) => `- ${sentence}`),
    '',
  ].join('\n');
}

/** `flat-cap 6, agile 2`: homes per tariff, most first. */
export function tariffMix(tariffs: Record<string, number>): string {
  return Object.entries(tariffs)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([tariff, homes]) => `${tariff} ${homes}`)
    .join(', ');
}
