/**
 * Where scenarios uploaded on the dashboard are kept, and what they may read. An upload comes from whoever
 * holds an operator's login, so its paths (feeder, year, catalogue, module rules) may name only the shipped
 * data (the repository's `scenarios/` and `feeders/`) and the streets drawn on this hub: never the hub's
 * credentials, its run history or a system file. The rule goes with the folder (a marker file in it), so the
 * hub's check and the `gridflex run` it then starts read the upload the same way.
 */
import { existsSync, mkdirSync, realpathSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';

/** A file in the uploads folder that says "scenarios here are uploads". */
const UPLOADS_MARKER = '.uploaded-scenarios';

/** The uploads folder of a data dir, made (with its marker) if needed. */
export function uploadsDir(dataDir: string): string {
  const dir = join(resolve(dataDir), 'uploads');
  mkdirSync(dir, { recursive: true });
  const marker = join(dir, UPLOADS_MARKER);
  if (!existsSync(marker)) {
    writeFileSync(
      marker,
      'Scenarios uploaded on the dashboard: their paths resolve only in the shipped data.\n',
    );
  }
  return dir;
}

/** The folders an uploaded scenario's paths must stay in, or null when `file` is not an upload. */
export function uploadPathRoots(file: string, repoRoot: string): string[] | null {
  const dir = dirname(resolve(file));
  if (!existsSync(join(dir, UPLOADS_MARKER))) return null;
  return [join(repoRoot, 'scenarios'), join(repoRoot, 'feeders'), join(dirname(dir), 'streets')];
}

/** Whether `path` (which exists) is inside one of `roots`, after following every symbolic link. */
export function isInsideRoots(path: string, roots: readonly string[]): boolean {
  const real = realpathSync(path);
  return roots.some((root) => {
    if (!existsSync(root)) return false;
    const fromRoot = relative(realpathSync(root), real);
    return fromRoot.split(sep)[0] !== '..' && !isAbsolute(fromRoot);
  });
}
