/**
 * Small world (Watts–Strogatz): a ring of degree 2k whose edges each move, with probability `rewireP`, to a
 * home drawn at random (not the home itself, nor one it already knows).
 */
import { z } from 'zod';
import { checkAtMost, defineGenerator, graphFromEdges } from '../graph.js';
import { ringEdges } from './ring.js';

export const smallWorld = defineGenerator({
  kind: 'small-world',
  description: 'a ring whose ties are rewired at random with probability rewireP (Watts–Strogatz)',
  params: {
    k: z.number().int().min(1).default(2),
    rewireP: z.number().min(0).max(1).default(0.1),
  },
  check: (entry, homeIds, problem, path) => {
    checkAtMost(entry.k, Math.floor((homeIds.length - 1) / 2), 'k', problem, `${path}.k`);
  },
  build: (entry, homeIds, rng) => {
    const count = homeIds.length;
    const edges = ringEdges(count, entry.k);
    const known = (a: number, b: number) =>
      edges.some(([x, y]) => (x === a && y === b) || (x === b && y === a));
    for (const edge of edges) {
      if (rng.next() >= entry.rewireP) continue;
      const [from] = edge;
      const free = Array.from({ length: count }, (_, home) => home).filter(
        (home) => home !== from && !known(from, home),
      );
      if (free.length > 0) edge[1] = free[rng.int(free.length)] as number;
    }
    return graphFromEdges(count, edges);
  },
});
