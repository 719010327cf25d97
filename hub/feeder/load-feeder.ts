import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../errors.js';
import { readCigreFeeder } from './cigre-format.js';
import { readIeeeFeeder } from './ieee-format.js';
import type { FeederNetwork } from './network.js';
import { buildRadialTopology } from './topology.js';

/**
 * Loads a feeder folder, telling the format by its files: `Lines.csv` (IEEE European LV Test Feeder CSV
 * format) or `lines.csv` + `line_types.csv` (pandapower-style CIGRE LV tables). Checks it is radial and
 * connected. Throws InputError naming file, row and problem.
 */
export function loadFeeder(dir: string): FeederNetwork {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new InputError(dir, 'feeder folder not found');
  let network: FeederNetwork;
  if (existsSync(join(dir, 'Lines.csv'))) network = readIeeeFeeder(dir);
  else if (existsSync(join(dir, 'line_types.csv'))) network = readCigreFeeder(dir);
  else {
    throw new InputError(
      dir,
      'not a feeder folder: expected Lines.csv (IEEE EU LV CSV format) or lines.csv + line_types.csv (CIGRE LV tables)',
    );
  }
  buildRadialTopology(network);
  return network;
}
