import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PowerFlowSolver } from '../../../hub/feeder/index.js';
import { loadRunInputs } from '../../../hub/sim/inputs.js';
import { cableLimits } from '../../../hub/study/cable-limits.js';
import { homeLoadConnections } from '../../../hub/study/street-context.js';
import { scenarioSpan } from '../scenario-span.js';

const inputs = loadRunInputs('scenarios/ieee-eu-lv-70.yaml');
const homes = inputs.scenario.homes.map(({ spec }) => spec);
const limits = cableLimits(inputs.feeder, homes);

/** The loading of `lineName` when only `homeIds` draw, `totalKw` between them at 0.95 PF. */
function loadingPct(lineName: string, homeIds: readonly string[], totalKw: number): number {
  const solver = new PowerFlowSolver(inputs.feeder, homeLoadConnections(inputs.scenario), {
    maxIterations: 50,
  });
  homes.forEach((home, index) => {
    const kw = homeIds.includes(home.id) ? totalKw / homeIds.length : 0;
    solver.loadPKw[index] = kw;
    solver.loadQKvar[index] = kw * Math.tan(Math.acos(0.95));
  });
  const flow = solver.solve('test');
  return flow.lineLoadingPct[inputs.feeder.lines.findIndex((line) => line.name === lineName)] as number;
}

describe('cable limits', () => {
  it('are the cable phases the homes downstream could overload, each at its rating', () => {
    expect(limits.length).toBeGreaterThan(10);
    for (const limit of limits) {
      expect(limit.name).toMatch(/^cable \S+ phase [ABC] \(\d+ A\)$/);
      expect(limit.limitsImport || limit.limitsExport).toBe(true);
      expect(new Set(limit.homeIds).size).toBe(limit.homeIds.length);
    }
    // Each set of homes is limited once, by its tightest cable.
    expect(new Set(limits.map((limit) => limit.homeIds.join(','))).size).toBe(limits.length);
  });

  it("puts the cable at its rating when its homes draw the limit's kW, and under it below", () => {
    for (const limit of limits) {
      const line = (limit.name.match(/^cable (\S+)/) as RegExpMatchArray)[1] as string;
      // The rating is in kW at the nominal 230 V; with only these homes drawing, the street sits above it
      // (the source is at 1.05 pu), so the current is a few % under the rating.
      const atRating = loadingPct(line, limit.homeIds, limit.ratingKw);
      expect(atRating).toBeGreaterThan(90);
      expect(atRating).toBeLessThan(105);
      expect(loadingPct(line, limit.homeIds, 0.85 * limit.ratingKw)).toBeLessThan(90);
    }
  });
});

describe('central keeps the cables within their ratings and the voltage under the band’s top', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gridflex-cables-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /**
   * A 2-day run of the IEEE street with an EV in every home: the cable segments over their rating and the
   * highest voltage (the source sits at 1.05 pu, so a light or unbalanced street rises above 253 V).
   */
  function runStress(policy: string): { linesOverRating: number; maxVoltageV: number } {
    const scenario = join(dir, 'ev-every-home.yaml');
    const text = readFileSync('scenarios/ieee-eu-lv.yaml', 'utf8').replace(
      /^adoption: .*$/m,
      'adoption: { pvPct: 0, evPct: 100, heatPumpPct: 0, batteryPct: 0 }',
    );
    writeFileSync(scenario, text);
    return runScenario(scenario, policy, ['--days', '2']);
  }

  /** A run of `policy` on `scenario`: the cable segments over their rating and the highest voltage. */
  function runScenario(
    scenario: string,
    policy: string,
    extraArgs: readonly string[],
  ): { linesOverRating: number; maxVoltageV: number; busMinutesOutside: number } {
    const out = join(dir, `${policy}-${scenario.replace(/\W/g, '')}`);
    const run = spawnSync(
      'node',
      [
        'dist/hub/cli.js',
        'run',
        '--scenario',
        scenario,
        '--policy',
        policy,
        ...extraArgs,
        '--out',
        out,
        '--data-dir',
        join(dir, 'data'),
      ],
      { encoding: 'utf8' },
    );
    expect(run.status, run.stderr).toBe(0);
    const rows = readFileSync(join(out, 'line-loading.csv'), 'utf8').trim().split('\n').slice(1);
    const metrics = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8'));
    return {
      linesOverRating: rows.filter((row) => Number(row.split(',')[4]) > 0).length,
      maxVoltageV: metrics.network.maxVoltageV,
      busMinutesOutside: metrics.network.busMinutesOutsideStatutoryLimits,
    };
  }

  /** A copy of the IEEE 70 % street's scenario over `days` from `startDay`. */
  function ieee70(startDay: number, days: number): string {
    return scenarioSpan(dir, 'scenarios/ieee-eu-lv-70.yaml', startDay, days);
  }

  it('where selfish charging overloads them and lifts the far phases', () => {
    const selfish = runStress('selfish');
    const central = runStress('central');
    expect(selfish.linesOverRating).toBeGreaterThan(20);
    expect(central.linesOverRating).toBe(0);
    // Without the band's upper rows central reached 255.6 V here; the linearisation's error leaves a little.
    expect(selfish.maxVoltageV).toBeGreaterThan(254);
    expect(central.maxVoltageV).toBeLessThan(254);
  });

  // The PV inverters' Volt-VAr absorbs while the homes import in daylight, so the trunk carries more current
  // than a row at 230 V and PF 0.95 counts on: with those rows central left 19 trunk segments (LINE1-LINE24) over
  // their rating (102 %) on the 70 % street's third winter day. Cooperative kept them there with those rows too.
  for (const policy of ['central', 'cooperative']) {
    it(`where the inverters' reactive power flows through them: ${policy} on the IEEE 70 % street`, {
      timeout: 300_000,
    }, () => {
      expect(runScenario(ieee70(2, 1), policy, []).linesOverRating).toBe(0);
    });
  }

  // In summer the inverters' Volt-Watt answers the voltage of the step before, so a plan made again to lower
  // the voltage at one step holds back less PV at the next and breaks the band's top there: stopped at 3 passes,
  // central's plans left 60 bus-minutes over 253 V here.
  it("where the inverters' Volt-Watt answers the step before: central on two summer days of the IEEE 70 % street", {
    timeout: 300_000,
  }, () => {
    expect(runScenario(ieee70(173, 2), 'central', []).busMinutesOutside).toBe(0);
  });
});
