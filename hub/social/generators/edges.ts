/** An explicit edge list: pairs of home ids that hear each other. */
import { z } from 'zod';
import { defineGenerator, graphFromEdges } from '../graph.js';

export const edges = defineGenerator({
  kind: 'edges',
  description: 'the pairs of homes that hear each other, listed by id',
  params: {
    edges: z.array(z.tuple([z.string().min(1), z.string().min(1)])).default([]),
  },
  check: (entry, homeIds, problem, path) => {
    entry.edges.forEach((pair, index) => {
      pair.forEach((id, end) => {
        if (!homeIds.includes(id))
          throw problem(
            `${path}.edges.${index}.${end}`,
            `a home of the scenario (${homeIds.join(', ')})`,
            id,
          );
      });
      if (pair[0] === pair[1]) throw problem(`${path}.edges.${index}`, 'two different homes', pair);
    });
  },
  build: (entry, homeIds) =>
    graphFromEdges(
      homeIds.length,
      entry.edges.map(([a, b]) => [homeIds.indexOf(a), homeIds.indexOf(b)] as [number, number]),
    ),
});
