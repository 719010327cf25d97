import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Runs the built `gridflex` CLI to the end, as a user would from the repository. */
export function gridflex(...args: string[]) {
  const run = spawnSync('node', ['dist/hub/cli.js', ...args], { encoding: 'utf8' });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** A fresh directory under the OS temp dir; the test removes it. */
export const tempDir = (prefix: string) => mkdtempSync(join(tmpdir(), prefix));

/**
 * `gridflex study poa --scenario … --out … --data-dir … --workers 2 [extra]` in fresh temp dirs: the run, its
 * poa.json, and a clean-up that removes both dirs (call it in afterAll).
 */
export function studyPoa(scenario: string, ...extra: string[]) {
  const out = tempDir('gridflex-poa-');
  const data = tempDir('gridflex-poa-data-');
  const run = gridflex(
    'study',
    'poa',
    '--scenario',
    scenario,
    ...extra,
    '--out',
    out,
    '--data-dir',
    data,
    '--workers',
    '2',
  );
  return {
    run,
    poa: () => JSON.parse(readFileSync(join(out, 'poa.json'), 'utf8')),
    removeDirs: () => {
      rmSync(out, { recursive: true, force: true });
      rmSync(data, { recursive: true, force: true });
    },
  };
}
