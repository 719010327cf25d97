/**
 * The device agent's configuration: one YAML file per board, which is also the board's pinout
 * (hardware/boards/*.yaml use the same schema). `gridflex device add` on the hub writes it.
 * Validation catches wiring mistakes before anything is driven: pin and I2C address ranges, a pin used
 * twice, and parts a backend cannot drive (e.g. an analog pin on a Raspberry Pi, which has no ADC).
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { checkBoardPinout, parseBoardPinout, resolveBoardPins } from '../protocol/board-pinout.js';
import { HomieIdSchema } from '../protocol/homie.js';
import {
  type AnalogInputUse,
  type ConfigPath,
  DEVICE_KINDS,
  type DeviceKindDefinition,
  type DeviceKinds,
  deviceKindOf,
  deviceNodeSchema,
  type NodeConfigBase,
  nodeIdOf,
  type WiringChecks,
} from './kinds/index.js';
import { type AnalogInputConfig, type NfcReaderConfig, TagUidSchema } from './node-parts.js';

export { BatteryNodeSchema } from './kinds/battery.js';
export { EvPadNodeSchema } from './kinds/ev-pad.js';
export { HeatPumpNodeSchema } from './kinds/heat-pump.js';
export { MeterNodeSchema } from './kinds/meter.js';
export { PlotNodeSchema } from './kinds/plot.js';
export { PvNodeSchema } from './kinds/pv.js';
export * from './node-parts.js';
export { nodeIdOf };

/** A node on a board: one of DEVICE_KINDS (devices/kinds/index.ts), by `kind`. */
export const DeviceNodeSchema = deviceNodeSchema(DEVICE_KINDS);
export type DeviceNodeConfig = z.infer<typeof DeviceNodeSchema>;
export type DeviceNodeKind = DeviceNodeConfig['kind'];

/** Which hardware the board drives. */
export const DriverSchema = z.discriminatedUnion('backend', [
  /** Simulated hardware: deterministic, driven by `sim.events`. The default. */
  z.strictObject({ backend: z.literal('sim') }),
  /** An Arduino-class board running StandardFirmata, over a serial port. */
  z.strictObject({ backend: z.literal('johnny-five'), port: z.string().min(1) }),
  /** A microcontroller speaking GridFlex line-JSON (docs/devices.md) over a serial port. */
  z.strictObject({
    backend: z.literal('serial-json'),
    port: z.string().min(1),
    baudRate: z.number().int().positive().default(115_200),
  }),
  /** A Raspberry Pi's own GPIO (libgpiod character device, or onoff sysfs) and I2C bus. */
  z.strictObject({
    backend: z.literal('linux'),
    gpio: z.enum(['libgpiod', 'onoff']).default('libgpiod'),
    gpioChip: z.string().default('gpiochip0'),
    i2cBus: z.number().int().min(0).max(31).default(1),
  }),
]);
export type DriverConfig = z.infer<typeof DriverSchema>;
export type DriverBackend = DriverConfig['backend'];

/** A scripted event of the sim backend, at `atS` seconds after the agent started. */
export const SimEventSchema = z.discriminatedUnion('do', [
  /** Put a tag on an NFC reader (an EV on a pad, an asset on a plot). */
  z.strictObject({
    atS: z.number().nonnegative(),
    do: z.literal('place-tag'),
    node: HomieIdSchema,
    tagUid: TagUidSchema,
  }),
  z.strictObject({ atS: z.number().nonnegative(), do: z.literal('lift-tag'), node: HomieIdSchema }),
  /** Set an analog input to a fraction of full scale (light on the PV, a temperature). */
  z.strictObject({
    atS: z.number().nonnegative(),
    do: z.literal('set-input'),
    node: HomieIdSchema,
    /** `sensor` or `temperature`; defaults to the node's only input. */
    input: z.enum(['sensor', 'temperature']).optional(),
    value: z.number().min(0).max(1),
  }),
  /** Make every driver call hang until the watchdog restarts the driver. */
  z.strictObject({ atS: z.number().nonnegative(), do: z.literal('hang-driver') }),
]);
export type SimEvent = z.infer<typeof SimEventSchema>;

const DeviceConfigFieldsSchema = z.strictObject({
  deviceId: HomieIdSchema,
  name: z.string().min(1).max(100).optional(),
  /**
   * The board's pinout file (hardware/boards/*.pinout.yaml), relative to this config. With it, pins may be
   * named by the pinout's wiring names, and every pin must agree with the pinout.
   */
  board: z.string().min(1).optional(),
  broker: z.strictObject({
    url: z.string().regex(/^(mqtts?|wss?|tcp):\/\/[^\s]+$/, 'an mqtt://, mqtts://, ws:// or wss:// URL'),
    username: z.string().min(1).max(128).optional(),
    password: z.string().max(256).optional(),
    /** Read the password from this file instead (e.g. a root-only file on the Pi). */
    passwordFile: z.string().min(1).optional(),
  }),
  telemetryIntervalMs: z.number().int().min(50).max(3_600_000).default(1000),
  /** Readings kept while offline; the oldest go first when it is full. */
  queueSize: z.number().int().min(1).max(1_000_000).default(10_000),
  /** A driver call that takes longer than this counts as hung; the watchdog restarts the driver. */
  watchdogTimeoutMs: z.number().int().min(50).max(600_000).default(5000),
  reconnect: z
    .strictObject({
      initialMs: z.number().int().min(10).max(60_000).default(500),
      maxMs: z.number().int().min(10).max(600_000).default(30_000),
    })
    .default({ initialMs: 500, maxMs: 30_000 }),
  driver: DriverSchema.default({ backend: 'sim' }),
  nodes: z.array(DeviceNodeSchema).min(1, 'a board hosts at least one node'),
  /**
   * Whose clock the board's time follows. `board`: its own ticks (scripted events at `atS` seconds after it
   * started). `hub`: the hub's simulated clock (retained `gridflex/v1/clock`): scripted events at `atS`
   * simulated seconds after `sim.origin`, state advanced by simulated time, frozen while the hub is paused;
   * under the hub's `lockstep` clock the board registers as a participant and answers every step.
   */
  clock: z.enum(['board', 'hub']).default('board'),
  sim: z
    .strictObject({
      events: z.array(SimEventSchema).default([]),
      /** With `clock: hub`: the simulated time scripts count from (default: the first hub clock seen). */
      origin: z.iso.datetime({ offset: true }).optional(),
    })
    .optional(),
});

/**
 * The board config for a list of device kinds: DeviceConfigSchema is DEVICE_KINDS'; a test may add its own
 * kinds (`deviceConfigSchema([...DEVICE_KINDS, myKind])`) and create their nodes with `createNode(node, log,
 * kinds)`.
 */
export function deviceConfigSchema<const Kinds extends DeviceKinds>(kinds: Kinds) {
  return DeviceConfigFieldsSchema.extend({
    nodes: z.array(deviceNodeSchema(kinds)).min(1, 'a board hosts at least one node'),
  }).superRefine((cfg, ctx) => checkWiring(cfg as WiredConfig, ctx, kinds));
}

export const DeviceConfigSchema = deviceConfigSchema(DEVICE_KINDS);
export type DeviceConfig = z.infer<typeof DeviceConfigSchema>;

/** What the wiring checks read of a parsed config (of any list of kinds). */
interface WiredConfig {
  driver: DriverConfig;
  nodes: NodeConfigBase[];
  sim?: { events: SimEvent[] } | undefined;
}

function checkWiring(cfg: WiredConfig, ctx: z.RefinementCtx, kinds: readonly DeviceKindDefinition[]): void {
  const backend = cfg.driver.backend;
  const seenNodes = new Map<string, number>();
  const seenPins = new Map<string, string>();
  const seenI2c = new Map<number, string>();
  const issue = (path: ConfigPath, message: string) => ctx.addIssue({ code: 'custom', path, message });

  const usePin = (pin: number | string, path: ConfigPath) => {
    const key = String(pin);
    const owner = seenPins.get(key);
    if (owner !== undefined) issue(path, `pin ${key} is already used by ${owner}`);
    else seenPins.set(key, path.join('.'));
    if (backend === 'linux' && typeof pin === 'number' && pin > 27) {
      issue(path, `GPIO ${pin} does not exist on a Raspberry Pi header (0…27)`);
    }
  };
  const useI2c = (address: number, path: ConfigPath, shareable: boolean) => {
    if (backend === 'johnny-five') issue(path, 'I2C parts are not supported on the johnny-five backend');
    const owner = seenI2c.get(address);
    if (owner !== undefined && !shareable) {
      issue(path, `I2C address 0x${address.toString(16)} is already used by ${owner}`);
    }
    seenI2c.set(address, path.join('.'));
  };
  const useAnalog = (input: AnalogInputConfig, path: ConfigPath) => {
    if (input.type === 'analog') {
      if (backend === 'linux') {
        issue([...path, 'pin'], 'a Raspberry Pi has no analog inputs; use an ads1115 on I2C');
      }
      usePin(input.pin, [...path, 'pin']);
    } else {
      // Four channels of one ADS1115 share its address.
      useI2c(input.address, [...path, 'address'], true);
      const key = `ads1115@${input.address}/${input.channel}`;
      const owner = seenPins.get(key);
      if (owner !== undefined)
        issue([...path, 'channel'], `ADS1115 channel ${input.channel} is already used by ${owner}`);
      seenPins.set(key, path.join('.'));
    }
  };
  const useReader = (reader: NfcReaderConfig, path: ConfigPath) => {
    if (backend === 'johnny-five') {
      issue([...path, 'type'], 'NFC readers are not supported on johnny-five; use serial-json or linux');
    } else if (reader.type === 'pn532') {
      useI2c(reader.address, [...path, 'address'], false);
    } else if (backend === 'linux') {
      issue([...path, 'type'], 'a "serial" NFC reader needs the serial-json backend; on a Pi use a pn532');
    }
  };

  const checks: WiringChecks = { backend, issue, usePin, useAnalog, useReader };

  cfg.nodes.forEach((node, index) => {
    const at = (...rest: ConfigPath) => ['nodes', index, ...rest];
    const id = nodeIdOf(node);
    const previous = seenNodes.get(id);
    if (previous !== undefined)
      issue(at('id'), `node ID "${id}" is already used by nodes.${previous}; give each an id`);
    seenNodes.set(id, index);
    if (id === 'agent') issue(at('id'), '"agent" is reserved for the agent\u2019s own node');
    deviceKindOf(node, kinds).checkWiring?.(node, checks, at);
  });

  cfg.sim?.events.forEach((event, index) => {
    if (backend !== 'sim')
      issue(['sim', 'events', index], `scripted events need the sim backend, not ${backend}`);
    if (event.do === 'hang-driver') return;
    const nodeIndex = seenNodes.get(event.node);
    const node = nodeIndex === undefined ? undefined : cfg.nodes[nodeIndex];
    if (node === undefined) {
      issue(['sim', 'events', index, 'node'], `no node "${event.node}" on this board`);
      return;
    }
    const hasReader = deviceKindOf(node, kinds).hasReader?.(node) ?? false;
    if ((event.do === 'place-tag' || event.do === 'lift-tag') && !hasReader) {
      issue(['sim', 'events', index, 'node'], `node "${event.node}" has no NFC reader`);
    }
    if (event.do === 'set-input' && analogInputsOf(node, kinds).length === 0) {
      issue(['sim', 'events', index, 'node'], `node "${event.node}" has no analog input`);
    }
  });
}

/** The analog inputs a node reads, by role. */
export function analogInputsOf(
  node: NodeConfigBase,
  kinds: readonly DeviceKindDefinition[] = DEVICE_KINDS,
): AnalogInputUse[] {
  return deviceKindOf(node, kinds).analogInputs?.(node) ?? [];
}

/** A config file that cannot be used; the CLI prints `error: <file>: <path>: <problem>` and exits 2. */
export class DeviceConfigError extends Error {
  override readonly name = 'DeviceConfigError';
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`${file}: ${problems.join('; ')}`);
  }
}

/** Validates an already-parsed config object; `file` names it in errors. */
export function validateDeviceConfig(raw: unknown, file: string): DeviceConfig {
  const result = DeviceConfigSchema.safeParse(raw);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const path = issue.path.length === 0 ? '(top level)' : issue.path.map(String).join('.');
    return `${path}: ${issue.message}`;
  });
  throw new DeviceConfigError(file, problems);
}

/**
 * Reads, parses and validates a device config YAML file; when it names a `board` pinout, resolves its
 * pin names through it and checks that both agree. Throws {@link DeviceConfigError}.
 */
export function loadDeviceConfig(file: string): DeviceConfig {
  const raw = readYamlFile(file);
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return validateDeviceConfig(raw, file);
  const { board } = raw as { board?: unknown };
  if (typeof board !== 'string') return validateDeviceConfig(raw, file);
  const pinoutFile = resolve(dirname(file), board);
  const parsed = parseBoardPinout(readYamlFile(pinoutFile));
  const pinoutProblems = parsed.pinout === undefined ? parsed.findings : checkBoardPinout(parsed.pinout);
  if (parsed.pinout === undefined || pinoutProblems.length > 0) {
    throw new DeviceConfigError(
      pinoutFile,
      pinoutProblems.map((finding) => `${finding.path}: ${finding.problem}`),
    );
  }
  const { config, findings } = resolveBoardPins(raw as Record<string, unknown>, parsed.pinout);
  if (findings.length > 0) {
    throw new DeviceConfigError(
      file,
      findings.map((finding) => `${finding.path}: ${finding.problem} (${board})`),
    );
  }
  return validateDeviceConfig(config, file);
}

/**
 * The config run on the simulated backend (`gridflex-device --simulate [EVENTS]`), after it was validated
 * for its own hardware. `eventsFile` holds the scripted events, as in a config's `sim` section
 * (`events: [{ atS: 5, do: place-tag, node: ev-pad-4, tagUid: 04A1B2C4 }]`).
 */
export function simulatedConfig(config: DeviceConfig, eventsFile?: string): DeviceConfig {
  const simulated: DeviceConfig = { ...config, driver: { backend: 'sim' } };
  if (eventsFile === undefined) return simulated;
  try {
    return validateDeviceConfig({ ...simulated, sim: readYamlFile(eventsFile) }, eventsFile);
  } catch (error) {
    if (!(error instanceof DeviceConfigError)) throw error;
    // The file is the `sim` section: name paths as they are in it.
    throw new DeviceConfigError(
      eventsFile,
      error.problems.map((problem) => (problem.startsWith('sim.') ? problem.slice(4) : problem)),
    );
  }
}

function readYamlFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new DeviceConfigError(file, [
      `cannot read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
    ]);
  }
  try {
    return parseYaml(text, { prettyErrors: true });
  } catch (error) {
    throw new DeviceConfigError(file, [
      `not valid YAML: ${(error as Error).message.split('\n')[0]?.replace(/:\s*$/, '')}`,
    ]);
  }
}
