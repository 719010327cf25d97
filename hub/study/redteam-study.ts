/**
 * The red-team study: one attack on a scenario, without a defence and with each defence, beside the run
 * with no attack; the damage of each (peak, voltage breaches, honest homes' bills, social cost, EV energy
 * short) in one table. Pure: no I/O; same inputs and seed, same numbers.
 */
import type { Policy } from '../agents/index.js';
import type { YearResult } from '../engine/outcomes.js';
import { buildYearStreet, type RunInputs } from '../engine/year-street.js';
import type { AttackEntry, DefenceEntry, RedTeamSection } from '../redteam/registry.js';
import { type SocialCostPricing, socialCost } from './poa-metrics.js';
import type { RedTeamDamage } from './study-rows.js';

export interface RedTeamStudyOptions {
  attack: AttackEntry;
  /** Each is tried alone; with more than one, also all together. */
  defences: readonly DefenceEntry[];
  days: number;
  /** Policy for every home (undefined: each home's own). */
  policy: string | undefined;
  createPolicy: (name: string) => Promise<Policy>;
  pricing: SocialCostPricing;
}

/** One run of the study and its damage. */
export interface RedTeamRow extends RedTeamDamage {
  attack: string | null;
  defences: string[];
  /** What the attack and the defences did, in words. */
  notes: string[];
}

export interface RedTeamStudyResult {
  scenario: string;
  seed: number;
  days: number;
  policy: string;
  attack: AttackEntry;
  defences: DefenceEntry[];
  transformerRatingKw: number;
  /** Homes whose own agents attack (left out of the honest bills). */
  attackers: string[];
  honestHomes: number;
  rows: RedTeamRow[];
}

/** Runs the rows: no attack, the attack alone, the attack with each defence (and with all of them). */
export async function runRedTeamStudy(
  inputs: RunInputs,
  options: RedTeamStudyOptions,
): Promise<RedTeamStudyResult> {
  const { attack, defences } = options;
  const plan: { name: string; section: RedTeamSection }[] = [
    { name: 'no attack', section: { attacks: [], defences: [] } },
    { name: `${attack.kind}, no defence`, section: { attacks: [attack], defences: [] } },
    ...defences.map((defence) => ({
      name: `${attack.kind} + ${defence.kind}`,
      section: { attacks: [attack], defences: [defence] },
    })),
    ...(defences.length > 1
      ? [{ name: `${attack.kind} + all defences`, section: { attacks: [attack], defences: [...defences] } }]
      : []),
  ];
  const runs = [];
  for (const row of plan) runs.push({ ...row, ...(await runOnce(inputs, row.section, options)) });
  // The attackers are the attack's; the baseline's bills are read for the same homes.
  const attackers = (runs[1] as (typeof runs)[number]).attackers;
  const first = (runs[0] as (typeof runs)[number]).result;
  return {
    scenario: first.scenario,
    seed: first.seed,
    days: first.days,
    policy: first.policy,
    attack,
    defences: [...defences],
    transformerRatingKw: options.pricing.transformerRatingKw,
    attackers: [...attackers],
    honestHomes: first.homes.length - attackers.size,
    rows: runs.map(({ name, section, result, notes }) => ({
      name,
      attack: section.attacks[0]?.kind ?? null,
      defences: section.defences.map((defence) => defence.kind),
      transformerPeakKw: result.network.transformerPeakKw,
      overRatingKwh: overRatingKwh(result, options.pricing.transformerRatingKw),
      largestRiseKw: largestRiseKw(result),
      voltageBreachBusMinutes: result.network.busMinutesOutsideStatutoryLimits,
      honestBillsGbp: result.homes
        .filter((home) => !attackers.has(home.home))
        .reduce((sum, home) => sum + home.billGbp, 0),
      socialCostGbp: socialCost(result, options.pricing).socialCostGbp,
      evShortfallKwh: result.homes.reduce((sum, home) => sum + home.evShortfallKwh, 0),
      notes,
    })),
  };
}

async function runOnce(
  inputs: RunInputs,
  section: RedTeamSection,
  options: RedTeamStudyOptions,
): Promise<{ result: YearResult; attackers: Set<string>; notes: string[] }> {
  const startedMs = performance.now();
  const { street, stepCount, redTeam, finish } = await buildYearStreet(inputs, options.policy, {
    days: options.days,
    recordSeries: true,
    createPolicy: options.createPolicy,
    redTeam: section,
  });
  for (let k = 0; k < stepCount; k++) street.step(k);
  return {
    result: finish(performance.now() - startedMs),
    attackers: redTeam.attackers,
    notes: redTeam.notes,
  };
}

function overRatingKwh(result: YearResult, ratingKw: number): number {
  const substationKw = result.series?.substationKw ?? new Float64Array(0);
  const dtHours = result.stepMinutes / 60;
  return substationKw.reduce((sum, kw) => sum + Math.max(0, kw - ratingKw) * dtHours, 0);
}

function largestRiseKw(result: YearResult): number {
  const substationKw = result.series?.substationKw ?? new Float64Array(0);
  let riseKw = 0;
  for (let k = 1; k < substationKw.length; k++)
    riseKw = Math.max(riseKw, (substationKw[k] as number) - (substationKw[k - 1] as number));
  return riseKw;
}

/** The study as markdown: the table, then what the red team did. */
export function redTeamReport(study: RedTeamStudyResult): string {
  const header =
    '| run | peak kW | largest rise kW | above rating kWh | voltage breaches (bus·min) | honest bills £ | social cost £ | EV short kWh |\n|---|---:|---:|---:|---:|---:|---:|---:|';
  const rows = study.rows.map(
    (row) =>
      `| ${row.name} | ${row.transformerPeakKw.toFixed(1)} | ${row.largestRiseKw.toFixed(1)} | ${row.overRatingKwh.toFixed(1)} | ${row.voltageBreachBusMinutes.toFixed(0)} | ${study.honestHomes === 0 ? '–' : row.honestBillsGbp.toFixed(2)} | ${row.socialCostGbp.toFixed(2)} | ${row.evShortfallKwh.toFixed(1)} |`,
  );
  const notes = study.rows.flatMap((row) => row.notes.map((note) => `- ${row.name}: ${note}`));
  return [
    `# Red team: ${study.attack.kind} on ${study.scenario}`,
    '',
    `${study.days} day${study.days === 1 ? '' : 's'}, policy ${study.policy}, seed ${study.seed}. Attack: \`${JSON.stringify(study.attack)}\`.`,
    `Attacking homes: ${study.attackers.length === 0 ? 'none (a device is compromised, its resident is honest)' : study.attackers.join(', ')}; honest bills are the ${study.attackers.length === 0 ? '' : 'other '}${study.honestHomes} homes' (the same homes in every row). Social cost: bills + £ per kW of peak above ${study.transformerRatingKw.toFixed(0)} kW + carbon.`,
    '',
    header,
    ...rows,
    '',
    ...(notes.length > 0 ? ['What the red team did:', '', ...notes, ''] : []),
  ].join('\n');
}
