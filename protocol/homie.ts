/**
 * The device side of the wire: Homie 5 topics (`homie/5/<device>/…`), the `$state` lifecycle, the
 * `$description` document, GridFlex telemetry values and `/set` command payloads.
 * Imported by devices/ (to publish) and hub/ (to validate what devices send); imports neither.
 *
 * One deliberate extension to Homie 5: property values are a small JSON envelope
 * `{"value": 2.4, "ts": 1764060000000, "seq": 17}` rather than the bare literal `2.4`. A board that was
 * offline keeps its readings in a queue and sends them after it reconnects; without `ts` the hub would
 * book them at arrival time and a store-and-forward burst would look like a spike. `seq` lets a
 * controller spot gaps and duplicates (QoS 1 may deliver twice). Every `$description` lists the
 * extension ID {@link GRIDFLEX_ENVELOPE_EXTENSION}, so a generic Homie controller can tell; `/set`
 * payloads stay plain Homie literals (`2.5`, `true`, `charge`), and a JSON `{"value": …}` is also accepted.
 */
import { z } from 'zod';

/** Root of every Homie 5 topic. */
export const HOMIE_ROOT = 'homie/5';
/** The Homie convention version a `$description` declares. */
export const HOMIE_VERSION = '5.0';
/** Homie extension ID (`id:version:[homie versions]`) announcing GridFlex's timestamped value envelope. */
export const GRIDFLEX_ENVELOPE_EXTENSION = 'org.gridflex.ts-envelope:1.0.0:[5.x]';

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
  | { kind: 'state' | 'description'; deviceId: string }
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

/** A property value as GridFlex publishes it (see the module comment for why). */
export const TelemetryValueSchema = z.strictObject({
  value: z.union([z.number(), z.boolean(), z.string(), z.null()]),
  /** When the reading was taken on the device (Unix epoch milliseconds), kept through store-and-forward. */
  ts: z.number().int().nonnegative(),
  /** Per-device reading counter, increasing by one per published value; shows gaps and duplicates. */
  seq: z.number().int().nonnegative().optional(),
});
export type TelemetryValue = z.infer<typeof TelemetryValueSchema>;

/** Parses a property value payload; throws a ZodError or SyntaxError on a bad one. */
export function parseTelemetryValue(payload: string | Buffer): TelemetryValue {
  return TelemetryValueSchema.parse(JSON.parse(payload.toString()));
}

/** A `/set` payload in its JSON form; the bare Homie literal form is handled by {@link parseSetPayload}. */
export const SetCommandSchema = z.strictObject({ value: z.union([z.number(), z.boolean(), z.string()]) });
export type SetCommand = z.infer<typeof SetCommandSchema>;

export type SetParseResult = { ok: true; value: number | boolean | string } | { ok: false; reason: string };

const MAX_SET_PAYLOAD_BYTES = 256;

/**
 * Validates a `/set` payload against the property it targets: settable, datatype and format
 * (`min:max` for numbers, the allowed values for enums). Accepts a Homie literal (`2.5`, `true`, `eco`)
 * or `{"value": …}`. Never throws.
 */
export function parseSetPayload(payload: string | Buffer, property: HomieProperty): SetParseResult {
  if (property.settable !== true) return { ok: false, reason: 'property is not settable' };
  const text = payload.toString().trim();
  if (text.length === 0) return { ok: false, reason: 'empty payload' };
  if (text.length > MAX_SET_PAYLOAD_BYTES)
    return { ok: false, reason: `payload over ${MAX_SET_PAYLOAD_BYTES} bytes` };
  let raw: unknown = text;
  if (text.startsWith('{')) {
    const parsed = SetCommandSchema.safeParse(safeJson(text));
    if (!parsed.success) return { ok: false, reason: 'expected {"value": …} or a plain value' };
    raw = parsed.data.value;
  }
  return coerce(raw, property);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function coerce(raw: unknown, property: HomieProperty): SetParseResult {
  switch (property.datatype) {
    case 'integer':
    case 'float': {
      const value = typeof raw === 'number' ? raw : typeof raw === 'string' ? Number(raw) : Number.NaN;
      if (typeof raw === 'string' && raw.trim() === '') return { ok: false, reason: 'expected a number' };
      if (!Number.isFinite(value))
        return { ok: false, reason: `expected a number, got ${JSON.stringify(raw)}` };
      if (property.datatype === 'integer' && !Number.isInteger(value)) {
        return { ok: false, reason: `expected an integer, got ${value}` };
      }
      const range = parseRange(property.format);
      if (value < range.min || value > range.max) {
        return { ok: false, reason: `${value} is outside ${property.format}` };
      }
      return { ok: true, value };
    }
    case 'boolean':
      if (raw === true || raw === 'true') return { ok: true, value: true };
      if (raw === false || raw === 'false') return { ok: true, value: false };
      return { ok: false, reason: `expected true or false, got ${JSON.stringify(raw)}` };
    case 'enum': {
      const allowed = (property.format ?? '').split(',');
      if (typeof raw === 'string' && allowed.includes(raw)) return { ok: true, value: raw };
      return { ok: false, reason: `expected one of ${allowed.join(', ')}, got ${JSON.stringify(raw)}` };
    }
    case 'string':
      return typeof raw === 'string' ? { ok: true, value: raw } : { ok: false, reason: 'expected a string' };
    default:
      return { ok: false, reason: `datatype ${property.datatype} cannot be set on GridFlex devices` };
  }
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
