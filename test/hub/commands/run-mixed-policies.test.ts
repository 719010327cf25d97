import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI } from '../live/hub-process.js';
import { tempDir } from '../mqtt-helpers.js';

const data = tempDir('gridflex-mixed-policies-');
afterAll(() => data.remove());

interface Metrics {
  perHome: { home: string; policy: string }[];
}

describe('gridflex run: a street policy as defaults.policy with one home passive (scenarios/table.yaml)', () => {
  // The voltage model covers every home of the street; the fleet that plans together is all but home-8.
  for (const policy of ['cooperative', 'central']) {
    it(`${policy}: runs, the fleet planning against the voltages with the passive home as background`, () => {
      const yaml = readFileSync('scenarios/table.yaml', 'utf8').replace(
        /^ {2}policy: selfish$/m,
        `  policy: ${policy}`,
      );
      expect(yaml).toMatch(/home-8.*policy: passive/);
      const file = join(data.dir, `table-${policy}.yaml`);
      writeFileSync(file, yaml);
      const out = join(data.dir, policy);
      const run = spawnSync(
        process.execPath,
        [CLI, 'run', '--scenario', file, '--days', '1', '--out', out, '--data-dir', data.dir],
        { encoding: 'utf8' },
      );
      expect(run.stderr).not.toMatch(/error/);
      expect(run.status).toBe(0);
      const metrics = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8')) as Metrics;
      const policies = new Map(metrics.perHome.map((home) => [home.home, home.policy]));
      expect(policies.get('home-8')).toBe('passive');
      expect(policies.get('home-1')).toBe(policy);
    });
  }
});
