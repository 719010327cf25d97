/**
 * The `gridflex` bin (bin/gridflex): a shell launcher that execs node, so that `gridflex hub` starts with the
 * settings node and glibc read only at start-up (a 1 MB young generation, a 128 KiB mmap threshold) and no second
 * process stays. Linux only: the hub's process is read from /proc.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, LAUNCHER, startHub } from '../hub/live/hub-process.js';
import { tempDir } from '../hub/mqtt-helpers.js';

const data = tempDir('gridflex-bin-');
afterAll(() => data.remove());

/** The NUL-separated entries of /proc/<pid>/<file> (cmdline, environ). */
function procList(pid: number, file: string): string[] {
  return readFileSync(`/proc/${pid}/${file}`, 'utf8').split('\0').filter(Boolean);
}

describe.skipIf(process.platform !== 'linux')('the gridflex bin', () => {
  it('runs the hub as one node process with the small young generation and the mmap threshold', async () => {
    const hub = await startHub(['--data-dir', join(data.dir, 'hub')], [LAUNCHER]);
    try {
      const pid = hub.process.pid as number;
      // exec: the process the bin started is node itself, not a shell waiting for it.
      expect(basename(readlinkSync(`/proc/${pid}/exe`))).toMatch(/^node/);
      expect(procList(pid, 'cmdline').slice(1, 4)).toEqual(['--max-semi-space-size=1', CLI, 'hub']);
      expect(procList(pid, 'environ')).toContain('MALLOC_MMAP_THRESHOLD_=131072');
    } finally {
      await hub.stop();
    }
  });

  it('keeps an mmap threshold its caller set', async () => {
    process.env.MALLOC_MMAP_THRESHOLD_ = '65536';
    const hub = await startHub(['--data-dir', join(data.dir, 'own-threshold')], [LAUNCHER]).finally(() => {
      delete process.env.MALLOC_MMAP_THRESHOLD_;
    });
    try {
      expect(procList(hub.process.pid as number, 'environ')).toContain('MALLOC_MMAP_THRESHOLD_=65536');
    } finally {
      await hub.stop();
    }
  });

  it('finds dist/ from a link elsewhere, as npm links bins into node_modules/.bin', () => {
    const link = join(data.dir, 'gridflex');
    symlinkSync(LAUNCHER, link);
    const version = spawnSync(link, ['--version'], { encoding: 'utf8', cwd: data.dir });
    expect(version.stderr).toBe('');
    expect(version.stdout.trim()).toBe(
      (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version,
    );
    expect(version.status).toBe(0);
  });

  it('passes the arguments and the exit code of other commands through unchanged', () => {
    const bad = join(data.dir, 'bad-catalogue.json');
    writeFileSync(bad, '{ not json');
    const result = spawnSync(LAUNCHER, ['tariffs', 'check', bad], { encoding: 'utf8' });
    expect(result.stderr).toContain(bad);
    expect(result.status).toBe(2);
  });
});
