/** `gridflex mosaik join --wake-on`: a bad wake-up request is refused before anything connects, saying why. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'gridflex-mosaik-join-'));
const passwordFile = join(dir, 'pw.txt');
writeFileSync(passwordFile, 'secret\n');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function mosaikJoin(wakeOn: string) {
  const result = spawnSync(
    process.execPath,
    [
      'dist/hub/cli.js',
      'mosaik',
      'join',
      '--sim',
      '127.0.0.1:1',
      '--broker',
      'mqtt://127.0.0.1:1',
      '--id',
      'mosaik-pv',
      '--password-file',
      passwordFile,
      '--model',
      'PV',
      '--attrs',
      'P',
      '--wake-on',
      wakeOn,
    ],
    { encoding: 'utf8', timeout: 60_000 },
  );
  return { code: result.status, stderr: result.stderr };
}

describe('gridflex mosaik join --wake-on', () => {
  it('refuses an unknown event, naming the flag, the entry and the events it takes', () => {
    const { code, stderr } = mosaikJoin('[{"on":"prices"},{"on":"price"}]');
    expect(code).toBe(2);
    expect(stderr).toContain('--wake-on: [1.on]');
    expect(stderr).toContain("'prices' | 'limit-breach' | 'property'");
  });

  it('refuses a property that is not <node>/<property>, and text that is not JSON', () => {
    const property = mosaikJoin('[{"on":"property","device":"pv-1","property":"light"}]');
    expect(property.code).toBe(2);
    expect(property.stderr).toContain('--wake-on: [0.property] <node>/<property>, e.g. pv/light-pct');
    const text = mosaikJoin('prices');
    expect(text.code).toBe(2);
    expect(text.stderr).toContain('--wake-on: not valid JSON');
  });
});
