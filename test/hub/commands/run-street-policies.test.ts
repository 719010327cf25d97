import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

function runPolicy(policy: string) {
  const out = mkdtempSync(join(tmpdir(), `gridflex-run-${policy}-`));
  const run = spawnSync(
    'node',
    [
      'dist/hub/cli.js',
      'run',
      '--scenario',
      'scenarios/table.yaml',
      '--out',
      out,
      '--days',
      '2',
      '--limit-kw',
      '15',
      '--policy',
      policy,
    ],
    { encoding: 'utf8' },
  );
  expect(run.status, run.stderr).toBe(0);
  return JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8'));
}

describe('gridflex run with the street policies', () => {
  it('runs nash, cooperative and central like any policy; the coordinated ones keep the street limit selfish breaks', () => {
    const selfish = runPolicy('selfish');
    const nash = runPolicy('nash');
    const cooperative = runPolicy('cooperative');
    const central = runPolicy('central');
    expect(selfish.network.transformerPeakKw).toBeGreaterThan(20);
    // With load-blind prices the Nash equilibrium is the selfish plan.
    expect(nash.network.transformerPeakKw).toBeCloseTo(selfish.network.transformerPeakKw, 6);
    for (const coordinated of [cooperative, central]) {
      expect(coordinated.network.transformerPeakKw).toBeLessThan(16);
      expect(coordinated.perHome).toHaveLength(selfish.perHome.length);
      expect(coordinated.network.vsPassive).toBeDefined();
    }
  });
});
