/**
 * The social graph's generators by kind, and what residents take from their neighbours: the scenario's
 * `socialGraph:` section (a zod discriminated union on `kind`, each generator's parameters plus the shared
 * influence settings), its check against the homes and the graph a run draws all follow from the list.
 * Adding a generator is one file in ./generators/ and one entry here (docs/social-graph.md).
 */
import { z } from 'zod';
import { PolicyNameSchema } from '../agents/policy-name-schema.js';
import { createRng } from '../random.js';
import { clustered } from './generators/clustered.js';
import { edges } from './generators/edges.js';
import { hubDominated } from './generators/hub-dominated.js';
import { ring } from './generators/ring.js';
import { smallWorld } from './generators/small-world.js';
import type { GeneratorDefinition, Problem, SocialGraph } from './graph.js';

export const GENERATORS = [ring, clustered, smallWorld, hubDominated, edges] as const;
export const GENERATOR_KINDS: readonly string[] = GENERATORS.map((generator) => generator.kind);

const share = () => z.number().gt(0).max(1);

/** What spreads along the graph; each part is off unless given. */
const InfluenceSchema = z.strictObject({
  /**
   * Threshold adoption: once a day a home on `from` switches to `to` when at least `threshold` of its
   * neighbours are on `to`. `seedHomes` start on `to` whatever the scenario or the run's policy says.
   */
  adoption: z
    .strictObject({
      threshold: share().default(0.5),
      from: PolicyNameSchema.default('selfish'),
      to: PolicyNameSchema.default('cooperative'),
      seedHomes: z.array(z.string().min(1)).default([]),
    })
    .optional(),
  /** On tariff review days a home asks for the tariff at least `threshold` of its neighbours are on. */
  tariffs: z.strictObject({ threshold: share().default(0.5) }).optional(),
  /** Each day a home's objective weights move `ratePerDay` of the way to its neighbours' mean. */
  drift: z.strictObject({ ratePerDay: z.number().min(0).max(1).default(0.1) }).optional(),
});
export type Influence = z.infer<typeof InfluenceSchema>;

type Members = ReturnType<typeof member>;
function member(generator: (typeof GENERATORS)[number]) {
  return z.strictObject({ kind: z.literal(generator.kind), ...generator.params, ...InfluenceSchema.shape });
}

/** The scenario's `socialGraph:` section. */
export const SocialGraphSchema = z.discriminatedUnion(
  'kind',
  GENERATORS.map(member) as unknown as [Members, ...Members[]],
  { error: `a social graph kind: ${GENERATOR_KINDS.join(', ')}` },
);
export type SocialGraphSection = Influence & { kind: string } & Record<string, unknown>;

function generatorOf(kind: string): GeneratorDefinition {
  return GENERATORS.find((generator) => generator.kind === kind) as unknown as GeneratorDefinition;
}

/** Checks the section against the street's homes; errors name `socialGraph.…`. */
export function checkSocialGraph(
  section: SocialGraphSection,
  homeIds: readonly string[],
  problem: Problem,
): void {
  generatorOf(section.kind).check?.(section, homeIds, problem, 'socialGraph');
  section.adoption?.seedHomes.forEach((id, index) => {
    if (!homeIds.includes(id))
      throw problem(
        `socialGraph.adoption.seedHomes.${index}`,
        `a home of the scenario (${homeIds.join(', ')})`,
        id,
      );
  });
}

/** The section's graph over the homes, drawn from the scenario's seed (the same seed, the same graph). */
export function buildSocialGraph(
  section: SocialGraphSection,
  homeIds: readonly string[],
  seed: number,
): SocialGraph {
  return generatorOf(section.kind).build(section, homeIds, createRng(seed).fork('socialGraph'));
}
