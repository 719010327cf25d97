import { existsSync, readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { InputError } from '../errors.js';
import { type LoadedTableMap, loadTableMap, parseTableMap } from '../table/map-config.js';

/** The package root: the nearest folder above this module with a package.json (works from hub/ and dist/hub/). */
export const PACKAGE_ROOT = findPackageRoot(dirname(fileURLToPath(import.meta.url)));

function findPackageRoot(start: string): string {
  let dir = start;
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) return start;
    dir = parent;
  }
  return dir;
}

/** The default table map shipped with the package. */
export const DEFAULT_TABLE_MAP = join(PACKAGE_ROOT, 'scenarios', 'table-map.yaml');

/** A TCP port from a flag: an integer 0–65535 (0 = any free port). */
export function parsePort(text: string, flag: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65_535)
    throw new InputError(flag, `"${text}" is not a port number (0-65535)`);
  return port;
}

/** A positive integer from a flag. */
export function parsePositiveInt(text: string, flag: string, max = Number.MAX_SAFE_INTEGER): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < 1 || value > max) {
    throw new InputError(flag, `"${text}" is not a whole number between 1 and ${max}`);
  }
  return value;
}

/**
 * The table map from `--scenario`: a table map file, or a scenario file whose `table:` section is one
 * (paths relative to the scenario file).
 */
export function loadTableMapFrom(file: string): LoadedTableMap {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new InputError('--scenario', `${file}: file not found or not readable`);
  }
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch {
    return loadTableMap(file); // reports the YAML error with the file name
  }
  if (raw && typeof raw === 'object' && !('table' in raw) && !('plots' in raw) && 'homes' in raw) {
    throw new InputError(
      '--scenario',
      `${file} is a year scenario without a table: section (plots on buses); use scenarios/table-map.yaml or add one`,
    );
  }
  if (raw && typeof raw === 'object' && 'table' in raw) {
    const section = (raw as { table: unknown }).table;
    return parseTableMap(JSON.stringify(section), `${file}: table`, dirname(resolve(file)));
  }
  return parseTableMap(text, file);
}

/** This machine's first non-internal IPv4 address (what a board on the LAN connects to), else loopback. */
export function lanAddress(): string {
  for (const addresses of Object.values(networkInterfaces())) {
    for (const address of addresses ?? []) {
      if (address.family === 'IPv4' && !address.internal) return address.address;
    }
  }
  return '127.0.0.1';
}
