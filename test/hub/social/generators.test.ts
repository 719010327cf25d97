import { describe, expect, it } from 'vitest';
import { clusterOf } from '../../../hub/social/generators/clustered.js';
import { edgeCount, type SocialGraph } from '../../../hub/social/graph.js';
import {
  buildSocialGraph,
  checkSocialGraph,
  SocialGraphSchema,
  type SocialGraphSection,
} from '../../../hub/social/registry.js';

const HOMES = Array.from({ length: 20 }, (_, index) => `home-${index + 1}`);
const problem = (path: string, expected: string, found: unknown) =>
  new Error(`${path}: expected ${expected}, found ${JSON.stringify(found)}`);

/** A section parsed as the scenario parses it, checked against HOMES, and its graph from `seed`. */
function graphOf(section: Record<string, unknown>, seed = 7): SocialGraph {
  const parsed = SocialGraphSchema.parse(section) as SocialGraphSection;
  checkSocialGraph(parsed, HOMES, problem);
  return buildSocialGraph(parsed, HOMES, seed);
}

const degrees = (graph: SocialGraph) => graph.neighbours.map((list) => list.length);

describe('social graph generators', () => {
  it('ring: every home has degree 2k, its k neighbours either side', () => {
    const graph = graphOf({ kind: 'ring', k: 3 });
    expect(new Set(degrees(graph))).toEqual(new Set([6]));
    expect(graph.neighbours[0]).toEqual([1, 2, 3, 17, 18, 19]);
    expect(edgeCount(graph)).toBe(60);
  });

  it('clustered: with no ties between clusters every edge stays inside one, and each cluster is connected', () => {
    const graph = graphOf({ kind: 'clustered', clusters: 4, intraP: 0.6, interP: 0 });
    graph.neighbours.forEach((list, home) => {
      for (const other of list) expect(clusterOf(other, 20, 4)).toBe(clusterOf(home, 20, 4));
    });
    expect(edgeCount(graph)).toBeGreaterThan(0);
    const full = graphOf({ kind: 'clustered', clusters: 4, intraP: 1, interP: 0 });
    expect(new Set(degrees(full))).toEqual(new Set([4]));
    const bridged = graphOf({ kind: 'clustered', clusters: 4, intraP: 1, interP: 0.2 });
    const crossing = bridged.neighbours.flatMap((list, home) =>
      list.filter((other) => clusterOf(other, 20, 4) !== clusterOf(home, 20, 4)),
    );
    expect(crossing.length).toBeGreaterThan(0);
  });

  it('small world: rewiring keeps the edge count of the ring and moves some ties off it', () => {
    const lattice = graphOf({ kind: 'small-world', k: 2, rewireP: 0 });
    expect(lattice).toEqual(graphOf({ kind: 'ring', k: 2 }));
    const rewired = graphOf({ kind: 'small-world', k: 2, rewireP: 0.3 });
    expect(edgeCount(rewired)).toBe(edgeCount(lattice));
    const longTies = rewired.neighbours.flatMap((list, home) =>
      list.filter((other) => Math.min(Math.abs(other - home), 20 - Math.abs(other - home)) > 2),
    );
    expect(longTies.length).toBeGreaterThan(0);
  });

  it('hub-dominated: preferential attachment grows a hub far above the mean degree; influencers hear everyone', () => {
    const graph = graphOf({ kind: 'hub-dominated', m: 1 });
    expect(edgeCount(graph)).toBe(19);
    const meanDegree = (2 * edgeCount(graph)) / 20;
    expect(Math.max(...degrees(graph))).toBeGreaterThanOrEqual(3 * meanDegree);
    const stars = graphOf({ kind: 'hub-dominated', influencers: ['home-5'] });
    expect(stars.neighbours[4]).toHaveLength(19);
    expect(stars.neighbours.filter((list, home) => home !== 4 && list.length !== 1)).toEqual([]);
  });

  it('edges: the listed pairs, both ways', () => {
    const graph = graphOf({
      kind: 'edges',
      edges: [
        ['home-1', 'home-3'],
        ['home-3', 'home-20'],
      ],
    });
    expect(graph.neighbours[2]).toEqual([0, 19]);
    expect(edgeCount(graph)).toBe(2);
  });

  it('is deterministic from the seed, and another seed draws another graph', () => {
    for (const section of [
      { kind: 'clustered', clusters: 2, intraP: 0.5, interP: 0.1 },
      { kind: 'small-world', k: 2, rewireP: 0.4 },
      { kind: 'hub-dominated', m: 2 },
    ]) {
      expect(graphOf(section, 11)).toEqual(graphOf(section, 11));
      expect(graphOf(section, 11)).not.toEqual(graphOf(section, 12));
    }
  });

  it('refuses parameters that do not fit the street, naming the field', () => {
    expect(() => graphOf({ kind: 'ring', k: 10 })).toThrow('socialGraph.k: expected k at most 9');
    expect(() => graphOf({ kind: 'clustered', clusters: 21 })).toThrow('socialGraph.clusters');
    expect(() => graphOf({ kind: 'hub-dominated', influencers: ['home-99'] })).toThrow(
      'socialGraph.influencers.0: expected a home of the scenario',
    );
    expect(() => graphOf({ kind: 'edges', edges: [['home-1', 'home-42']] })).toThrow(
      'socialGraph.edges.0.1: expected a home of the scenario',
    );
    expect(() => graphOf({ kind: 'edges', edges: [['home-2', 'home-2']] })).toThrow(
      'socialGraph.edges.0: expected two different homes',
    );
    expect(() => graphOf({ kind: 'ring', adoption: { seedHomes: ['nobody'] } })).toThrow(
      'socialGraph.adoption.seedHomes.0',
    );
  });
});
