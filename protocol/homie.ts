/**
 * The device side of the wire: Homie 5 topics (`homie/5/<device>/…`), the `$state` lifecycle, the
 * `$description` document, property payloads and `/set` commands.
 * Imported by devices/ (to publish) and hub/ (to validate what devices send); imports neither.
 *
 * Property topics carry plain Homie 5 payloads (`2.4`, `true`, `eco`, a single 0x00 byte for the empty
 * string), so any Homie 5 controller reads a GridFlex board and the hub reads a board built with any Homie
 * library. What a plain payload cannot carry goes to one documented extension,
 * {@link GRIDFLEX_READINGS_EXTENSION}: every reading is also published, with the time it was taken and a
 * per-device counter, on the device's `$readings` topic. A board that was offline keeps its readings and
 * sends them there in order after it reconnects (one topic, so MQTT keeps their order), then the latest value
 * of each property; `seq` shows gaps and duplicates (QoS 1 may deliver twice). A controller that does not
 * know the extension ignores `$readings`, as Homie 5 asks of unknown attributes.
 */
import { z } from 'zod';

/** Root of every Homie 5 topic. */
export const HOMIE_ROOT = 'homie/5';
/** The Homie convention version a `$description` declares. */
export const HOMIE_VERSION = '5.0';
/** Homie extension ID (`id:version:[homie versions]`) announcing the device's `$readings` topic. */
export const GRIDFLEX_READINGS_EXTENSION = 'org.gridflex.readings:1.0.0:[5.x]';
/** How Homie 5 writes the empty string on a property topic (an empty payload would delete a retained value). */
export const HOMIE_EMPTY_STRING = '\u0000';

/** A Homie 5 ID: lower-case letters, digits and hyphens, not starting with a hyphen. */
export const HomieIdSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'lower-case letters, digits and hyphens, not starting with a hyphen');

/** Topic builders for Homie 5 devices. Every function returns a concrete topic (no wildcards). */
export const homieTopics = {
  /** Device lifecycle, retained; the device's last will sets `lost`. */
  state: (deviceId: string) => `${HOMIE_ROOT}/${deviceId}/$state`,
  /** The device's nodes and properties (JSON), retained. */
  description: (deviceId: string) => `${HOMIE_ROOT}/${deviceId}/$description`,
  /** A log line from the device (not retained); level is debug, info, warn, error or fatal. */
  log: (deviceId: string, level: HomieLogLevel) => `${HOMIE_ROOT}/${deviceId}/$log/${level}`,
  /** A property value (retained unless the property says otherwise). */
  property: (deviceId: string, nodeId: string, propertyId: string) =>
    `${HOMIE_ROOT}/${deviceId}/${nodeId}/${propertyId}`,
  /** Every reading with its time and sequence number (extension {@link GRIDFLEX_READINGS_EXTENSION}), not retained. */
  readings: (deviceId: string) => `${HOMIE_ROOT}/${deviceId}/$readings`,
  /** A command to a settable property (never retained). */
  set: (deviceId: string, nodeId: string, propertyId: string) =>
    `${HOMIE_ROOT}/${deviceId}/${nodeId}/${propertyId}/set`,
} as const;

/** Subscription filters. */
export const homieFilters = {
  /** Every device's state. */
  allStates: `${HOMIE_ROOT}/+/$state`,
  /** Every device's description. */
  allDescriptions: `${HOMIE_ROOT}/+/$description`,
  /** Everything of every device. */
  all: `${HOMIE_ROOT}/#`,
  /** The commands a device listens to. */
  deviceSets: (deviceId: string) => `${HOMIE_ROOT}/${deviceId}/+/+/set`,
} as const;

/** What a Homie topic names, or null when it is not a Homie 5 device topic. */
export type ParsedHomieTopic =
  | { kind: 'state' | 'description' | 'readings'; deviceId: string }
  | { kind: 'log'; deviceId: string; level: string }
  | { kind: 'property' | 'set'; deviceId: string; nodeId: string; propertyId: string };

/** Splits a Homie 5 topic into its parts (the inverse of {@link homieTopics}). */
export function parseHomieTopic(topic: string): ParsedHomieTopic | null {
  const parts = topic.split('/');
  if (parts[0] !== 'homie' || parts[1] !== '5') return null;
  const [, , deviceId, a, b, c, extra] = parts;
  if (deviceId === undefined || a === undefined || extra !== undefined) return null;
  if (a === '$state' && b === undefined) return { kind: 'state', deviceId };
  if (a === '$description' && b === undefined) return { kind: 'description', deviceId };
  if (a === '$readings' && b === undefined) return { kind: 'readings', deviceId };
  if (a === '$log' && b !== undefined && c === undefined) return { kind: 'log', deviceId, level: b };
  if (a.startsWith('$') || b === undefined) return null;
  if (c === undefined) return { kind: 'property', deviceId, nodeId: a, propertyId: b };
  if (c === 'set') return { kind: 'set', deviceId, nodeId: a, propertyId: b };
  return null;
}

/** Homie `$state` values (`alert` kept from Homie 4 for controllers that still show it). */
export const HomieStateSchema = z.enum(['init', 'ready', 'disconnected', 'sleeping', 'lost', 'alert']);
export type HomieState = z.infer<typeof HomieStateSchema>;

export const HomieLogLevelSchema = z.enum(['debug', 'info', 'warn', 'error', 'fatal']);
export type HomieLogLevel = z.infer<typeof HomieLogLevelSchema>;

export const HomieDatatypeSchema = z.enum([
  'integer',
  'float',
  'boolean',
  'string',
  'enum',
  'color',
  'datetime',
  'duration',
  'json',
]);
export type HomieDatatype = z.infer<typeof HomieDatatypeSchema>;

export const HomiePropertySchema = z.object({
  name: z.string().optional(),
  datatype: HomieDatatypeSchema,
  /** For integer/float `min:max` (either side may be empty), for enum the comma-separated values. */
  format: z.string().optional(),
  /** Whether the property accepts `/set` commands (Homie default false). */
  settable: z.boolean().optional(),
  /** Whether values are published retained (Homie default true). */
  retained: z.boolean().optional(),
  unit: z.string().optional(),
});
export type HomieProperty = z.infer<typeof HomiePropertySchema>;

export const HomieNodeSchema = z.object({
  name: z.string().optional(),
  /** GridFlex sets `gridflex-<kind>` (e.g. `gridflex-ev-pad`) so a controller can tell node kinds apart. */
  type: z.string().optional(),
  properties: z.record(HomieIdSchema, HomiePropertySchema).optional(),
});
export type HomieNode = z.infer<typeof HomieNodeSchema>;

export const HomieDescriptionSchema = z.object({
  homie: z.string().regex(/^5\.\d+$/, 'a Homie 5 version such as "5.0"'),
  /** Changes whenever the description changes (Homie 5 requires an integer). */
  version: z.number().int(),
  name: z.string().optional(),
  type: z.string().optional(),
  nodes: z.record(HomieIdSchema, HomieNodeSchema).optional(),
  extensions: z.array(z.string()).optional(),
});
export type HomieDescription = z.infer<typeof HomieDescriptionSchema>;

/** A value on a property topic, once parsed for its datatype. */
export type HomieValue = number | boolean | string;

/** One reading on `$readings` (extension {@link GRIDFLEX_READINGS_EXTENSION}). */
export const ReadingRecordSchema = z.strictObject({
  node: HomieIdSchema,
  property: HomieIdSchema,
  /** The value as the property topic carries it, parsed (a number, a boolean or a string). */
  value: z.union([z.number(), z.boolean(), z.string()]),
  /** When the reading was taken on the device (Unix epoch milliseconds), kept through store-and-forward. */
  ts: z.number().int().nonnegative(),
  /** Per-device reading counter, increasing by one per reading; shows gaps and duplicates. */
  seq: z.number().int().nonnegative(),
});
export type ReadingRecord = z.infer<typeof ReadingRecordSchema>;

/** The Homie 5 payload of a value: `2.5`, `true`, the text, or {@link HOMIE_EMPTY_STRING} for ''. */
export function formatHomieValue(value: HomieValue): string {
  if (typeof value === 'string') return value === '' ? HOMIE_EMPTY_STRING : value;
  return String(value);
}

export type ValueParseResult = { ok: true; value: HomieValue } | { ok: false; reason: string };

const INTEGER_LITERAL = /^-?\d+$/;
const FLOAT_LITERAL = /^-?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/;

/**
 * Reads a property payload as Homie 5 writes it for the property's datatype, inside its `$format`
 * (`min:max` for numbers, the listed values for an enum). NaN and Infinity are no numbers. Never throws.
 */
export function parseHomieValue(payload: string | Buffer, property: HomieProperty): ValueParseResult {
  const text = payload.toString();
  if (text === HOMIE_EMPTY_STRING) return textValue('', property);
  switch (property.datatype) {
    case 'integer':
    case 'float':
      return numberValue(text, property);
    case 'boolean':
      if (text === 'true' || text === 'false') return { ok: true, value: text === 'true' };
      return { ok: false, reason: `expected true or false, got ${quote(text)}` };
    default:
      return textValue(text, property);
  }
}

function numberValue(text: string, property: HomieProperty): ValueParseResult {
  const literal = property.datatype === 'integer' ? INTEGER_LITERAL : FLOAT_LITERAL;
  const value = Number(text);
  if (!literal.test(text) || !Number.isFinite(value))
    return {
      ok: false,
      reason: `expected ${property.datatype === 'integer' ? 'an integer' : 'a number'}, got ${quote(text)}`,
    };
  if (property.datatype === 'integer' && !Number.isSafeInteger(value))
    return { ok: false, reason: `${text} is too large for an integer` };
  const range = parseRange(property.format);
  if (value < range.min || value > range.max)
    return { ok: false, reason: `${text} is outside ${property.format}` };
  return { ok: true, value };
}

function textValue(text: string, property: HomieProperty): ValueParseResult {
  if (property.datatype === 'enum') {
    const allowed = (property.format ?? '').split(',');
    if (allowed.includes(text)) return { ok: true, value: text };
    return { ok: false, reason: `expected one of ${allowed.join(', ')}, got ${quote(text)}` };
  }
  if (property.datatype === 'json' && !isJson(text)) return { ok: false, reason: 'expected JSON' };
  if (property.datatype === 'integer' || property.datatype === 'float' || property.datatype === 'boolean')
    return { ok: false, reason: `expected a ${property.datatype}, got the empty string` };
  return { ok: true, value: text };
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

function quote(text: string): string {
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
}

const MAX_SET_PAYLOAD_BYTES = 256;

/**
 * Validates a `/set` payload against the property it targets: settable, then the plain Homie 5 payload of
 * {@link parseHomieValue} (datatype and `$format`). Never throws.
 */
export function parseSetPayload(payload: string | Buffer, property: HomieProperty): ValueParseResult {
  if (property.settable !== true) return { ok: false, reason: 'property is not settable' };
  if (payload.length === 0) return { ok: false, reason: 'empty payload' };
  if (payload.length > MAX_SET_PAYLOAD_BYTES)
    return { ok: false, reason: `payload over ${MAX_SET_PAYLOAD_BYTES} bytes` };
  return parseHomieValue(payload, property);
}

/** Parses a Homie numeric format `min:max` (either side optional) into bounds. */
export function parseRange(format: string | undefined): { min: number; max: number } {
  const [lo, hi] = (format ?? ':').split(':');
  const min = lo === undefined || lo === '' ? Number.NEGATIVE_INFINITY : Number(lo);
  const max = hi === undefined || hi === '' ? Number.POSITIVE_INFINITY : Number(hi);
  return {
    min: Number.isNaN(min) ? Number.NEGATIVE_INFINITY : min,
    max: Number.isNaN(max) ? Number.POSITIVE_INFINITY : max,
  };
}

/**
 * The node kinds a GridFlex board can host, with the properties the hub reads. Power uses the load
 * convention everywhere: `power-kw` > 0 draws from the grid, < 0 exports (so PV is ≤ 0), at model scale.
 * A node's `type` in `$description` is `gridflex-<kind>`; its ID is free (e.g. `ev-pad-7`).
 * Devices may narrow a property's `format` (e.g. a battery's power limits) but keep IDs and datatypes.
 */
export const GRIDFLEX_NODE_KINDS = {
  pv: {
    'power-kw': { datatype: 'float', unit: 'kW', format: ':0' },
    'light-pct': { datatype: 'float', unit: '%', format: '0:100' },
  },
  'ev-pad': {
    'pad-id': { datatype: 'string' },
    'plot-id': { datatype: 'string' },
    /** The NFC tag UID on the pad (upper-case hex), empty when the pad is free. */
    'tag-uid': { datatype: 'string' },
    /** The EV the tag names (from the board config), empty when free or the tag is unknown. */
    'ev-id': { datatype: 'string' },
    present: { datatype: 'boolean' },
    /** The EV's state of charge shown on the pad's LEDs; the hub sets it. */
    'soc-pct': { datatype: 'float', unit: '%', format: '0:100', settable: true },
  },
  'heat-pump': {
    /** Electrical power; the hub sets it and the LED shows it. */
    'power-kw': { datatype: 'float', unit: 'kW', format: '0:', settable: true },
    'temperature-c': { datatype: 'float', unit: '°C' },
  },
  battery: {
    /** Set-point, > 0 charging; the board integrates it into `soc-pct`. */
    'power-kw': { datatype: 'float', unit: 'kW', settable: true },
    'soc-pct': { datatype: 'float', unit: '%', format: '0:100' },
  },
  meter: {
    'power-kw': { datatype: 'float', unit: 'kW' },
    /** Energy imported since the board started. */
    'energy-kwh': { datatype: 'float', unit: 'kWh', format: '0:' },
  },
  plot: {
    /** The plot the board sits on, empty when it is off the table; locates every asset on the board. */
    'plot-id': { datatype: 'string' },
  },
  agent: {
    /** Readings dropped because the offline queue was full (since start). */
    'dropped-readings': { datatype: 'integer', format: '0:' },
    /** Readings waiting in the offline queue when this value was taken. */
    'queued-readings': { datatype: 'integer', format: '0:' },
    /** Times the watchdog restarted a hung driver (since start). */
    'driver-restarts': { datatype: 'integer', format: '0:' },
  },
} as const satisfies Record<string, Record<string, HomieProperty>>;
export type GridflexNodeKind = keyof typeof GRIDFLEX_NODE_KINDS;

/** The node `type` that names a GridFlex node kind in `$description`. */
export const gridflexNodeType = (kind: GridflexNodeKind) => `gridflex-${kind}`;
