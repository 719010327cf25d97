/**
 * A board's pinout (hardware/boards/*.pinout.yaml): the board's pins with their voltage and current
 * limits, its supply rails, the parts wired to it and, per used pin, what is wired there and under
 * which name. It is the single source of truth for the wiring: the device agent (devices/) resolves
 * the pin names its config uses through it, and `gridflex hardware check` (hub/) checks it. Both sides
 * meet here, so this module is pure: callers read and parse the YAML.
 */
import { z } from 'zod';
import { HomieIdSchema } from './homie.js';

/** What a wired pin does. */
export const PIN_USES = [
  'digital-out',
  'digital-in',
  'pwm',
  'analog-in',
  'neopixel',
  'i2c-sda',
  'i2c-scl',
  'spi-sck',
  'spi-mosi',
  'spi-miso',
  'spi-cs',
  'uart-tx',
  'uart-rx',
] as const;
export type PinUse = (typeof PIN_USES)[number];

/** The device agent backends a board can be driven by (devices/config.ts `driver.backend`). */
export const PINOUT_BACKENDS = ['linux', 'johnny-five', 'serial-json', 'sim'] as const;

const IdSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.+-]{0,31}$/, 'a pin, rail or part ID such as "GPIO18"');
const MilliampsSchema = z.number().nonnegative().max(10_000);
const VoltsSchema = z.number().positive().max(24);

/** A 7-bit I2C address; YAML `0x48` is a number, `"0x48"` a string; both are accepted. */
const I2cAddressSchema = z
  .union([z.number(), z.string().regex(/^0x[0-9a-fA-F]{1,2}$/, 'a hex address such as "0x48"')])
  .transform((value) => (typeof value === 'string' ? Number.parseInt(value, 16) : value))
  .pipe(z.number().int().min(0x08, 'I2C addresses start at 0x08').max(0x77, 'I2C addresses end at 0x77'));

export const BoardPinSchema = z.strictObject({
  /** The pin's name on the board's silkscreen or datasheet: `GPIO18`, `D9`, `A0`. */
  id: IdSchema,
  /** What the device agent's driver calls it: a GPIO/pin number, or an analog pin such as `"A0"`. */
  driverPin: z.union([z.number().int().min(0).max(127), z.string().regex(/^A([0-9]|1[0-5])$/)]),
  /** Physical header position, e.g. `12` or `"J3-5"`. */
  header: z.union([z.number().int().positive(), z.string().min(1)]).optional(),
  /** The highest voltage the pin may see (3.3 on a Pi or ESP32, 5 on an ATmega328P). */
  maxVolts: VoltsSchema,
  /** The most current the pin may source or sink in normal use. */
  maxMa: MilliampsSchema,
  /** What the pin can do. */
  can: z.array(z.enum(PIN_USES)).min(1),
  note: z.string().optional(),
});

export const RailSchema = z.strictObject({
  /** `3V3`, `5V`. */
  id: IdSchema,
  volts: VoltsSchema,
  /** The current this kit may draw from the rail for its parts (a design limit; the notes say why). */
  maxMa: MilliampsSchema,
  header: z
    .union([z.number().int().positive(), z.string().min(1), z.array(z.number().int().positive())])
    .optional(),
  note: z.string().optional(),
});

export const PartSchema = z.strictObject({
  /** The name wiring entries and device configs refer to. */
  id: IdSchema,
  /** What it is (as in the BOM). */
  part: z.string().min(1),
  /** The rail that powers it; absent for parts powered by a pin (an LED). */
  rail: IdSchema.optional(),
  /** Its worst-case draw from the rail. */
  currentMa: MilliampsSchema.default(0),
  /** The highest voltage its outputs (or its bus pull-ups) put on a board pin; default: its rail's voltage. */
  signalVolts: VoltsSchema.optional(),
  /** Its I2C address and chip (the device agent knows `ads1115` and `pn532`). */
  i2c: z.strictObject({ address: I2cAddressSchema, chip: z.string().min(1) }).optional(),
  /** An ADC's wired channels: name → channel (0…3). */
  channels: z.record(HomieIdSchema, z.number().int().min(0).max(3)).optional(),
  /** An NFC reader the microcontroller polls itself: its number in the line-JSON `nfc` request. */
  nfcReader: z.number().int().min(0).max(7).optional(),
  note: z.string().optional(),
});

export const WiringSchema = z.strictObject({
  /** The name a device config uses for this pin (`heat-pump-led`). */
  name: HomieIdSchema,
  /** The board pin's `id`. */
  pin: IdSchema,
  use: z.enum(PIN_USES),
  /** What is on the other end, e.g. `330 Ω → red LED (Vf 2.0 V) → GND`. */
  to: z.string().min(1),
  /** The part (or the parts sharing a bus line) on the other end, when they are in `parts`. */
  part: z.union([IdSchema, z.array(IdSchema).min(1)]).optional(),
  /** Current the pin sources or sinks (an LED's current from the resistor arithmetic). */
  currentMa: MilliampsSchema.default(0),
  /** The highest voltage the other end puts on the pin; default: the part's signal voltage, else the board's logic. */
  signalVolts: VoltsSchema.optional(),
});

export const BoardPinoutSchema = z.strictObject({
  /** The board's ID: the file is `<board>.pinout.yaml`. */
  board: HomieIdSchema,
  title: z.string().min(1),
  /** The board itself, e.g. `Raspberry Pi Zero 2 W`. */
  model: z.string().min(1),
  /** The device agent backend that drives it. */
  backend: z.enum(PINOUT_BACKENDS),
  /** The microcontroller's or SoC's logic level. */
  logicVolts: VoltsSchema,
  supply: z.strictObject({
    /** e.g. `USB 2.0 port of the table PC`. */
    source: z.string().min(1),
    /** What the supply can give (USB 2.0: 500 mA). */
    maxMa: MilliampsSchema,
  }),
  /** The board's own worst-case draw (SoC, USB-serial chip, power LED). */
  boardMa: MilliampsSchema,
  /** The most all output pins together may source or sink. */
  ioTotalMaxMa: MilliampsSchema,
  rails: z.array(RailSchema).min(1),
  pins: z.array(BoardPinSchema).min(1),
  parts: z.array(PartSchema).default([]),
  wiring: z.array(WiringSchema).default([]),
  notes: z.array(z.string()).default([]),
});
export type BoardPinout = z.infer<typeof BoardPinoutSchema>;
export type Wiring = z.infer<typeof WiringSchema>;
export type Part = z.infer<typeof PartSchema>;

/** One problem found in a pinout or a device config, at a path inside that file. */
export interface HardwareFinding {
  /** Dotted path inside the file, e.g. `wiring.3.pin`; `(top level)` for the whole file. */
  path: string;
  problem: string;
}

const pathOf = (path: readonly PropertyKey[]): string =>
  path.length === 0 ? '(top level)' : path.map(String).join('.');

/** Validates a parsed pinout; schema problems come back as findings (the pinout is then undefined). */
export function parseBoardPinout(raw: unknown): { pinout?: BoardPinout; findings: HardwareFinding[] } {
  const result = BoardPinoutSchema.safeParse(raw);
  if (result.success) return { pinout: result.data, findings: [] };
  return {
    findings: result.error.issues.map((issue) => ({ path: pathOf(issue.path), problem: issue.message })),
  };
}

const hex = (address: number) => `0x${address.toString(16).padStart(2, '0')}`;
const fmt = (value: number) => String(Math.round(value * 100) / 100);

/** The highest voltage the far end of a wiring entry puts on its pin. */
export function signalVoltsOf(pinout: BoardPinout, wiring: Wiring): number {
  if (wiring.signalVolts !== undefined) return wiring.signalVolts;
  const ids = partIdsOf(wiring);
  const parts = pinout.parts.filter((candidate) => ids.includes(candidate.id));
  if (parts.length > 0) return Math.max(...parts.map((part) => partSignalVolts(pinout, part)));
  // A shared I2C bus is pulled up by the parts on it: the highest of their levels.
  if (wiring.use === 'i2c-sda' || wiring.use === 'i2c-scl') {
    const levels = pinout.parts.filter((p) => p.i2c !== undefined).map((p) => partSignalVolts(pinout, p));
    if (levels.length > 0) return Math.max(...levels);
  }
  return pinout.logicVolts;
}

function partIdsOf(wiring: Wiring): string[] {
  return wiring.part === undefined ? [] : [wiring.part].flat();
}

function partSignalVolts(pinout: BoardPinout, part: Part): number {
  return part.signalVolts ?? pinout.rails.find((rail) => rail.id === part.rail)?.volts ?? pinout.logicVolts;
}

/** Current totals of a pinout, for the checks and for the safety notes. */
export function currentBudgetOf(pinout: BoardPinout): {
  pinsMa: number;
  railsMa: Map<string, number>;
  totalMa: number;
} {
  const pinsMa = pinout.wiring.reduce((sum, wiring) => sum + wiring.currentMa, 0);
  const railsMa = new Map<string, number>(pinout.rails.map((rail) => [rail.id, 0]));
  for (const part of pinout.parts) {
    if (part.rail !== undefined) railsMa.set(part.rail, (railsMa.get(part.rail) ?? 0) + part.currentMa);
  }
  const partsMa = [...railsMa.values()].reduce((sum, ma) => sum + ma, 0);
  return { pinsMa, railsMa, totalMa: pinout.boardMa + partsMa + pinsMa };
}

/**
 * Checks a valid pinout: every reference exists, no pin wired twice, each pin can do its use, no two
 * I2C parts on one address, no signal above a pin's voltage, and every current within its limit.
 */
export function checkBoardPinout(pinout: BoardPinout): HardwareFinding[] {
  const findings: HardwareFinding[] = [];
  const find = (path: (string | number)[], problem: string) => findings.push({ path: pathOf(path), problem });
  const duplicates = <T extends { id: string }>(items: T[], where: string) => {
    const seen = new Map<string, number>();
    items.forEach((item, index) => {
      const first = seen.get(item.id);
      if (first !== undefined) find([where, index, 'id'], `"${item.id}" is already ${where}.${first}`);
      else seen.set(item.id, index);
    });
  };
  duplicates(pinout.pins, 'pins');
  duplicates(pinout.rails, 'rails');
  duplicates(pinout.parts, 'parts');

  const railIds = new Set(pinout.rails.map((rail) => rail.id));
  const i2cOwners = new Map<number, number>();
  const nfcOwners = new Map<number, number>();
  pinout.parts.forEach((part, index) => {
    if (part.rail !== undefined && !railIds.has(part.rail)) {
      find(['parts', index, 'rail'], `no rail "${part.rail}" (rails: ${[...railIds].join(', ')})`);
    }
    if (part.i2c !== undefined) {
      const owner = i2cOwners.get(part.i2c.address);
      if (owner !== undefined) {
        find(
          ['parts', index, 'i2c', 'address'],
          `I2C address ${hex(part.i2c.address)} clashes with parts.${owner} (${pinout.parts[owner]?.id}): two parts on one bus need different addresses`,
        );
      } else i2cOwners.set(part.i2c.address, index);
    }
    if (part.nfcReader !== undefined) {
      const owner = nfcOwners.get(part.nfcReader);
      if (owner !== undefined)
        find(['parts', index, 'nfcReader'], `reader ${part.nfcReader} is already parts.${owner}`);
      else nfcOwners.set(part.nfcReader, index);
    }
  });

  const pinsById = new Map(pinout.pins.map((pin) => [pin.id, pin]));
  const partIds = new Set(pinout.parts.map((part) => part.id));
  const wiredPins = new Map<string, number>();
  const names = new Map<string, number>();
  pinout.wiring.forEach((wiring, index) => {
    const at = (field: string) => ['wiring', index, field];
    const firstName = names.get(wiring.name);
    if (firstName !== undefined) find(at('name'), `name "${wiring.name}" is already wiring.${firstName}`);
    else names.set(wiring.name, index);
    for (const id of partIdsOf(wiring)) if (!partIds.has(id)) find(at('part'), `no part "${id}"`);
    const pin = pinsById.get(wiring.pin);
    if (pin === undefined) {
      find(at('pin'), `no pin "${wiring.pin}" on a ${pinout.model}`);
      return;
    }
    const firstUse = wiredPins.get(wiring.pin);
    if (firstUse !== undefined) {
      find(
        at('pin'),
        `pin ${wiring.pin} is used twice: already wiring.${firstUse} (${pinout.wiring[firstUse]?.name})`,
      );
    } else wiredPins.set(wiring.pin, index);
    if (!pin.can.includes(wiring.use)) {
      find(at('use'), `pin ${wiring.pin} cannot do ${wiring.use} (it can: ${pin.can.join(', ')})`);
    }
    const signalVolts = signalVoltsOf(pinout, wiring);
    if (signalVolts > pin.maxVolts + 1e-9) {
      find(
        at('pin'),
        `${fmt(signalVolts)} V signal into ${wiring.pin}, which takes at most ${fmt(pin.maxVolts)} V: power the part from the ${fmt(pin.maxVolts)} V rail or add a level shifter`,
      );
    }
    if (wiring.currentMa > pin.maxMa + 1e-9) {
      find(
        at('currentMa'),
        `${fmt(wiring.currentMa)} mA through ${wiring.pin} is over its ${fmt(pin.maxMa)} mA limit: use a larger resistor or a transistor`,
      );
    }
  });
  for (const part of pinout.parts) {
    if (part.i2c === undefined) continue;
    for (const line of ['i2c-sda', 'i2c-scl'] as const) {
      if (!pinout.wiring.some((wiring) => wiring.use === line)) {
        find(
          ['parts', pinout.parts.indexOf(part), 'i2c'],
          `an I2C part needs a wiring entry with use ${line}`,
        );
      }
    }
  }

  const budget = currentBudgetOf(pinout);
  if (budget.pinsMa > pinout.ioTotalMaxMa + 1e-9) {
    find(
      ['wiring'],
      `the pins together carry ${fmt(budget.pinsMa)} mA, over the board's ${fmt(pinout.ioTotalMaxMa)} mA I/O limit`,
    );
  }
  pinout.rails.forEach((rail, index) => {
    const ma = budget.railsMa.get(rail.id) ?? 0;
    if (ma > rail.maxMa + 1e-9) {
      find(
        ['rails', index, 'maxMa'],
        `parts on ${rail.id} draw ${fmt(ma)} mA, over its ${fmt(rail.maxMa)} mA`,
      );
    }
  });
  if (budget.totalMa > pinout.supply.maxMa + 1e-9) {
    find(
      ['supply', 'maxMa'],
      `board ${fmt(pinout.boardMa)} + parts + pins = ${fmt(budget.totalMa)} mA, over the supply's ${fmt(pinout.supply.maxMa)} mA (${pinout.supply.source})`,
    );
  }
  return findings;
}

/** What a device config asks of a pin, by the field it is in. */
type PinDemand = 'digital-out' | 'pwm' | 'neopixel' | 'analog-in';

/**
 * Resolves a device config's pin names through its board's pinout and checks that the config agrees
 * with it. `raw` is the parsed config (not yet validated by the device agent's schema); the pin-bearing
 * fields of its nodes are `ledPins[]`, `light.pin`, `sensor`/`temperature` (`analog` pin, or `ads1115`
 * address and channel) and `reader` (`pn532` address, or `serial` reader number). A name is a wiring
 * entry's `name` (or an ADC channel's name); a number or `"A0"` must be a pin the pinout wires for that use.
 * Returns a copy of `raw` with names replaced by driver pins, and the disagreements.
 */
export function resolveBoardPins(
  raw: Record<string, unknown>,
  pinout: BoardPinout,
): { config: Record<string, unknown>; findings: HardwareFinding[] } {
  const findings: HardwareFinding[] = [];
  const find = (path: (string | number)[], problem: string) => findings.push({ path: pathOf(path), problem });
  const config = structuredClone(raw);
  const pinsById = new Map(pinout.pins.map((pin) => [pin.id, pin]));
  const board = `board ${pinout.board}`;
  const usedBy = new Map<string, string>();

  const driver = config.driver as { backend?: unknown } | undefined;
  const backend = driver?.backend ?? 'sim';
  if (backend !== pinout.backend && backend !== 'sim') {
    find(['driver', 'backend'], `${board} is driven by ${pinout.backend}, not ${String(backend)}`);
  }

  const resolvePin = (value: unknown, demand: PinDemand, path: (string | number)[]): unknown => {
    const wiring =
      typeof value === 'string'
        ? (pinout.wiring.find((w) => w.name === value) ??
          pinout.wiring.find((w) => pinsById.get(w.pin)?.driverPin === value))
        : pinout.wiring.find((w) => pinsById.get(w.pin)?.driverPin === value);
    if (wiring === undefined) {
      const names = pinout.wiring.filter((w) => w.use === demand).map((w) => w.name);
      find(
        path,
        `${JSON.stringify(value)} is not wired on ${board}${names.length > 0 ? ` (${demand} pins: ${names.join(', ')})` : ` (it has no ${demand} pins)`}`,
      );
      return value;
    }
    if (wiring.use !== demand) {
      find(path, `${wiring.name} (${wiring.pin}) is wired as ${wiring.use} on ${board}, not ${demand}`);
    }
    const owner = usedBy.get(wiring.name);
    if (owner !== undefined) find(path, `${wiring.name} (${wiring.pin}) is used twice: already ${owner}`);
    else usedBy.set(wiring.name, pathOf(path));
    return pinsById.get(wiring.pin)?.driverPin ?? value;
  };

  const resolveAnalog = (input: Record<string, unknown>, path: (string | number)[]) => {
    if (input.type === 'analog') {
      input.pin = resolvePin(input.pin, 'analog-in', [...path, 'pin']);
      return;
    }
    if (input.type !== 'ads1115') return;
    const adcs = pinout.parts.filter((part) => part.i2c?.chip === 'ads1115');
    if (typeof input.channel === 'string') {
      const name = input.channel;
      const adc = adcs.find((part) => part.channels?.[name] !== undefined);
      if (adc === undefined) {
        find([...path, 'channel'], `no ADC channel named "${name}" on ${board}`);
        return;
      }
      input.channel = adc.channels?.[name];
      input.address ??= adc.i2c?.address;
    }
    const address = parseAddress(input.address ?? 0x48);
    const adc = adcs.find((part) => part.i2c?.address === address);
    if (adc === undefined) {
      find([...path, 'address'], `no ADS1115 at ${hex(address)} on ${board}`);
    } else if (!Object.values(adc.channels ?? {}).includes(input.channel as number)) {
      find([...path, 'channel'], `channel ${String(input.channel)} of ${adc.id} is not wired on ${board}`);
    }
  };

  const checkReader = (reader: Record<string, unknown>, path: (string | number)[]) => {
    if (reader.type === 'pn532') {
      const address = parseAddress(reader.address ?? 0x24);
      if (!pinout.parts.some((part) => part.i2c?.chip === 'pn532' && part.i2c.address === address)) {
        find([...path, 'address'], `no PN532 at ${hex(address)} on ${board}`);
      }
    } else if (reader.type === 'serial') {
      const number = typeof reader.reader === 'number' ? reader.reader : 0;
      if (!pinout.parts.some((part) => part.nfcReader === number)) {
        find([...path, 'reader'], `no NFC reader ${number} on ${board}`);
      }
    }
  };

  const nodes = Array.isArray(config.nodes) ? config.nodes : [];
  nodes.forEach((node: unknown, index) => {
    if (!isRecord(node)) return;
    const at = (...rest: (string | number)[]) => ['nodes', index, ...rest];
    if (Array.isArray(node.ledPins)) {
      node.ledPins = node.ledPins.map((pin: unknown, i: number) =>
        resolvePin(pin, 'digital-out', at('ledPins', i)),
      );
    }
    if (isRecord(node.light) && (node.light.type === 'pwm' || node.light.type === 'neopixel')) {
      node.light.pin = resolvePin(node.light.pin, node.light.type, at('light', 'pin'));
    }
    for (const field of ['sensor', 'temperature'] as const) {
      const input = node[field];
      if (isRecord(input)) resolveAnalog(input, at(field));
    }
    if (isRecord(node.reader)) checkReader(node.reader, at('reader'));
  });
  return { config, findings };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseAddress(value: unknown): number {
  return typeof value === 'string' ? Number.parseInt(value, 16) : Number(value);
}
