import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { getHighs, useBaselineWasmCompiler } from '../../../hub/agents/highs.js';

// A small LP with one optimum (x1 = 0, x2 = 10).
const LP =
  'Maximize\n obj: x1 + 2 x2\nSubject To\n c1: x1 + x2 <= 10\n c2: x1 - x2 <= 2\nBounds\n 0 <= x1 <= 4\nEnd';

/** Solves the LP in a fresh node process (the compiler choice is process-wide), with or without the baseline compiler. */
function solveInProcess(baseline: boolean): { status: string; objective: number; primal: number[] } {
  const script = `
    import { getHighs, useBaselineWasmCompiler } from './dist/hub/agents/highs.js';
    if (${baseline}) useBaselineWasmCompiler();
    const result = (await getHighs()).solve(${JSON.stringify(LP)});
    console.log(JSON.stringify({
      status: result.Status,
      objective: result.ObjectiveValue,
      primal: Object.values(result.Columns).map((column) => column.Primal),
    }));`;
  const child = spawnSync('node', ['--input-type=module', '-e', script], { encoding: 'utf8' });
  expect(child.stderr).toBe('');
  return JSON.parse(child.stdout);
}

describe('HiGHS with the baseline WebAssembly compiler (the live hub)', () => {
  it('solves to the same optimum as the default compiler', () => {
    const baseline = solveInProcess(true);
    expect(baseline.status).toBe('Optimal');
    expect(baseline).toEqual(solveInProcess(false));
  });

  it('refuses once HiGHS is loaded, when the choice could no longer apply', async () => {
    await getHighs();
    expect(() => useBaselineWasmCompiler()).toThrow(/already loaded.*before the first getHighs/);
  });
});
