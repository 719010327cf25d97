import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { INVERTER_MAX_PASSES } from '../../../hub/homes/index.js';
import {
  cooperativeAgainstCentral,
  formatChange,
  formatGbp,
  unsettledInWords,
} from '../../../hub/sim/summary-words.js';
import { CLI } from '../live/hub-process.js';
import { tempDir } from '../mqtt-helpers.js';

const data = tempDir('gridflex-run-summary-');
afterAll(() => data.remove());

function run(
  scenario: string,
  days: number,
): { stdout: string; metrics: { network: { busMinutesOutsideStatutoryLimits: number } } } {
  const out = join(data.dir, scenario.replace(/\W/g, '-'));
  const result = spawnSync(
    process.execPath,
    [CLI, 'run', '--scenario', scenario, '--days', String(days), '--out', out, '--data-dir', data.dir],
    { encoding: 'utf8' },
  );
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  return { stdout: result.stdout, metrics: JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8')) };
}

describe('money and changes in words', () => {
  it('a true minus before the pound sign', () => {
    expect(formatGbp(-9.37)).toBe('−£9.37');
    expect(formatGbp(-9.37, true)).toBe('−£9.37');
    expect(formatGbp(1.2, true)).toBe('+£1.20');
    expect(formatGbp(-0.001, true)).toBe('£0.00');
    // Prices per kWh (the flex auction's clearing prices) keep three decimals and the true minus.
    expect(formatGbp(-0.0123, false, 3)).toBe('−£0.012');
    expect(formatGbp(0.0004, true, 3)).toBe('£0.000');
    expect(formatChange(-7.16)).toBe('−7.16');
    expect(formatChange(1.424)).toBe('+1.42');
  });

  it('steps whose PV inverters did not settle: a line only when there are some', () => {
    expect(unsettledInWords(0)).toEqual([]);
    expect(unsettledInWords(1)).toEqual([
      `inverters not settled with the flow within ${INVERTER_MAX_PASSES} passes in 1 step (each keeps its last pass)`,
    ]);
    expect(unsettledInWords(3)[0]).toContain('in 3 steps (');
  });

  it("the study's cooperative beside central: above or below by its gap, or at its cost when the gap rounds to 0", () => {
    expect(cooperativeAgainstCentral(0.2359)).toBe('cooperative 0.24 % above central');
    // The 70 % street's year (cooperative £111.38 below central) printed "within -0.16 % of central".
    expect(cooperativeAgainstCentral(-0.1586)).toBe('cooperative 0.16 % below central');
    expect(cooperativeAgainstCentral(-0.001)).toBe("cooperative at central's social cost");
  });
});

describe('gridflex run: the summary says when the street broke its limits', () => {
  it('a street with voltage and line breaches: both flagged in words with their counts', () => {
    const { stdout, metrics } = run('scenarios/ieee-eu-lv-70.yaml', 1);
    const network = metrics.network;
    expect(network.busMinutesOutsideStatutoryLimits).toBeGreaterThan(0);
    const minutes = network.busMinutesOutsideStatutoryLimits.toLocaleString('en-GB');
    expect(stdout).toMatch(/: 55 homes, 1 day at 30 min,/);
    expect(stdout).toMatch(
      new RegExp(
        `^voltage \\d+\\.\\d–\\d+\\.\\d V: BREACH, ${minutes} bus-minutes outside the statutory 216\\.2–253 V \\(.*\\) at \\d+ connections$`,
        'm',
      ),
    );
    const lines = readFileSync(join(data.dir, 'scenarios-ieee-eu-lv-70-yaml', 'line-loading.csv'), 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((row) => row.split(','));
    const over = lines.filter((row) => Number(row[4]) > 0).length;
    expect(over).toBeGreaterThan(0);
    expect(stdout).toMatch(
      new RegExp(
        `^lines: BREACH, ${over} of ${lines.length} rated lines over their rating, worst \\S+ at \\d+ % `,
        'm',
      ),
    );
    const steps = Number(/ \((\d+) steps? over\)$/m.exec(stdout)?.[1]);
    expect(stdout).toContain(steps === 1 ? '(1 step over)' : `(${steps} steps over)`);
    expect(stdout).toMatch(/^bills £\d+\.\d\d \((−|\+)£\d+\.\d\d vs passive\)/m);
    // Each step's power flow is solved again while its PV inverters settle with the voltages they bring.
    const solves = Number(/^time [\d.]+ s \(power flow [\d.]+ s in (\d+) solves,/m.exec(stdout)?.[1]);
    expect(solves).toBeGreaterThan(48);
  });

  it('a street within its limits says so', () => {
    const { stdout } = run('scenarios/table.yaml', 2);
    expect(stdout).toMatch(/^voltage \d+\.\d–\d+\.\d V, all within the statutory 216\.2–253 V$/m);
    expect(stdout).toMatch(
      /^lines: all 12 rated lines within their rating, most loaded LINE\d+ at \d+ % of its rating$/m,
    );
  });
});
