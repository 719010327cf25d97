import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RUN_OUTPUT_FILES } from '../../../hub/sim/output.js';

const run = (...args: string[]) =>
  spawnSync('node', ['dist/hub/cli.js', 'run', ...args], { encoding: 'utf8' });
const tempDir = () => mkdtempSync(join(tmpdir(), 'gridflex-run-'));

describe('gridflex run', () => {
  it.each([
    ['scenarios/table.yaml', 8],
    ['scenarios/ieee-eu-lv.yaml', 55],
  ])('runs 7 days of %s and writes metrics, series and logs', (scenario, homeCount) => {
    const out = tempDir();
    const result = run('--scenario', scenario, '--out', out, '--days', '7', '--policy', 'selfish');
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/7 days at 30 min, policy selfish/);
    for (const name of Object.values(RUN_OUTPUT_FILES)) expect(existsSync(join(out, name)), name).toBe(true);

    const metrics = JSON.parse(readFileSync(join(out, RUN_OUTPUT_FILES.metrics), 'utf8'));
    expect(metrics.perHome).toHaveLength(homeCount);
    for (const key of [
      'home',
      'billGbp',
      'importKwh',
      'exportKwh',
      'carbonKg',
      'comfortDegreeHoursOutside',
      'evShortfallKwh',
      'switches',
    ]) {
      expect(metrics.perHome[0]).toHaveProperty(key);
    }
    expect(Object.keys(metrics.perHome[0].vsPassive)).toContain('billGbp');
    for (const key of [
      'transformerPeakKw',
      'transformerPeakLoadingPct',
      'minVoltageV',
      'maxVoltageV',
      'busMinutesOutsideStatutoryLimits',
      'lossesKwh',
    ]) {
      expect(typeof metrics.network[key]).toBe('number');
      expect(typeof metrics.network.vsPassive[key]).toBe('number');
    }
    expect(metrics.suppliers[0]).toMatchObject({ supplier: 'capped-energy' });
    expect(metrics.suppliers.reduce((sum: number, s: { customers: number }) => sum + s.customers, 0)).toBe(
      homeCount,
    );
    expect(typeof metrics.totals.vsPassive.billsGbp).toBe('number');
    expect(metrics.totals.vsPassive.billsGbp).toBeLessThan(0);

    const network = readFileSync(join(out, RUN_OUTPUT_FILES.network), 'utf8').trim().split('\n');
    expect(network[0]).toBe('step,time,substation_kw,transformer_loading_pct,min_voltage_v,max_voltage_v');
    expect(network).toHaveLength(1 + 7 * 48);
    const power = readFileSync(join(out, RUN_OUTPUT_FILES.homePower), 'utf8').trim().split('\n');
    expect(power[0]?.split(',')).toHaveLength(2 + homeCount);
    const decisions = readFileSync(join(out, RUN_OUTPUT_FILES.decisions), 'utf8').trim().split('\n');
    expect(JSON.parse(decisions[0] ?? '{}')).toMatchObject({ policy: 'selfish', kind: 'plan' });
  });

  it('writes byte-identical metrics.json for the same scenario and seed', () => {
    const [a, b] = [tempDir(), tempDir()];
    expect(run('--scenario', 'scenarios/table.yaml', '--out', a, '--days', '3').status).toBe(0);
    expect(run('--scenario', 'scenarios/table.yaml', '--out', b, '--days', '3').status).toBe(0);
    const metrics = (dir: string) => readFileSync(join(dir, RUN_OUTPUT_FILES.metrics));
    expect(metrics(a).equals(metrics(b))).toBe(true);
    expect(
      readFileSync(join(a, RUN_OUTPUT_FILES.homeState)).equals(
        readFileSync(join(b, RUN_OUTPUT_FILES.homeState)),
      ),
    ).toBe(true);
  });

  it('exits 2 with the file, path, expected and found for a bad scenario', () => {
    const dir = tempDir();
    const file = join(dir, 'bad.yaml');
    writeFileSync(
      file,
      'name: bad\nfeeder: feeders/table-street\nseed: 1\nadoption: { evPct: "lots" }\nmarket: { defaultTariff: flat-cap }\n',
    );
    const result = run('--scenario', file, '--out', join(dir, 'out'));
    expect(result.status).toBe(2);
    expect(result.stderr).toBe(`error: ${file}: adoption.evPct: expected number, found "lots"\n`);
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });

  it('exits 2 when the scenario’s year file is shorter than its span', () => {
    const dir = tempDir();
    const shipped = readFileSync('scenarios/data/uk-representative-year.csv', 'utf8').split('\n');
    const header = shipped.findIndex((line) => line.startsWith('step,'));
    writeFileSync(join(dir, 'short-year.csv'), `${shipped.slice(header, header + 1 + 96).join('\n')}\n`);
    const file = join(dir, 'short.yaml');
    writeFileSync(
      file,
      'name: short\nfeeder: feeders/table-street\nyear: short-year.csv\nseed: 1\ntime: { days: 3 }\nmarket: { defaultTariff: flat-cap }\n',
    );
    const result = run('--scenario', file, '--out', join(dir, 'out'));
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(
      /error: .*short\.yaml: year: .*short-year\.csv has 2 days; the scenario runs to day 3/,
    );
  });

  it('exits 2 for a missing scenario file, an unknown policy, a bad --days or a warm-up before the year', () => {
    const out = tempDir();
    const missing = run('--scenario', 'scenarios/nowhere.yaml', '--out', out);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/error: scenarios\/nowhere\.yaml: scenario file not found/);
    const policy = run('--scenario', 'scenarios/table.yaml', '--out', out, '--policy', 'greedy');
    expect(policy.status).toBe(2);
    expect(policy.stderr).toMatch(
      /error: --policy: unknown policy "greedy"; expected one of passive, selfish/,
    );
    const days = run('--scenario', 'scenarios/table.yaml', '--out', out, '--days', '0');
    expect(days.status).toBe(2);
    expect(days.stderr).toMatch(/error: --days: must be an integer in 1\.\.365, found "0"/);
    const warmUp = run('--scenario', 'scenarios/table.yaml', '--out', out, '--warm-up-days', '1');
    expect(warmUp.status).toBe(2);
    expect(warmUp.stderr).toMatch(
      /error: scenarios\/table\.yaml: warm-up days 1: the warm-up would begin before the year's first day/,
    );
  });
});
