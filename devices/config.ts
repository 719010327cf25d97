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

/** A digital pin: a GPIO line number on a Pi (BCM), a pin number on a microcontroller. */
export const DigitalPinSchema = z
  .number({ error: 'a pin number, or a pin name from the board pinout named by `board`' })
  .int()
  .min(0)
  .max(127);
/** An analog input pin on a microcontroller: `A0`…`A15`, or its number. */
export const AnalogPinSchema = z.union([
  z.string().regex(/^A([0-9]|1[0-5])$/, 'an analog pin such as "A0"'),
  z.number().int().min(0).max(127),
]);
/** A 7-bit I2C address outside the reserved ranges (0x08…0x77); YAML `0x48` or `"0x48"`. */
export const I2cAddressSchema = z
  .union([z.number(), z.string().regex(/^0x[0-9a-fA-F]{1,2}$/, 'a hex address such as "0x48"')])
  .transform((value) => (typeof value === 'string' ? Number.parseInt(value, 16) : value))
  .pipe(z.number().int().min(0x08, 'I2C addresses start at 0x08').max(0x77, 'I2C addresses end at 0x77'));

/** Linear calibration from a 0…1 reading (fraction of full scale) to the quantity. */
const CalibrationFields = {
  /** Quantity at full scale (reading 1). */
  fullScale: z.number().optional(),
  /** Quantity at zero reading. */
  offset: z.number().optional(),
};

/** An analog input: a microcontroller pin or a channel of an ADS1115 ADC on I2C (what a Pi needs). */
export const AnalogInputSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('analog'), pin: AnalogPinSchema, ...CalibrationFields }),
  z.strictObject({
    type: z.literal('ads1115'),
    address: I2cAddressSchema.default(0x48),
    channel: z.number().int().min(0).max(3),
    ...CalibrationFields,
  }),
]);
export type AnalogInputConfig = z.infer<typeof AnalogInputSchema>;

/** A light: a PWM pin (brightness) or a NeoPixel strip (colour; serial-json and sim only). */
export const LightOutputSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('pwm'), pin: DigitalPinSchema }),
  z.strictObject({
    type: z.literal('neopixel'),
    pin: DigitalPinSchema,
    count: z.number().int().min(1).max(64),
  }),
]);
export type LightOutputConfig = z.infer<typeof LightOutputSchema>;

/** An NFC reader: a PN532 on I2C, or a reader the microcontroller polls itself (serial-json). */
export const NfcReaderSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('pn532'), address: I2cAddressSchema.default(0x24) }),
  z.strictObject({ type: z.literal('serial'), reader: z.number().int().min(0).max(7).default(0) }),
]);
export type NfcReaderConfig = z.infer<typeof NfcReaderSchema>;

/** An upper-case hex NFC UID (4, 7 or 10 bytes); lower case and colons are accepted and normalised. */
export const TagUidSchema = z
  .string()
  .transform((uid) => uid.replaceAll(':', '').toUpperCase())
  .pipe(z.string().regex(/^([0-9A-F]{8}|[0-9A-F]{14}|[0-9A-F]{20})$/, 'a 4, 7 or 10 byte hex UID'));

const NodeIdField = { id: HomieIdSchema.optional() };

export const PvNodeSchema = z.strictObject({
  kind: z.literal('pv'),
  ...NodeIdField,
  /** The light or current sensor; its reading × `peakKw` is the generation. */
  sensor: AnalogInputSchema,
  /** Generation at full-scale reading, at model scale. */
  peakKw: z.number().positive().max(1000).default(4),
});

export const EvPadNodeSchema = z.strictObject({
  kind: z.literal('ev-pad'),
  ...NodeIdField,
  padId: HomieIdSchema,
  /** The plot the pad sits on. */
  plot: HomieIdSchema,
  reader: NfcReaderSchema,
  /** Tag UID → EV ID: which matchbox EV each tag names. */
  tags: z.record(TagUidSchema, HomieIdSchema).default({}),
  /** LEDs showing charge level, lowest first (lit in proportion to soc-pct). */
  ledPins: z.array(DigitalPinSchema).max(10).default([]),
});

export const HeatPumpNodeSchema = z.strictObject({
  kind: z.literal('heat-pump'),
  ...NodeIdField,
  /** Shows the power: brightness on a PWM LED, blue→red on a NeoPixel strip. */
  light: LightOutputSchema,
  maxPowerKw: z.number().positive().max(1000).default(3),
  /** Optional temperature sensor, calibrated to °C. */
  temperature: AnalogInputSchema.optional(),
});

export const BatteryNodeSchema = z.strictObject({
  kind: z.literal('battery'),
  ...NodeIdField,
  capacityKwh: z.number().positive().max(10_000).default(10),
  maxPowerKw: z.number().positive().max(1000).default(5),
  initialSocPct: z.number().min(0).max(100).default(50),
  /** LEDs showing state of charge, lowest first. */
  ledPins: z.array(DigitalPinSchema).max(10).default([]),
});

export const MeterNodeSchema = z.strictObject({
  kind: z.literal('meter'),
  ...NodeIdField,
  /** A current sensor; its calibrated reading is the import power in kW (defaults: 0…10 kW). */
  sensor: AnalogInputSchema,
});

export const PlotNodeSchema = z.strictObject({
  kind: z.literal('plot'),
  ...NodeIdField,
  /** A fixed plot (a board glued to its house) … */
  plot: HomieIdSchema.optional(),
  /** … or an NFC reader under the asset that reads the plot's tag. */
  reader: NfcReaderSchema.optional(),
  /** Tag UID → plot ID for the reader. */
  tags: z.record(TagUidSchema, HomieIdSchema).default({}),
});

export const DeviceNodeSchema = z.discriminatedUnion('kind', [
  PvNodeSchema,
  EvPadNodeSchema,
  HeatPumpNodeSchema,
  BatteryNodeSchema,
  MeterNodeSchema,
  PlotNodeSchema,
]);
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

export const DeviceConfigSchema = DeviceConfigFieldsSchema.superRefine(checkWiring);
export type DeviceConfig = z.infer<typeof DeviceConfigSchema>;

/** The Homie node ID of a configured node: its `id`, or its kind. */
export function nodeIdOf(node: DeviceNodeConfig): string {
  return node.id ?? node.kind;
}

function checkWiring(cfg: z.infer<typeof DeviceConfigFieldsSchema>, ctx: z.RefinementCtx): void {
  const backend = cfg.driver.backend;
  const seenNodes = new Map<string, number>();
  const seenPins = new Map<string, string>();
  const seenI2c = new Map<number, string>();
  const issue = (path: (string | number)[], message: string) =>
    ctx.addIssue({ code: 'custom', path, message });

  const usePin = (pin: number | string, path: (string | number)[]) => {
    const key = String(pin);
    const owner = seenPins.get(key);
    if (owner !== undefined) issue(path, `pin ${key} is already used by ${owner}`);
    else seenPins.set(key, path.join('.'));
    if (backend === 'linux' && typeof pin === 'number' && pin > 27) {
      issue(path, `GPIO ${pin} does not exist on a Raspberry Pi header (0…27)`);
    }
  };
  const useI2c = (address: number, path: (string | number)[], shareable: boolean) => {
    if (backend === 'johnny-five') issue(path, 'I2C parts are not supported on the johnny-five backend');
    const owner = seenI2c.get(address);
    if (owner !== undefined && !shareable) {
      issue(path, `I2C address 0x${address.toString(16)} is already used by ${owner}`);
    }
    seenI2c.set(address, path.join('.'));
  };
  const useAnalog = (input: AnalogInputConfig, path: (string | number)[]) => {
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
  const useReader = (reader: NfcReaderConfig, path: (string | number)[]) => {
    if (backend === 'johnny-five') {
      issue([...path, 'type'], 'NFC readers are not supported on johnny-five; use serial-json or linux');
    } else if (reader.type === 'pn532') {
      useI2c(reader.address, [...path, 'address'], false);
    } else if (backend === 'linux') {
      issue([...path, 'type'], 'a "serial" NFC reader needs the serial-json backend; on a Pi use a pn532');
    }
  };

  cfg.nodes.forEach((node, index) => {
    const at = (...rest: (string | number)[]) => ['nodes', index, ...rest];
    const id = nodeIdOf(node);
    const previous = seenNodes.get(id);
    if (previous !== undefined)
      issue(at('id'), `node ID "${id}" is already used by nodes.${previous}; give each an id`);
    seenNodes.set(id, index);
    if (id === 'agent') issue(at('id'), '"agent" is reserved for the agent\u2019s own node');
    switch (node.kind) {
      case 'pv':
      case 'meter':
        useAnalog(node.sensor, at('sensor'));
        break;
      case 'ev-pad':
        useReader(node.reader, at('reader'));
        node.ledPins.forEach((pin, i) => {
          usePin(pin, at('ledPins', i));
        });
        break;
      case 'heat-pump':
        if (node.light.type === 'neopixel' && backend !== 'serial-json' && backend !== 'sim') {
          issue(
            at('light', 'type'),
            `NeoPixels need the serial-json backend (a microcontroller), not ${backend}`,
          );
        }
        if (node.light.type === 'pwm' && backend === 'linux' && ![12, 13, 18, 19].includes(node.light.pin)) {
          issue(at('light', 'pin'), 'hardware PWM on a Raspberry Pi is on GPIO 12, 13, 18 or 19');
        }
        usePin(node.light.pin, at('light', 'pin'));
        if (node.temperature !== undefined) useAnalog(node.temperature, at('temperature'));
        break;
      case 'battery':
        node.ledPins.forEach((pin, i) => {
          usePin(pin, at('ledPins', i));
        });
        break;
      case 'plot':
        if ((node.plot === undefined) === (node.reader === undefined)) {
          issue(at('plot'), 'give either a fixed plot or an NFC reader');
        }
        if (node.reader !== undefined) useReader(node.reader, at('reader'));
        break;
    }
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
    const hasReader = node.kind === 'ev-pad' || (node.kind === 'plot' && node.reader !== undefined);
    if ((event.do === 'place-tag' || event.do === 'lift-tag') && !hasReader) {
      issue(['sim', 'events', index, 'node'], `node "${event.node}" has no NFC reader`);
    }
    if (event.do === 'set-input' && analogInputsOf(node).length === 0) {
      issue(['sim', 'events', index, 'node'], `node "${event.node}" has no analog input`);
    }
  });
}

/** The analog inputs a node reads, by role. */
export function analogInputsOf(
  node: DeviceNodeConfig,
): { role: 'sensor' | 'temperature'; input: AnalogInputConfig }[] {
  if (node.kind === 'pv' || node.kind === 'meter') return [{ role: 'sensor', input: node.sensor }];
  if (node.kind === 'heat-pump' && node.temperature !== undefined) {
    return [{ role: 'temperature', input: node.temperature }];
  }
  return [];
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
