import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../../hub/errors.js';
import { loadReport } from '../../../hub/report/load.js';
import { chartSeriesCsv, decileMeans, durationCurve, gini, perHomeCsv } from '../../../hub/report/model.js';

const dir = mkdtempSync(join(tmpdir(), 'gridflex-report-'));
const cli = (...args: string[]) =>
  execFileSync(process.execPath, ['dist/hub/cli.js', ...args, '--data-dir', join(dir, 'data')], {
    encoding: 'utf8',
  });

beforeAll(() => {
  cli(
    'run',
    '--scenario',
    'scenarios/table-community-battery.yaml',
    '--days',
    '1',
    '--out',
    join(dir, 'run'),
  );
  cli(
    'study',
    'poa',
    '--scenario',
    'scenarios/table.yaml',
    '--days',
    '1',
    '--workers',
    '1',
    '--out',
    join(dir, 'poa'),
  );
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A copy of the run folder with one file replaced. */
function brokenCopy(file: string, text: string): string {
  const copy = mkdtempSync(join(dir, 'broken-'));
  cpSync(join(dir, 'run'), copy, { recursive: true });
  writeFileSync(join(copy, file), text);
  return copy;
}

function inputError(load: () => unknown): InputError {
  try {
    load();
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error('expected an InputError');
}

describe('loadReport', () => {
  it('reads a run: costs against passive agree with metrics.json, series cover every step', () => {
    const report = loadReport(join(dir, 'run'));
    const metrics = JSON.parse(readFileSync(join(dir, 'run', 'metrics.json'), 'utf8'));
    const run = report.run;
    if (!run) throw new Error('no run part');
    expect(report).toMatchObject({ kind: 'run', scenario: metrics.scenario, days: 1, seed: metrics.seed });
    expect(run.homes).toHaveLength(metrics.perHome.length);
    run.homes.forEach((home, i) => {
      expect(home.billGbp).toBe(metrics.perHome[i].billGbp);
      expect(home.passiveBillGbp - home.billGbp).toBeCloseTo(home.savingGbp, 3);
      expect(home.savingGbp).toBeCloseTo(-metrics.perHome[i].vsPassive.billGbp, 4);
    });
    expect(run.totals.passiveBillsGbp).toBeCloseTo(
      metrics.totals.billsGbp - metrics.totals.vsPassive.billsGbp,
      3,
    );
    // 1 day at 30 minutes: 48 steps, day offsets 0 … 47/48.
    expect(run.series.transformerLoadingPct).toHaveLength(48);
    expect(run.series.dayOffset[47]).toBeCloseTo(47 / 48, 4);
    expect(run.loadingDurationPct[0]).toBe(Math.max(...run.series.transformerLoadingPct));
    // The passive baseline's loading, step by step, from passive-network.csv.
    expect(run.passiveLoadingPct).toHaveLength(48);
    expect(run.passiveLoadingDurationPct?.[0]).toBe(Math.max(...(run.passiveLoadingPct ?? [])));
    expect(run.heatmap.connections).toBe(8);
    expect(run.linesRated).toBeGreaterThan(0);
    expect(run.sharedBattery?.socKwh).toHaveLength(48);
    expect(run.savingPerDecileGbp).toHaveLength(10);
  });

  it('reads a PoA study: every policy with its deciles', () => {
    const report = loadReport(join(dir, 'poa'));
    expect(report.kind).toBe('study-poa');
    expect(report.poa?.policies.map((policy) => policy.policy)).toEqual([
      'passive',
      'selfish',
      'cooperative',
      'central',
    ]);
    expect(report.poa?.policies[1]?.benefitPerDecileGbp).toHaveLength(10);
    expect(perHomeCsv(report).split('\n')[0]).toMatch(/^policy,social_cost_gbp,/);
  });

  it('names the file, and the row for CSVs, when an output is missing or malformed', () => {
    expect(inputError(() => loadReport(join(dir, 'nowhere'))).message).toMatch(
      /holds none of metrics.json .*, poa.json .*, links.json .*, results.json/,
    );
    expect(inputError(() => loadReport(brokenCopy('metrics.json', '{"scenario": 3'))).where).toMatch(
      /metrics\.json$/,
    );
    const missingHomes = inputError(() => loadReport(brokenCopy('metrics.json', '{"scenario": "x"}')));
    expect(missingHomes.problem).toMatch(/^policy: .*\(and \d+ more problems\)$/);
    const network = readFileSync(join(dir, 'run', 'network.csv'), 'utf8').split('\n');
    network[3] = '2,day 1 00:30,abc,1,2,3';
    expect(inputError(() => loadReport(brokenCopy('network.csv', network.join('\n')))).message).toMatch(
      /network\.csv:4: expected a number, found "abc"$/,
    );
    expect(inputError(() => loadReport(brokenCopy('switching-log.jsonl', '{"homeId": 1}\n'))).where).toMatch(
      /switching-log\.jsonl:1$/,
    );
  });

  it('exports the per-home table and the chart series as CSV', () => {
    const report = loadReport(join(dir, 'run'));
    const homes = perHomeCsv(report).trim().split('\n');
    expect(homes[0]).toBe(
      'home,bus,phase,policy,assets,tariff_at_start,tariff_at_end,bill_gbp,passive_bill_gbp,saving_gbp,carbon_kg,passive_carbon_kg,import_kwh,export_kwh,comfort_degree_hours_outside,ev_shortfall_kwh,switches',
    );
    expect(homes).toHaveLength(1 + (report.run?.homes.length ?? 0));
    const series = chartSeriesCsv(report);
    expect(series).toContain(
      '# network per step\nstep,day_offset,substation_kw,transformer_loading_pct,min_voltage_v,max_voltage_v\n0,0,',
    );
    expect(series).toMatch(
      /# transformer loading-duration curve \(this run and the passive baseline\)\nfraction_of_time,loading_pct,passive_loading_pct\n0,[\d.]+,[\d.]+\n/,
    );
    expect(series).toContain(
      '# minutes outside the statutory band by connection and hour of day\nconnection,h00,',
    );
  });
});

describe('report figures', () => {
  it('Gini: 0 when all save alike, 1 − 1/n when one home takes all, null for a non-positive mean', () => {
    expect(gini([2, 2, 2, 2])).toBe(0);
    expect(gini([0, 0, 0, 8])).toBeCloseTo(0.75, 10);
    expect(gini([-1, -2, 1])).toBeNull();
  });

  it('deciles rank by the passive bill and average each tenth', () => {
    // 20 homes: saving = 10 × rank; the two smallest passive bills are homes 19 and 18.
    const passive = Array.from({ length: 20 }, (_, i) => 100 - i);
    const saving = Array.from({ length: 20 }, (_, i) => i * 10);
    expect(decileMeans(saving, passive)).toEqual([185, 165, 145, 125, 105, 85, 65, 45, 25, 5]);
  });

  it('the duration curve is sorted high to low and thinned to the limit keeping both ends', () => {
    const values = Array.from({ length: 17520 }, (_, i) => (i * 7919) % 101);
    const curve = durationCurve(values, 1000);
    expect(curve).toHaveLength(1000);
    expect(curve[0]).toBe(100);
    expect(curve[999]).toBe(0);
    for (let i = 1; i < curve.length; i++) expect(curve[i]).toBeLessThanOrEqual(curve[i - 1] as number);
  });
});
