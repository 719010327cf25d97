import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { doneLines, gridflex, summaryLines, tempDir } from './poa-cli.js';

const SCENARIO = 'scenarios/table.yaml';

describe('gridflex study poa', () => {
  // A street limit the selfish plans break, so the policies differ in peak and social cost.
  const args = ['study', 'poa', '--scenario', SCENARIO, '--days', '2', '--limit-kw', '15'];
  const outA = tempDir('gridflex-poa-a-');
  const runA = gridflex(...args, '--out', outA, '--workers', '2');

  it('runs the four policies and writes poa.json with the figures the workshop needs', () => {
    expect(runA.status, runA.stderr).toBe(0);
    expect(runA.stdout).toMatch(/price of anarchy \d+\.\d{3}; headroom lost/);
    const poa = JSON.parse(readFileSync(join(outA, 'poa.json'), 'utf8'));
    expect(Object.keys(poa.policies)).toEqual(['passive', 'selfish', 'cooperative', 'central']);
    for (const figures of Object.values(poa.policies) as Record<string, unknown>[]) {
      expect(figures).toHaveProperty('socialCostGbp');
      expect(figures).toHaveProperty('billsGbp');
      expect(figures).toHaveProperty('transformerPeakKw');
      expect(figures).toHaveProperty('busMinutesOutsideStatutoryLimits');
      expect(figures).toHaveProperty('giniOfBenefit');
      expect(figures.benefitPerDecileGbp).toHaveLength(10);
    }
    expect(poa).toHaveProperty('priceOfAnarchy');
    expect(poa).toHaveProperty('headroomLostPct');
    expect(poa.coordination.cooperativeMessagesPerStep).toBeGreaterThan(0);
    expect(poa.network.linearisationErrorVolts).toBeGreaterThanOrEqual(0);
    // Central and cooperative say in words whether they kept the linearised rows, and what the power flow found.
    for (const name of ['central', 'cooperative']) {
      const words = poa.policies[name].plannedLimits;
      expect(words).toMatch(
        new RegExp(`^${name} (kept|could not keep) the linearised voltage and cable rows`),
      );
      expect(runA.stdout).toContain(words);
    }
    expect(poa.policies.selfish.plannedLimits).toBeUndefined();
    // timing.json: each policy's power-flow solves (at least one a step; more where the PV inverters settle with
    // the flow) and the steps whose inverters did not settle.
    const timing = JSON.parse(readFileSync(join(outA, 'timing.json'), 'utf8'));
    for (const name of ['passive', 'selfish', 'cooperative', 'central']) {
      expect(timing[name].powerFlowSolves).toBeGreaterThanOrEqual(2 * 48);
      expect(timing[name].inverterUnsettledSteps).toBe(0);
    }
    expect(runA.stdout).not.toContain('inverters not settled');
  });

  it("central's social cost is at most every other policy's; PoA ≥ 1; cooperative close to central", () => {
    const poa = JSON.parse(readFileSync(join(outA, 'poa.json'), 'utf8'));
    const central = poa.policies.central.socialCostGbp;
    for (const name of ['passive', 'selfish', 'cooperative']) {
      expect(central, name).toBeLessThanOrEqual(poa.policies[name].socialCostGbp + 1e-6);
    }
    expect(poa.priceOfAnarchy).toBeGreaterThanOrEqual(1);
    // Selfish homes pile onto the same hours and break the 15 kW limit; cooperation and the planner do not.
    expect(poa.policies.selfish.transformerPeakKw).toBeGreaterThan(20);
    expect(poa.policies.cooperative.transformerPeakKw).toBeLessThan(16);
    expect(poa.headroomLostPct).toBeGreaterThan(30);
    // The stated gap: cooperative homes keep their own objectives (carbon weight), the planner values money.
    expect(poa.cooperativeGapPct).toBeGreaterThanOrEqual(0);
    expect(poa.cooperativeGapPct).toBeLessThan(15);
    // Said in words with its side: above central here (a negative gap reads "below").
    const words = /; cooperative (\d+\.\d{2}) % above central\n/.exec(runA.stdout);
    expect(words?.[1]).toBe(poa.cooperativeGapPct.toFixed(2));
  });

  it("is deterministic: the same scenario and seed give a byte-identical poa.json, in worker threads or not; each policy's figures are said as its run ends", () => {
    const outB = tempDir('gridflex-poa-b-');
    const runB = gridflex(...args, '--out', outB, '--workers', '1');
    expect(runB.status).toBe(0);
    expect(readFileSync(join(outB, 'poa.json'), 'utf8')).toBe(readFileSync(join(outA, 'poa.json'), 'utf8'));
    // Each run's "done" line gives, as it ends, the figures the summary gives at the study's end.
    for (const run of [runA, runB]) {
      const done = doneLines(run.stderr);
      expect([...done.keys()].sort()).toEqual(['central', 'cooperative', 'passive', 'selfish']);
      expect(done).toEqual(summaryLines(run.stdout));
    }
  });

  it('with load-dependent prices the selfish homes iterate to an equilibrium that flattens their peak', () => {
    const out = tempDir('gridflex-poa-nash-');
    const run = gridflex(...args, '--out', out, '--load-price-slope', '0.01');
    expect(run.status, run.stderr).toBe(0);
    const poa = JSON.parse(readFileSync(join(out, 'poa.json'), 'utf8'));
    const loadBlind = JSON.parse(readFileSync(join(outA, 'poa.json'), 'utf8'));
    expect(poa.coordination.nashSweeps).toBeGreaterThan(poa.coordination.planningWindows);
    expect(poa.coordination.nashConvergedWindows).toBe(poa.coordination.planningWindows);
    expect(poa.policies.selfish.transformerPeakKw).toBeLessThan(
      loadBlind.policies.selfish.transformerPeakKw - 5,
    );
    // Load-blind prices: one sweep per window is the equilibrium.
    expect(loadBlind.coordination.nashSweeps).toBe(loadBlind.coordination.planningWindows);
  });

  it('counts the days asked for, from any start day, after a warm-up it leaves out', () => {
    const out = tempDir('gridflex-poa-span-');
    const span = ['--start-day', '100', '--warm-up-days', '1'];
    const run = gridflex(...args, ...span, '--out', out, '--workers', '2');
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain("8 homes, 2 days from day 100 after 1 day's warm-up");
    const poa = JSON.parse(readFileSync(join(out, 'poa.json'), 'utf8'));
    expect([poa.startDay, poa.days, poa.warmUpDays]).toEqual([100, 2, 1]);
    // Central plans a window a day: the span's two, not the warm-up's as well.
    expect(poa.coordination.planningWindows).toBe(2);
    const unwarmed = JSON.parse(readFileSync(join(outA, 'poa.json'), 'utf8'));
    expect(unwarmed.startDay).toBe(0);
    expect(unwarmed).not.toHaveProperty('warmUpDays');
  });

  it('rejects bad flags and a missing scenario with exit code 2 and a one-line error', () => {
    for (const [flag, value, pattern] of [
      ['--days', '0', /--days: must be an integer in 1\.\.365, found "0"/],
      ['--start-day', '-1', /--start-day: must be an integer in 0\.\.364, found "-1"/],
      [
        '--warm-up-days',
        '3',
        /scenarios\/table\.yaml: warm-up days 3: the warm-up would begin before the year's first day \(the span starts on day 0\)/,
      ],
      ['--limit-kw', 'lots', /--limit-kw: must be a number/],
      ['--carbon-price-gbp-per-tonne', '-5', /--carbon-price-gbp-per-tonne: must be a number in 0\.\./],
    ] as const) {
      const run = gridflex(
        'study',
        'poa',
        '--scenario',
        SCENARIO,
        '--out',
        tempDir('gridflex-poa-x-'),
        flag,
        value,
      );
      expect(run.status).toBe(2);
      expect(run.stderr.trim()).toMatch(pattern);
    }
    const missing = gridflex(
      'study',
      'poa',
      '--scenario',
      'scenarios/nope.yaml',
      '--out',
      tempDir('gridflex-poa-y-'),
    );
    expect(missing.status).toBe(2);
    expect(missing.stderr.trim()).toMatch(/scenarios\/nope\.yaml: scenario file not found/);
  });
});

describe('gridflex study sweep', () => {
  it('runs a grid on worker threads, collects one table, and resumes without re-running', () => {
    const dir = tempDir('gridflex-sweep-');
    const grid = join(dir, 'grid.yaml');
    writeFileSync(grid, 'vary:\n  seed: [7, 8]\npolicies: [passive, selfish]\ndays: 1\n');
    const out = join(dir, 'out');
    const first = gridflex(
      'study',
      'sweep',
      '--scenario',
      SCENARIO,
      '--grid',
      grid,
      '--out',
      out,
      '--workers',
      '2',
    );
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/4 runs \(4 now, 0 from before, 0 failed\)/);
    const [header, ...rows] = readFileSync(join(out, 'results.csv'), 'utf8').trim().split('\n');
    expect(header?.split(',').slice(0, 2)).toEqual(['seed', 'policy']);
    expect(header).toContain('transformerPeakKw');
    expect(header).toContain('linesOverRating');
    expect(rows).toHaveLength(4);
    // Different seeds draw different streets: the two passive runs differ.
    const column = (header as string).split(',').indexOf('billsGbp');
    const passiveBills = rows
      .filter((row) => row.split(',')[1] === 'passive')
      .map((row) => row.split(',')[column]);
    expect(new Set(passiveBills).size).toBe(2);

    const again = gridflex('study', 'sweep', '--scenario', SCENARIO, '--grid', grid, '--out', out);
    expect(again.stdout).toMatch(/4 runs \(0 now, 4 from before, 0 failed\)/);
  });

  it('reports a variant the scenario schema rejects as a failed row, and a bad grid file as exit 2', () => {
    const dir = tempDir('gridflex-sweep-bad-');
    const grid = join(dir, 'grid.yaml');
    writeFileSync(grid, 'vary:\n  seed: [-1]\npolicies: [passive]\ndays: 1\n');
    const run = gridflex('study', 'sweep', '--scenario', SCENARIO, '--grid', grid, '--out', join(dir, 'out'));
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/error: .*seed/);
    writeFileSync(grid, 'vary: [1, 2]\n');
    const bad = gridflex(
      'study',
      'sweep',
      '--scenario',
      SCENARIO,
      '--grid',
      grid,
      '--out',
      join(dir, 'out2'),
    );
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim()).toMatch(/grid\.yaml: vary: /);
  });
});
