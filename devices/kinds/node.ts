/**
 * What every device kind implements. A node owns its hardware parts (created from a {@link Board} in
 * `attach`, again after a watchdog restart) and its state (set-points, state of charge, energy), which
 * survives restarts. Property IDs and datatypes come from GRIDFLEX_NODE_KINDS in protocol/homie.ts.
 */
import type { HomieNode } from '../../protocol/homie.js';
import type { Board } from '../drivers/types.js';
import type { EbusHook } from '../ebus.js';
import type { AnalogInputConfig } from '../node-parts.js';

export type PropertyValue = number | boolean | string;
export type PropertyValues = Record<string, PropertyValue>;

/** Where nodes report events worth a log line (a tag placed, a set-point clamped). */
export type NodeLogger = (level: 'info' | 'warn', message: string) => void;

export interface DeviceNode {
  readonly id: string;
  /** What the node also publishes in the Electrification Bus vocabulary (devices/ebus.ts); none when absent. */
  readonly ebus?: EbusHook;
  /** The Homie node this kind announces in `$description`. */
  describe(): HomieNode;
  /** Opens the node's parts on the board and shows its current state on its outputs. */
  attach(board: Board): Promise<void>;
  /** Reads inputs and advances internal state by `dtS` seconds; returns every property's value. */
  sample(dtS: number): Promise<PropertyValues>;
  /** Applies a validated `/set`; returns the properties whose values changed. */
  set(propertyId: string, value: PropertyValue): Promise<PropertyValues>;
}

/** Maps a 0…1 reading to the input's quantity with its calibration (or the kind's defaults). */
export function calibrate(
  reading: number,
  input: AnalogInputConfig,
  defaults: { offset: number; fullScale: number },
) {
  const offset = input.offset ?? defaults.offset;
  const fullScale = input.fullScale ?? defaults.fullScale;
  return offset + clamp01(reading) * (fullScale - offset);
}

export function clamp01(value: number): number {
  return Math.min(1, Math.max(0, Number.isFinite(value) ? value : 0));
}

/** Rounds to 4 decimals so telemetry carries no float noise. */
export function round4(value: number): number {
  return Math.round(value * 1e4) / 1e4;
}

/** How many of `count` LEDs a level 0…100 % lights (any level above zero lights at least one). */
export function ledsLit(levelPct: number, count: number): number {
  if (levelPct <= 0) return 0;
  return Math.max(1, Math.min(count, Math.round((levelPct / 100) * count)));
}
