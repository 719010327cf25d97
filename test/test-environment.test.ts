import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const CLI = resolve('dist/hub/cli.js');

describe('the test suite keeps to its own scratch folder (test/global-setup.ts)', () => {
  it('temporary folders of tests and of the programs they start go under the run scratch folder', () => {
    expect(basename(tmpdir())).toMatch(/^gridflex-tests-/);
    const child = execFileSync(process.execPath, ['-p', 'require("node:os").tmpdir()'], { encoding: 'utf8' });
    expect(child.trim()).toBe(tmpdir());
  });

  it('a CLI run without --data-dir records into the scratch data dir, not the user .gridflex', () => {
    const dataDir = process.env.GRIDFLEX_DATA_DIR;
    expect(dataDir).toBe(join(tmpdir(), 'default-data-dir'));
    const listed = execFileSync(process.execPath, [CLI, 'runs', 'list', '--json'], { encoding: 'utf8' });
    // Other tests record runs here at the same time: whatever is listed was written by this suite, into its
    // scratch folder.
    const runs = JSON.parse(listed) as { outDir: string }[];
    for (const run of runs) expect(run.outDir.startsWith(tmpdir())).toBe(true);
    expect(existsSync(join(dataDir as string, 'runs.sqlite'))).toBe(true);
  });
});
