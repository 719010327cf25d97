import { existsSync, statSync } from 'node:fs';
import { InputError } from '../errors.js';
import { FEEDER_FORMATS, type FeederFormat } from './feeder-format.js';
import type { FeederNetwork } from './network.js';
import { buildRadialTopology } from './topology.js';

/** Options of {@link loadFeeder}. */
export interface LoadFeederOptions {
  /**
   * `required` (default): a load naming a profile that cannot be read is an error. `unused`: the caller sets
   * every load's power itself (`gridflex powerflow --loads`), so the profiles are not needed.
   */
  loadShapes?: 'required' | 'unused';
}

/**
 * Loads a feeder folder in the first of `formats` (default: the registry's) that recognises its files, and
 * checks it is radial and connected. Throws InputError naming file, row and problem.
 */
export function loadFeeder(
  dir: string,
  formats: readonly FeederFormat[] = FEEDER_FORMATS,
  options: LoadFeederOptions = {},
): FeederNetwork {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new InputError(dir, 'feeder folder not found');
  const format = formats.find((candidate) => candidate.detect(dir));
  if (!format) {
    const expected = formats.map((candidate) => candidate.description).join(' or ');
    throw new InputError(dir, `not a feeder folder: expected ${expected}`);
  }
  const network = format.read(dir);
  if (network.loadShapesProblem && options.loadShapes !== 'unused') throw network.loadShapesProblem;
  buildRadialTopology(network);
  return network;
}
