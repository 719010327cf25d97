import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Runs the built `gridflex` CLI to the end, as a user would from the repository. */
export function gridflex(...args: string[]) {
  const run = spawnSync('node', ['dist/hub/cli.js', ...args], { encoding: 'utf8' });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** A fresh directory under the OS temp dir; the test removes it. */
export const tempDir = (prefix: string) => mkdtempSync(join(tmpdir(), prefix));
