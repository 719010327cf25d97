import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AuditLog } from '../../../hub/table/activity-log.js';
import type { AuditEntry } from '../../../protocol/gridflex.js';
import { tempDir } from '../mqtt-helpers.js';

const data = tempDir('gridflex-audit-');
afterAll(() => data.remove());

const draft = (index: number): Omit<AuditEntry, 'seq'> => ({
  at: new Date(0).toISOString(),
  simTime: new Date(0).toISOString(),
  username: 'op',
  role: 'operator',
  topic: 'gridflex/control/v1/clock',
  action: 'clock',
  accepted: true,
  reason: `pause ${index}`,
});

const seqs = (file: string) =>
  readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((line) => (JSON.parse(line) as AuditEntry).seq);

describe('audit log size cap', () => {
  it('rotates to audit.log.1 at the cap, counting what an earlier run left, and loses no recent entry', () => {
    const file = join(data.dir, 'audit.log');
    writeFileSync(file, `${'x'.repeat(900)}\n`);
    const log = new AuditLog(file, (error) => expect.fail(error.message), 2000);
    for (let index = 0; index < 100; index++) log.record(draft(index));
    expect(statSync(file).size).toBeLessThanOrEqual(2000);
    expect(statSync(`${file}.1`).size).toBeLessThanOrEqual(2000);
    expect(existsSync(`${file}.2`)).toBe(false);
    // The two files hold the latest entries, in order, with none missing between them.
    const kept = [...seqs(`${file}.1`), ...seqs(file)];
    expect(kept.at(-1)).toBe(100);
    expect(kept).toEqual(kept.map((_seq, index) => (kept[0] as number) + index));
  });
});
