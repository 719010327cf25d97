/**
 * Hub-dominated: either preferential attachment (Barabási–Albert: each home in street order ties to `m`
 * earlier homes, chosen in proportion to the ties they have, so early homes become hubs), or named
 * `influencers` whom every other home hears (and nobody else).
 */
import { z } from 'zod';
import type { Rng } from '../../random.js';
import { checkAtMost, defineGenerator, graphFromEdges } from '../graph.js';

export const hubDominated = defineGenerator({
  kind: 'hub-dominated',
  description: 'a few homes everyone hears: preferential attachment (m ties per home) or named influencers',
  params: {
    m: z.number().int().min(1).default(1),
    /** Home ids every other home hears; when given, the graph is these stars and `m` is not used. */
    influencers: z.array(z.string().min(1)).min(1).optional(),
  },
  check: (entry, homeIds, problem, path) => {
    checkAtMost(entry.m, homeIds.length - 1, 'm', problem, `${path}.m`);
    entry.influencers?.forEach((id, index) => {
      if (!homeIds.includes(id))
        throw problem(`${path}.influencers.${index}`, `a home of the scenario (${homeIds.join(', ')})`, id);
    });
  },
  build: (entry, homeIds, rng) => {
    const count = homeIds.length;
    if (!entry.influencers) return graphFromEdges(count, preferentialEdges(count, entry.m, rng));
    const hubs = entry.influencers.map((id) => homeIds.indexOf(id));
    return graphFromEdges(
      count,
      hubs.flatMap((hub) => homeIds.map((_, home) => [hub, home] as [number, number])),
    );
  },
});

/** Barabási–Albert: a clique of m+1 homes, then each further home ties to m distinct homes by degree. */
function preferentialEdges(count: number, m: number, rng: Rng): [number, number][] {
  const edges: [number, number][] = [];
  // Each tie's two ends: drawing from it draws a home in proportion to its degree.
  const ends: number[] = [];
  const tie = (a: number, b: number) => {
    edges.push([a, b]);
    ends.push(a, b);
  };
  for (let a = 0; a <= m && a < count; a++) for (let b = a + 1; b <= m && b < count; b++) tie(a, b);
  for (let home = m + 1; home < count; home++) {
    const targets = new Set<number>();
    while (targets.size < m) targets.add(ends[rng.int(ends.length)] as number);
    for (const target of targets) tie(home, target);
  }
  return edges;
}
