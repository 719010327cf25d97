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

/**
 * The "done" line each policy's run writes on stderr as it ends, as [social cost, bills] in the summary's
 * words (`£12303.35`), keyed by policy.
 */
export function doneLines(stderr: string): Map<string, [string, string]> {
  const lines = stderr.matchAll(/^(\w+): done after \d+ s: social (−?£[\d.]+), bills (−?£[\d.]+)$/gm);
  return new Map([...lines].map((line) => [line[1] as string, [line[2] as string, line[3] as string]]));
}

/** Each policy's social cost and bills in the study's summary on stdout, as {@link doneLines} gives them. */
export function summaryLines(stdout: string): Map<string, [string, string]> {
  const lines = stdout.matchAll(/^ {2}(\w+) +social (−?£[\d.]+) \(.*?\) {2}bills (−?£[\d.]+)/gm);
  return new Map([...lines].map((line) => [line[1] as string, [line[2] as string, line[3] as string]]));
}
