/**
 * Social graphs: who each resident listens to. A graph is undirected, over the street's homes in scenario
 * order (index = the home's place in `scenario.homes`). A generator is defined once (`defineGenerator`: its
 * `kind` in the scenario's `socialGraph:` section, its parameters, what it checks against the homes and how
 * it draws the edges from the scenario's seed); ./registry.ts lists them.
 */
import type { z } from 'zod';
import type { Rng } from '../random.js';

/** Each home's neighbours, by home index, sorted, without duplicates or the home itself. */
export interface SocialGraph {
  readonly neighbours: readonly (readonly number[])[];
}

/** An InputError naming the field (`path`), what was expected and what was found. */
export type Problem = (path: string, expected: string, found: unknown) => Error;

export interface GeneratorDefinition<
  Kind extends string = string,
  Shape extends z.ZodRawShape = z.ZodRawShape,
> {
  kind: Kind;
  /** One sentence for the room. */
  description: string;
  /** The generator's parameters (each with a default, so a sweep may vary `socialGraph.kind` alone). */
  params: Shape;
  /** Checks the parameters against the street's homes; `path` is the section's (`socialGraph`). */
  check?(
    entry: z.infer<z.ZodObject<Shape>>,
    homeIds: readonly string[],
    problem: Problem,
    path: string,
  ): void;
  /** Draws the graph; `rng` is the section's own stream, forked from the scenario's seed. */
  build(entry: z.infer<z.ZodObject<Shape>>, homeIds: readonly string[], rng: Rng): SocialGraph;
}

export function defineGenerator<Kind extends string, Shape extends z.ZodRawShape>(
  definition: GeneratorDefinition<Kind, Shape>,
): GeneratorDefinition<Kind, Shape> {
  return definition;
}

/** The graph of an edge list over `homeCount` homes (self-loops and repeats dropped). */
export function graphFromEdges(homeCount: number, edges: Iterable<readonly [number, number]>): SocialGraph {
  const sets = Array.from({ length: homeCount }, () => new Set<number>());
  for (const [a, b] of edges) {
    if (a === b) continue;
    sets[a]?.add(b);
    sets[b]?.add(a);
  }
  return { neighbours: sets.map((set) => [...set].sort((x, y) => x - y)) };
}

/** Undirected edges, each once (a < b). */
export function edgeCount(graph: SocialGraph): number {
  return graph.neighbours.reduce((sum, list) => sum + list.length, 0) / 2;
}

/** Refuses a parameter that needs more homes than the street has. */
export function checkAtMost(
  value: number,
  limit: number,
  what: string,
  problem: Problem,
  path: string,
): void {
  if (value > limit) throw problem(path, `${what} at most ${limit} for this street`, value);
}
