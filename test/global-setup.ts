import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The whole suite runs in its own scratch folder: every temporary folder a test (or a program it starts) makes
 * goes under it (`TMPDIR`), and the CLI's default data dir is inside it (`GRIDFLEX_DATA_DIR`), so no test writes
 * into the user's `.gridflex/runs.sqlite` or leaves folders in /tmp. Removed when the run ends.
 */
export default function setup(): () => void {
  const scratch = mkdtempSync(join(tmpdir(), 'gridflex-tests-'));
  process.env.TMPDIR = scratch;
  process.env.GRIDFLEX_DATA_DIR = join(scratch, 'default-data-dir');
  return () => rmSync(scratch, { recursive: true, force: true });
}
