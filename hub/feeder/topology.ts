import { InputError } from '../errors.js';
import type { FeederNetwork, LineSection } from './network.js';

/** The feeder as trees hanging off the transformers' LV buses, in an order the sweeps can walk. */
export interface RadialTopology {
  busIndex: Map<string, number>;
  /** Bus indices with every parent before its children (roots first). */
  order: Int32Array;
  /** Parent bus of each bus, −1 for a transformer's LV bus. */
  parent: Int32Array;
  /** Index into `network.lines` of the line that feeds each bus, −1 for a root. */
  feedingLine: Int32Array;
  /** Index of the transformer whose tree each bus is in. */
  transformerOfBus: Int32Array;
  /** LV bus index of each transformer. */
  rootBus: Int32Array;
}

const originOf = (line: LineSection): string => line.origin ?? `line ${line.name}`;

/**
 * Checks that the feeder is radial and fully connected, and orders it for the sweeps.
 * Throws an InputError naming the element (file and row where known) for: an unknown bus, a line that
 * closes a loop, a bus with no path to a transformer, and a load on an unknown bus.
 */
export function buildRadialTopology(network: FeederNetwork): RadialTopology {
  const busCount = network.buses.length;
  const busIndex = new Map<string, number>();
  network.buses.forEach((bus, index) => {
    busIndex.set(bus.name, index);
  });

  // Union-find in file order, so a loop is blamed on the line (usually the last one added) that closes it.
  const component = Int32Array.from({ length: busCount }, (_, index) => index);
  const findComponent = (bus: number): number => {
    let root = bus;
    while (component[root] !== root) root = component[root] as number;
    component[bus] = root;
    return root;
  };
  const adjacency: { neighbour: number; line: number }[][] = network.buses.map(() => []);
  network.lines.forEach((line, lineIndex) => {
    const from = busIndex.get(line.fromBus);
    const to = busIndex.get(line.toBus);
    if (from === undefined) throw new InputError(originOf(line), `unknown bus "${line.fromBus}"`);
    if (to === undefined) throw new InputError(originOf(line), `unknown bus "${line.toBus}"`);
    if (from === to)
      throw new InputError(originOf(line), `line ${line.name} connects bus "${line.fromBus}" to itself`);
    const fromRoot = findComponent(from);
    const toRoot = findComponent(to);
    if (fromRoot === toRoot) {
      throw new InputError(
        originOf(line),
        `line ${line.name} closes a loop between buses "${line.fromBus}" and "${line.toBus}" (the feeder must be radial)`,
      );
    }
    component[fromRoot] = toRoot;
    adjacency[from]?.push({ neighbour: to, line: lineIndex });
    adjacency[to]?.push({ neighbour: from, line: lineIndex });
  });

  const parent = new Int32Array(busCount).fill(-2); // −2 = not reached yet
  const feedingLine = new Int32Array(busCount).fill(-1);
  const transformerOfBus = new Int32Array(busCount).fill(-1);
  const rootBus = new Int32Array(network.transformers.length);
  const order = new Int32Array(busCount);
  let orderLength = 0;

  network.transformers.forEach((transformer, transformerIndex) => {
    const root = busIndex.get(transformer.lvBus);
    const where = transformer.origin ?? `transformer ${transformer.name}`;
    if (root === undefined)
      throw new InputError(where, `LV bus "${transformer.lvBus}" is not a bus of the feeder`);
    if (parent[root] !== -2) {
      throw new InputError(where, `LV bus "${transformer.lvBus}" is already fed by another transformer`);
    }
    rootBus[transformerIndex] = root;
    parent[root] = -1;
    transformerOfBus[root] = transformerIndex;
    let head = orderLength;
    order[orderLength++] = root;
    while (head < orderLength) {
      const bus = order[head++] as number;
      for (const { neighbour, line } of adjacency[bus] ?? []) {
        if (line === feedingLine[bus]) continue;
        if (parent[neighbour] !== -2) {
          // Lines alone form no loop (checked above), so this is a second transformer on the same tree.
          throw new InputError(
            where,
            `LV bus "${transformer.lvBus}" is connected to another transformer's LV bus`,
          );
        }
        parent[neighbour] = bus;
        feedingLine[neighbour] = line;
        transformerOfBus[neighbour] = transformerIndex;
        order[orderLength++] = neighbour;
      }
    }
  });

  if (orderLength < busCount) {
    const stranded = network.buses.find((_, index) => parent[index] === -2);
    throw new InputError(
      `feeder ${network.name}`,
      `bus "${stranded?.name}" is not connected to the source (${busCount - orderLength} bus(es) have no path to a transformer)`,
    );
  }

  for (const load of network.loads) {
    if (!busIndex.has(load.bus)) {
      throw new InputError(
        load.origin ?? `load ${load.name}`,
        `load ${load.name} is on unknown bus "${load.bus}"`,
      );
    }
  }
  return { busIndex, order, parent, feedingLine, transformerOfBus, rootBus };
}
