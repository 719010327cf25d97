/** A ring: each home hears the `k` homes on either side of it in street order (degree 2k). */
import { z } from 'zod';
import { checkAtMost, defineGenerator, graphFromEdges } from '../graph.js';

export const ring = defineGenerator({
  kind: 'ring',
  description: 'each home hears the k homes either side of it along the street',
  params: { k: z.number().int().min(1).default(1) },
  check: (entry, homeIds, problem, path) => {
    // 2k < n, so no home is its own neighbour's neighbour twice over and the degree stays 2k.
    checkAtMost(entry.k, Math.floor((homeIds.length - 1) / 2), 'k', problem, `${path}.k`);
  },
  build: (entry, homeIds) => graphFromEdges(homeIds.length, ringEdges(homeIds.length, entry.k)),
});

/** Each home to the `k` homes after it, wrapping round (the ring lattice small-world rewires). */
export function ringEdges(homeCount: number, k: number): [number, number][] {
  const edges: [number, number][] = [];
  for (let home = 0; home < homeCount; home++) {
    for (let step = 1; step <= k; step++) edges.push([home, (home + step) % homeCount]);
  }
  return edges;
}
