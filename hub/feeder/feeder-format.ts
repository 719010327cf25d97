/**
 * Feeder formats by name, as one list: a feeder folder is read by the first format that recognises its
 * files. Adding a format is a reader (e.g. ./cigre-format.ts) and one entry in FEEDER_FORMATS
 * (docs/architecture.md, "How to add a feeder format").
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readCigreFeeder } from './cigre-format.js';
import { readIeeeFeeder } from './ieee-format.js';
import type { FeederNetwork } from './network.js';

/** One feeder format of the registry. */
export interface FeederFormat {
  readonly name: string;
  /** The files that tell the format, in words (for the "not a feeder folder" error). */
  readonly description: string;
  /** Whether a folder holds this format. */
  detect(dir: string): boolean;
  /** Reads the folder (throws InputError naming file, row and problem). */
  read(dir: string): FeederNetwork;
}

/** Defines a feeder format for the list (the identity, typed). */
export function defineFeederFormat(format: FeederFormat): FeederFormat {
  return format;
}

/** Every feeder format, in the order they are tried. */
export const FEEDER_FORMATS: readonly FeederFormat[] = [
  defineFeederFormat({
    name: 'ieee-eu-lv',
    description: 'Lines.csv (IEEE EU LV CSV format)',
    detect: (dir) => existsSync(join(dir, 'Lines.csv')),
    read: readIeeeFeeder,
  }),
  defineFeederFormat({
    name: 'cigre-lv',
    description: 'lines.csv + line_types.csv (CIGRE LV tables)',
    detect: (dir) => existsSync(join(dir, 'line_types.csv')),
    read: readCigreFeeder,
  }),
];
