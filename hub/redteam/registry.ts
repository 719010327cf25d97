/**
 * The red team's attacks and defences by kind, as two lists: the scenario's `redTeam:` section (zod
 * discriminated unions), the check of its references and the participants a run adds all follow from them.
 * Adding one is one file in ./attacks/ or ./defences/ and one entry here (docs/red-team.md).
 */
import { z } from 'zod';
import type { StreetParticipant } from '../engine/street.js';
import type { StreetHome } from '../engine/street-home.js';
import { createRng } from '../random.js';
import { falseTelemetry } from './attacks/false-telemetry.js';
import { floodingClient } from './attacks/flooding-client.js';
import { lyingAgent } from './attacks/lying-agent.js';
import { massSwitch } from './attacks/mass-switch.js';
import { oscillatingLoad } from './attacks/oscillating-load.js';
import { rogueDevice } from './attacks/rogue-device.js';
import { syncCharge } from './attacks/sync-charge.js';
import { identityCheck } from './defences/identity-check.js';
import { planCheck } from './defences/plan-check.js';
import { rateLimit } from './defences/rate-limit.js';
import { startDelay } from './defences/start-delay.js';
import { switchingCap } from './defences/switching-cap.js';
import { telemetryCheck } from './defences/telemetry-check.js';
import {
  type AttackDefinition,
  type DefenceDefinition,
  HubChanges,
  type HubOverrides,
  type Problem,
  placeParts,
  type RedTeamContext,
  type RedTeamPart,
  type RedTeamReferences,
  type StreetSettings,
} from './red-team.js';

export const ATTACKS = [
  syncCharge,
  oscillatingLoad,
  falseTelemetry,
  massSwitch,
  lyingAgent,
  floodingClient,
  rogueDevice,
] as const;
export const DEFENCES = [
  startDelay,
  telemetryCheck,
  planCheck,
  switchingCap,
  rateLimit,
  identityCheck,
] as const;

export const ATTACK_KINDS: readonly string[] = ATTACKS.map((attack) => attack.kind);
export const DEFENCE_KINDS: readonly string[] = DEFENCES.map((defence) => defence.kind);

type AttackSchemas = (typeof ATTACKS)[number]['schema'];
type DefenceSchemas = (typeof DEFENCES)[number]['schema'];

const AttackSchema = z.discriminatedUnion(
  'kind',
  ATTACKS.map((attack) => attack.schema) as unknown as [AttackSchemas, ...AttackSchemas[]],
  { error: `an attack kind: ${ATTACK_KINDS.join(', ')}` },
);
const DefenceSchema = z.discriminatedUnion(
  'kind',
  DEFENCES.map((defence) => defence.schema) as unknown as [DefenceSchemas, ...DefenceSchemas[]],
  { error: `a defence kind: ${DEFENCE_KINDS.join(', ')}` },
);
export type AttackEntry = z.infer<typeof AttackSchema>;
export type DefenceEntry = z.infer<typeof DefenceSchema>;

/** The scenario's `redTeam:` section: the attacks and defences a run has. */
export const RedTeamSchema = z.strictObject({
  attacks: z.array(AttackSchema).default([]),
  defences: z.array(DefenceSchema).default([]),
});
export type RedTeamSection = z.infer<typeof RedTeamSchema>;

/** An entry of a kind with every default (the study's `--attack`/`--defence` when the scenario lists none). */
export function defaultEntry(list: 'attacks' | 'defences', kind: string): AttackEntry | DefenceEntry {
  const parsed = RedTeamSchema.shape[list].safeParse([{ kind }]);
  if (!parsed.success) {
    // Paths start at the list's index: name the entry's own field.
    const words = parsed.error.issues.map((issue) => `${issue.path.slice(1).join('.')}: ${issue.message}`);
    throw new Error(words.join('; '));
  }
  return parsed.data[0] as AttackEntry | DefenceEntry;
}

function attackOf(kind: string): AttackDefinition {
  return ATTACKS.find((attack) => attack.kind === kind) as unknown as AttackDefinition;
}

/** An attack kind's live client, if it has one (on the table it runs instead of the kind's model). */
export function liveAttackOf(kind: string): AttackDefinition['live'] {
  return attackOf(kind).live;
}

function defenceOf(kind: string): DefenceDefinition {
  return DEFENCES.find((defence) => defence.kind === kind) as unknown as DefenceDefinition;
}

/** Checks the section's references (homes, tariffs) against the scenario; errors name `redTeam.…`. */
export function checkRedTeam(section: RedTeamSection, references: RedTeamReferences, problem: Problem): void {
  section.attacks.forEach((entry, index) => {
    attackOf(entry.kind).check?.(entry, references, problem, `redTeam.attacks.${index}`);
  });
  section.defences.forEach((entry, index) => {
    defenceOf(entry.kind).check?.(entry, references, problem, `redTeam.defences.${index}`);
  });
}

/** The street's set-up with the section's defences applied. */
export function redTeamSettings(
  section: RedTeamSection | undefined,
  settings: StreetSettings,
): StreetSettings {
  return (section?.defences ?? []).reduce(
    (current, entry) => defenceOf(entry.kind).settings?.(entry, current) ?? current,
    settings,
  );
}

/** What the red team adds to a run, and what it did. */
export interface RedTeamRun {
  /** Homes whose own agents attack. */
  attackers: Set<string>;
  /** What the attacks and defences did, in words. */
  notes: string[];
  /** The engine's participants with the red team's placed among them. */
  place(engine: readonly StreetParticipant[]): StreetParticipant[];
}

/** The street's share of what an attack or defence may use (each entry gets its own random stream). */
export type RedTeamStreet = Omit<
  RedTeamContext,
  'rng' | 'note' | 'markAttacker' | 'refuse' | 'settings' | 'hubChanges'
> & {
  seed: number;
  /** The live table's own changes to the homes' setpoints (its smart chargers' delays, boosts). */
  hubOverrides?: HubOverrides;
  /** Leaves out the attacks with a live client: on the table they run as that client (./live-client.ts). */
  skipLiveAttacks?: boolean;
  /** An InputError naming `where` (the scenario file or the flag) and the field. */
  problem: Problem;
};

/** Builds the section's participants for one street: attacks first, so defences act on what they do. */
export async function buildRedTeam(
  section: RedTeamSection | undefined,
  street: RedTeamStreet,
): Promise<RedTeamRun> {
  const attackers = new Set<string>();
  const notes: string[] = [];
  const parts: RedTeamPart[] = [];
  const settings = redTeamSettings(section, { switchingCapacityPerWorkingDay: Number.POSITIVE_INFINITY });
  const { hubOverrides, skipLiveAttacks, ...shared } = street;
  const hubChanges = new HubChanges(hubOverrides);
  // Paths keep each entry's own index, so an error names the entry the operator sent.
  const entries = [
    ...(section?.attacks ?? [])
      .map((entry, index) => ({ entry, path: `redTeam.attacks.${index}`, definition: attackOf(entry.kind) }))
      .filter(({ definition }) => !(skipLiveAttacks && definition.live)),
    ...(section?.defences ?? []).map((entry, index) => ({
      entry,
      path: `redTeam.defences.${index}`,
      definition: defenceOf(entry.kind),
    })),
  ];
  for (const { entry, path, definition } of entries) {
    const context: RedTeamContext = {
      ...shared,
      hubChanges,
      settings,
      rng: createRng(street.seed).fork(path),
      note: (text) => notes.push(text),
      markAttacker: (home: StreetHome) => attackers.add(home.spec.id),
      refuse: (field, expected, found) => street.problem(`${path}.${field}`, expected, found),
    };
    parts.push(...(await definition.create(entry, context)));
  }
  return { attackers, notes, place: (engine) => placeParts(engine, parts) };
}

/** One attack or defence as the live table offers it: which list, and what it does. */
export interface RedTeamKind {
  list: 'attacks' | 'defences';
  kind: string;
  description: string;
}

/** Every attack and defence, in registry order (each runs on the live table as in a year run). */
export function redTeamKinds(): RedTeamKind[] {
  const kindOf = (list: RedTeamKind['list'], definition: AttackDefinition): RedTeamKind => ({
    list,
    kind: definition.kind,
    description: definition.description,
  });
  return [
    ...ATTACKS.map((attack) => kindOf('attacks', attack as unknown as AttackDefinition)),
    ...DEFENCES.map((defence) => kindOf('defences', defence as unknown as DefenceDefinition)),
  ];
}

/**
 * The operator's red team for the live table, or what is wrong with it in words naming the field (`attacks.0.at`):
 * the entries of the scenario's `redTeam:` section, naming homes and tariffs of the table.
 */
export function parseLiveRedTeam(
  body: unknown,
  homeIds: readonly string[],
  tariffIds: readonly string[],
): { section: RedTeamSection } | { problem: string } {
  const parsed = RedTeamSchema.safeParse(body);
  if (!parsed.success) {
    const words = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`);
    return { problem: words.join('; ') };
  }
  const section = parsed.data;
  try {
    checkRedTeam(
      section,
      { homeIds, tariffIds },
      (path, expected, found) =>
        // The table's paths start at the section's lists, not at `redTeam.`.
        new Error(`${path.replace(/^redTeam\./, '')}: expected ${expected}, found ${JSON.stringify(found)}`),
    );
  } catch (error) {
    return { problem: (error as Error).message };
  }
  return { section };
}
