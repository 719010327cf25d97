/**
 * The device kinds, as one list: a board config's `nodes` (a zod discriminated union by `kind`), its wiring
 * checks, the analog inputs scripted events may set, and the agent's runtime nodes are all taken from it.
 * Adding a kind is one file in this folder (`defineDeviceKind`) and one entry in DEVICE_KINDS
 * (docs/architecture.md, "How to add a device kind").
 */
import { z } from 'zod';
import type { DeviceNodeConfig } from '../config.js';
import { battery } from './battery.js';
import { type DeviceKindDefinition, type NodeConfigBase, nodeIdOf } from './device-kind.js';
import { evPad } from './ev-pad.js';
import { heatPump } from './heat-pump.js';
import { meter } from './meter.js';
import type { DeviceNode, NodeLogger } from './node.js';
import { plot } from './plot.js';
import { pv } from './pv.js';

export * from './device-kind.js';

/** Every device kind, in the order a bad `kind` lists them. */
export const DEVICE_KINDS = [pv, evPad, heatPump, battery, meter, plot] as const;

/** A non-empty list of device kinds (DEVICE_KINDS, or it and a test's own). */
export type DeviceKinds = readonly [DeviceKindDefinition, ...DeviceKindDefinition[]];

/** A node in a board config: one of the kinds' schemas, by `kind`. */
export function deviceNodeSchema<const Kinds extends DeviceKinds>(kinds: Kinds) {
  type Schemas = Kinds[number]['schema'];
  return z.discriminatedUnion('kind', kinds.map((kind) => kind.schema) as unknown as [Schemas, ...Schemas[]]);
}

/** The definition of a node's kind (every node that reaches here passed the schema of `kinds`). */
export function deviceKindOf(
  node: NodeConfigBase,
  kinds: readonly DeviceKindDefinition[] = DEVICE_KINDS,
): DeviceKindDefinition {
  const definition = kinds.find((candidate) => candidate.kind === node.kind);
  if (definition === undefined) {
    const names = kinds.map((candidate) => candidate.kind).join(', ');
    throw new RangeError(`no device kind "${node.kind}"; expected one of ${names}`);
  }
  return definition;
}

/** The device kind's runtime node for one configured node (of DEVICE_KINDS, or of `kinds`). */
export function createNode(config: DeviceNodeConfig, log: NodeLogger): DeviceNode;
export function createNode(
  config: NodeConfigBase,
  log: NodeLogger,
  kinds: readonly DeviceKindDefinition[],
): DeviceNode;
export function createNode(
  config: NodeConfigBase,
  log: NodeLogger,
  kinds: readonly DeviceKindDefinition[] = DEVICE_KINDS,
): DeviceNode {
  return deviceKindOf(config, kinds).create(nodeIdOf(config), config, log);
}
