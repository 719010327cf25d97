/**
 * Clusters: the street cut into `clusters` runs of neighbouring homes; two homes of a cluster know each other
 * with probability `intraP`, two of different clusters with `interP` (0: the clusters are cut off).
 */
import { z } from 'zod';
import { checkAtMost, defineGenerator, graphFromEdges } from '../graph.js';

const probability = () => z.number().min(0).max(1);

export const clustered = defineGenerator({
  kind: 'clustered',
  description: 'runs of neighbouring homes that know each other, with few ties between runs',
  params: {
    clusters: z.number().int().min(1).default(2),
    intraP: probability().default(1),
    interP: probability().default(0),
  },
  check: (entry, homeIds, problem, path) => {
    checkAtMost(entry.clusters, homeIds.length, 'clusters', problem, `${path}.clusters`);
  },
  build: (entry, homeIds, rng) => {
    const edges: [number, number][] = [];
    for (let a = 0; a < homeIds.length; a++) {
      for (let b = a + 1; b < homeIds.length; b++) {
        // One draw per pair, so changing a probability never shifts another pair's draw.
        const draw = rng.next();
        const same =
          clusterOf(a, homeIds.length, entry.clusters) === clusterOf(b, homeIds.length, entry.clusters);
        if (draw < (same ? entry.intraP : entry.interP)) edges.push([a, b]);
      }
    }
    return graphFromEdges(homeIds.length, edges);
  },
});

/** The cluster of a home: contiguous runs in street order, sizes differing by at most one. */
export function clusterOf(home: number, homeCount: number, clusters: number): number {
  return Math.floor((home * clusters) / homeCount);
}
