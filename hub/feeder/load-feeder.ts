import { existsSync, statSync } from 'node:fs';
import { InputError } from '../errors.js';
import { FEEDER_FORMATS, type FeederFormat } from './feeder-format.js';
import type { FeederNetwork } from './network.js';
import { buildRadialTopology } from './topology.js';

/**
 * Loads a feeder folder in the first of `formats` (default: the registry's) that recognises its files, and
 * checks it is radial and connected. Throws InputError naming file, row and problem.
 */
export function loadFeeder(dir: string, formats: readonly FeederFormat[] = FEEDER_FORMATS): FeederNetwork {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new InputError(dir, 'feeder folder not found');
  const format = formats.find((candidate) => candidate.detect(dir));
  if (!format) {
    const expected = formats.map((candidate) => candidate.description).join(' or ');
    throw new InputError(dir, `not a feeder folder: expected ${expected}`);
  }
  const network = format.read(dir);
  buildRadialTopology(network);
  return network;
}
