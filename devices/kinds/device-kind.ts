/**
 * How a device kind is defined: its `kind` in a board config's `nodes`, the zod schema of that node, the
 * constructor of its runtime node, and what the board-wide checks need to know about it (the pins, analog
 * inputs and NFC readers it uses). The kinds are one list, DEVICE_KINDS in ./index.ts; the board config
 * (../config.ts) and the agent take every choice from it (docs/architecture.md, "How to add a device kind").
 */
import type { z } from 'zod';
import type { DriverBackend } from '../config.js';
import type { AnalogInputConfig, NfcReaderConfig } from '../node-parts.js';
import type { DeviceNode, NodeLogger } from './node.js';

/** A path in the board config, as zod issues carry it (`['nodes', 0, 'sensor', 'pin']`). */
export type ConfigPath = (string | number)[];

/** What every node config has: its kind and an optional Homie node ID. */
export interface NodeConfigBase {
  kind: string;
  id?: string | undefined;
}

/**
 * The board-wide wiring checks, for a kind's `checkWiring`: each records the part it is given, so a pin,
 * an ADS1115 channel or an I2C address used twice on the board is reported at its second use.
 */
export interface WiringChecks {
  /** The backend the board is driven by. */
  readonly backend: DriverBackend;
  /** Reports a problem at a path. */
  issue(path: ConfigPath, message: string): void;
  /** A digital pin (or an analog pin's name): used once per board; on a Pi, a header GPIO. */
  usePin(pin: number | string, path: ConfigPath): void;
  /** An analog input: a microcontroller pin, or an ADS1115 channel on I2C. */
  useAnalog(input: AnalogInputConfig, path: ConfigPath): void;
  /** An NFC reader the backend can drive (a PN532 takes its I2C address). */
  useReader(reader: NfcReaderConfig, path: ConfigPath): void;
}

/** An analog input of a node, by role (the role a scripted `set-input` event names). */
export interface AnalogInputUse {
  role: 'sensor' | 'temperature';
  input: AnalogInputConfig;
}

/** One device kind of the registry. */
export interface DeviceKindDefinition<
  Kind extends string = string,
  Schema extends z.core.$ZodTypeDiscriminable = z.core.$ZodTypeDiscriminable,
> {
  /** `nodes[].kind` in a board config; also the node's Homie ID when it has no `id`. */
  readonly kind: Kind;
  /** The node's config, a strict object with `kind: z.literal(kind)` and `...NodeIdField`. */
  readonly schema: Schema;
  /** The runtime node for a validated config; `id` is its Homie node ID. */
  create(id: string, config: z.output<Schema>, log: NodeLogger): DeviceNode;
  /** Checks the node's wiring on its board; `at(...)` is the path of one of its fields. */
  checkWiring?(node: z.output<Schema>, checks: WiringChecks, at: (...rest: ConfigPath) => ConfigPath): void;
  /** The analog inputs the node reads, by role (none when absent). */
  analogInputs?(node: z.output<Schema>): AnalogInputUse[];
  /** Whether the node has an NFC reader that scripted `place-tag`/`lift-tag` events can use (no when absent). */
  hasReader?(node: z.output<Schema>): boolean;
}

/** Defines a device kind for the list (the identity, typed). */
export function defineDeviceKind<Kind extends string, Schema extends z.core.$ZodTypeDiscriminable>(
  definition: DeviceKindDefinition<Kind, Schema>,
): DeviceKindDefinition<Kind, Schema> {
  return definition;
}

/** The Homie node ID of a configured node: its `id`, or its kind. */
export function nodeIdOf(node: NodeConfigBase): string {
  return node.id ?? node.kind;
}
