import { basename, dirname, resolve } from 'node:path';

/** Folder names that say how a feeder is stored rather than which feeder it is (e.g. `ieee-eu-lv/csv`). */
const STORAGE_FOLDER_NAMES = new Set(['csv', 'data', 'tables']);

/**
 * A feeder's name from its folder: the folder's own name, or its parent's when the folder only names the
 * file format (`feeders/ieee-eu-lv/csv` is `ieee-eu-lv`, not `csv`).
 */
export function feederNameFromDir(dir: string): string {
  const absolute = resolve(dir);
  const own = basename(absolute);
  if (!STORAGE_FOLDER_NAMES.has(own.toLowerCase())) return own;
  return basename(dirname(absolute)) || own;
}
