import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildYearStreet } from '../../../hub/engine/year-street.js';
import { defaultEntry, type RedTeamSection } from '../../../hub/redteam/registry.js';
import { RunStore } from '../../../hub/runs/index.js';
import { parseScenario } from '../../../hub/scenarios/load.js';
import { loadRunInputs } from '../../../hub/sim/inputs.js';
import type { RedTeamRow } from '../../../hub/study/redteam-study.js';
import { row, TABLE, tableRedTeam } from './table-study.js';

const { scratch, tableWith, study } = tableRedTeam('redteam');
/** The table street's step, h. */
const STEP_HOURS = 0.5;
/** The note gives the stray kW to 0.1: at most 0.05 kW more for the half-hour. */
const STRAY_ROUNDING_KWH = 0.05 * STEP_HOURS;
/** The street's EVs start at 60 %, below their residents' target (80–90 %), so they charge from the first night. */
const EVS_START_LOW: [string, string][] = [
  ['ev: { capacityKwh: 60, maxChargeKw: 7 }', 'ev: { capacityKwh: 60, maxChargeKw: 7, initialSocPct: 60 }'],
];

describe('red-team attacks and their defences on the table street', () => {
  it("the low start finds the table street's EV defaults to replace", () => {
    expect(TABLE).toContain(EVS_START_LOW[0]?.[0]);
  });

  it('synchronised charging raises the peak and the street switches on at once; start delays spread the switching on', async () => {
    const rows = await study(
      tableWith(
        'sync',
        '  attacks: [{ kind: sync-charge, at: "17:30", durationMinutes: 120 }]\n  defences: [{ kind: start-delay, maxDelayMinutes: 120 }]',
      ),
      { days: 2 },
    );
    const baseline = row(rows, 'no attack');
    const attacked = row(rows, 'sync-charge, no defence');
    const defended = row(rows, 'sync-charge + start-delay');
    expect(attacked.transformerPeakKw).toBeGreaterThan(baseline.transformerPeakKw + 5);
    expect(attacked.largestRiseKw).toBeGreaterThan(baseline.largestRiseKw + 5);
    // The delays spread each block's start; the blocks still overlap, so the peak itself is left to the draw.
    expect(defended.largestRiseKw).toBeLessThan(attacked.largestRiseKw - 5);
  });

  it('an oscillating load is a square wave on the street: its amplitude on for half the period, off for the other', async () => {
    const file = tableWith(
      'oscillate',
      '  attacks: [{ kind: oscillating-load, periodMinutes: 120, amplitudeKw: 4, homes: 3 }]',
    );
    const inputs = loadRunInputs(file);
    const substationKw = async (redTeam: RedTeamSection) => {
      const { street, stepCount, finish } = await buildYearStreet(inputs, undefined, { days: 1, redTeam });
      for (let k = 0; k < stepCount; k++) street.step(k);
      return finish(0).series?.substationKw as Float64Array;
    };
    const baseline = await substationKw({ attacks: [], defences: [] });
    const attacked = await substationKw(inputs.scenario.redTeam as RedTeamSection);
    // 120 minutes at 30-minute steps: two steps on, two off; three homes at 4 kW (plus the losses they cause).
    attacked.forEach((kw, step) => {
      const addedKw = kw - (baseline[step] as number);
      if (step % 4 < 2) expect(addedKw, `step ${step}`).toBeGreaterThan(3 * 4);
      else expect(Math.abs(addedKw), `step ${step}`).toBeLessThan(0.5);
    });
  });

  it('an EV that reports more charge than it has leaves short; the plausibility check plans on the model', async () => {
    const rows = await study(
      tableWith(
        'telemetry',
        '  attacks: [{ kind: false-telemetry, device: ev, mode: offset, offsetPct: 50 }]\n  defences: [{ kind: telemetry-check }]',
        EVS_START_LOW,
      ),
      { days: 2 },
    );
    const baseline = row(rows, 'no attack');
    const attacked = row(rows, 'false-telemetry, no defence');
    const defended = row(rows, 'false-telemetry + telemetry-check');
    expect(attacked.evShortfallKwh).toBeGreaterThan(baseline.evShortfallKwh + 1);
    expect(defended.evShortfallKwh).toBeCloseTo(baseline.evShortfallKwh, 6);
    // The honest stores' readings agree with the model all along: only the attacked EV's are refused.
    expect(defended.notes).toHaveLength(1);
    expect(defended.notes[0]).toMatch(/^home-3 ev: readings refused from day 1/);
    expect(attacked.notes).toEqual([]);
  });

  it('a frozen battery reading is refused once the meter shows the battery moving', async () => {
    const rows = await study(
      tableWith(
        'frozen',
        '  attacks: [{ kind: false-telemetry, device: battery, mode: frozen }]\n  defences: [{ kind: telemetry-check }]',
      ),
      { days: 1 },
    );
    const { notes } = row(rows, 'false-telemetry + telemetry-check');
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(/^home-5 battery: readings refused from .*kWh from the model's/);
  });

  it("a replayed EV reading is taken while it is the truth and refused once it is yesterday's", async () => {
    const rows = await study(
      tableWith(
        'replayed',
        '  attacks: [{ kind: false-telemetry, home: home-3, device: ev, mode: replayed, replayHours: 24 }]\n  defences: [{ kind: telemetry-check }]',
      ),
      { days: 2 },
    );
    const { notes } = row(rows, 'false-telemetry + telemetry-check');
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(/^home-3 ev: readings refused from day 2 /);
  });

  it('a mass switch to a time-of-use tariff raises the peak; a switching cap lets fewer homes through', async () => {
    const rows = await study(
      tableWith(
        'switch',
        '  attacks: [{ kind: mass-switch, tariff: ev-tou, day: 0 }]\n  defences: [{ kind: switching-cap, perWorkingDay: 1 }]',
        [['capacityPerWorkingDay: 2', 'capacityPerWorkingDay: 20']],
      ),
      { days: 4 },
    );
    const baseline = row(rows, 'no attack');
    const attacked = row(rows, 'mass-switch, no defence');
    const defended = row(rows, 'mass-switch + switching-cap');
    expect(attacked.transformerPeakKw).toBeGreaterThan(baseline.transformerPeakKw + 3);
    expect(defended.transformerPeakKw).toBeLessThan(attacked.transformerPeakKw - 3);
  });

  it("a home that lies to the cooperative coordinator breaks the street's limit; plan checks exclude only it", async () => {
    const rows = await study(
      tableWith(
        'liar',
        '  attacks: [{ kind: lying-agent, homes: 1 }]\n  defences: [{ kind: plan-check, strikes: 1 }]',
      ),
      { days: 3, policy: 'cooperative', limitKw: 15 },
    );
    const baseline = row(rows, 'no attack');
    const attacked = row(rows, 'lying-agent, no defence');
    const defended = row(rows, 'lying-agent + plan-check');
    expect(baseline.overRatingKwh).toBeLessThan(0.5);
    expect(attacked.overRatingKwh).toBeGreaterThan(baseline.overRatingKwh + 2);
    expect(defended.notes).toHaveLength(1);
    expect(defended.notes[0]).toMatch(/^home-3 excluded at /);
    // A check strikes after the step it meters, so the liar's first stray step still loads the street; from then
    // on it runs its proposal. So the defended street goes over its rating by no more than that one half-hour
    // of straying (how much is chance: the liar's selfish plan against the mix it proposed, 0.8 kW or 6.0 kW
    // here as the coordinator's stop moved), and less than the undefended street, which strays on.
    const strayKw = Number(/ran ([\d.]+) kW away/.exec(defended.notes[0] as string)?.[1]);
    expect(defended.overRatingKwh).toBeLessThanOrEqual(strayKw * STEP_HOURS + STRAY_ROUNDING_KWH);
    expect(defended.overRatingKwh).toBeLessThan(attacked.overRatingKwh);
  });
});

describe('plan checks', () => {
  it("count the start-delay defence's delays as the hub's own change: with both on, only the liar is struck", async () => {
    // Up to 12 hours, a delayed charge runs past the EV's departure: what it could not run is no strike either.
    for (const maxDelayMinutes of [30, 720]) {
      const rows = await study(
        tableWith(
          `liar-delayed-${maxDelayMinutes}`,
          `  attacks: [{ kind: lying-agent, homes: 1 }]\n  defences: [{ kind: start-delay, maxDelayMinutes: ${maxDelayMinutes} }, { kind: plan-check, strikes: 1 }]`,
          EVS_START_LOW,
        ),
        { days: 2, policy: 'cooperative', limitKw: 15 },
      );
      const both = row(rows, 'lying-agent + all defences');
      expect(both.notes).toHaveLength(1);
      expect(both.notes[0]).toMatch(/^home-3 excluded at /);
    }
  });

  it('leave homes that plan alone: they propose nothing to a coordinator', async () => {
    const inputs = loadRunInputs('scenarios/table.yaml');
    const { street, stepCount, redTeam, finish } = await buildYearStreet(inputs, 'passive', {
      days: 1,
      redTeam: { attacks: [], defences: [{ kind: 'plan-check', toleranceKw: 0.5, strikes: 1 }] },
    });
    for (let k = 0; k < stepCount; k++) street.step(k);
    finish(0);
    expect(redTeam.notes).toEqual([]);
  });
});

describe('the redTeam section', () => {
  const refused = (redTeam: string): string => {
    try {
      parseScenario(
        `${TABLE}\nredTeam:\n${redTeam}\n`,
        join(process.cwd(), 'scenarios', 'bad-red-team.yaml'),
      );
    } catch (error) {
      return (error as Error).message;
    }
    throw new Error('accepted');
  };

  it('refuses a bad entry naming the field, what was expected and what was found', () => {
    expect(refused('  attacks: [{ kind: sync-charge, at: "25:00" }]')).toMatch(
      /redTeam\.attacks\.0\.at: expected .*found "25:00"/,
    );
    expect(refused('  attacks: [{ kind: flood }]')).toMatch(
      /redTeam\.attacks\.0\.kind: expected an attack kind: sync-charge, oscillating-load, false-telemetry, mass-switch, lying-agent/,
    );
    expect(refused('  defences: [{ kind: start-delay, maxDelay: 5 }]')).toMatch(
      /redTeam\.defences\.0: expected only known keys, found unknown key "maxDelay"/,
    );
    expect(refused('  attacks: [{ kind: oscillating-load, periodMinutes: 90 }]')).toMatch(
      /redTeam\.attacks\.0\.periodMinutes: expected .*found 90/,
    );
  });

  it("refuses homes and tariffs the scenario does not have, naming the entry's field", () => {
    expect(refused('  attacks: [{ kind: sync-charge, homes: [home-1, home-99] }]')).toMatch(
      /redTeam\.attacks\.0\.homes\.1: expected a home of the scenario \(home-1, .*\), found "home-99"/,
    );
    expect(refused('  attacks: [{ kind: mass-switch, tariff: free-power }]')).toMatch(
      /redTeam\.attacks\.0\.tariff: expected a tariff on offer .*found "free-power"/,
    );
  });

  it('gives every field of an entry a default except what only the scenario can say', () => {
    expect(defaultEntry('attacks', 'sync-charge')).toEqual({
      kind: 'sync-charge',
      at: '17:30',
      durationMinutes: 120,
    });
    expect(() => defaultEntry('attacks', 'mass-switch')).toThrow(/^tariff: /);
  });
});

describe('gridflex study redteam', () => {
  const gridflex = (...args: string[]) =>
    spawnSync('node', ['dist/hub/cli.js', ...args], { encoding: 'utf8' });

  it('writes the damage table as report.md and results.json and prints it, records it in the run history; the same run gives the same file', () => {
    const outs = [join(scratch.dir, 'cli-a'), join(scratch.dir, 'cli-b')];
    const dataDir = join(scratch.dir, 'history');
    const runs = outs.map((out) =>
      gridflex(
        'study',
        'redteam',
        '--scenario',
        'scenarios/table.yaml',
        '--attack',
        'sync-charge',
        '--days',
        '1',
        '--out',
        out,
        '--data-dir',
        dataDir,
      ),
    );
    const [run] = runs;
    expect(run?.status, run?.stderr).toBe(0);
    const results = JSON.parse(readFileSync(join(outs[0] as string, 'results.json'), 'utf8'));
    expect(results.rows.map((entry: RedTeamRow) => entry.name)).toEqual([
      'no attack',
      'sync-charge, no defence',
      'sync-charge + start-delay',
    ]);
    const report = readFileSync(join(outs[0] as string, 'report.md'), 'utf8');
    expect(report).toMatch(/^\| sync-charge, no defence \| \d+\.\d \| /m);
    expect(run?.stdout).toContain(report);
    expect(readFileSync(join(outs[1] as string, 'results.json'), 'utf8')).toBe(
      readFileSync(join(outs[0] as string, 'results.json'), 'utf8'),
    );
    const history = RunStore.open(dataDir);
    const recorded = history.list();
    history.close();
    // Newest first.
    expect(recorded.map((record) => [record.kind, record.outDir])).toEqual(
      outs.map((out) => ['study-redteam', out]).reverse(),
    );
    expect(run?.stdout).toMatch(/^recorded as run 1 in .*runs\.sqlite$/m);
    const [noAttack, attack, delayed] = results.rows as RedTeamRow[];
    expect(recorded[0]?.headline).toMatchObject({
      days: 1,
      noAttackPeakKw: noAttack?.transformerPeakKw,
      attackPeakKw: attack?.transformerPeakKw,
      attackSocialCostGbp: attack?.socialCostGbp,
      'start-delayPeakKw': delayed?.transformerPeakKw,
    });

    // The HTML report of the study, with its rows as CSV (the rows its charts draw).
    const reportDir = join(scratch.dir, 'report');
    const written = spawnSync(
      'node',
      [
        'dist/hub/cli.js',
        'report',
        '--id',
        '1',
        '--data-dir',
        dataDir,
        '--out',
        join(reportDir, 'report.html'),
      ].concat(['--csv', reportDir]),
      { encoding: 'utf8' },
    );
    expect(written.stdout, written.stderr).toMatch(
      /^wrote .*report\.html \(\d+ KiB, red-team study, 1 days\)/,
    );
    expect(readFileSync(join(reportDir, 'report.html'), 'utf8')).toContain('"kind":"study-redteam"');
    const csvRows = readFileSync(join(reportDir, 'report-rows.csv'), 'utf8').trim().split('\n').slice(1);
    expect(csvRows.map((row) => Number(row.split(',').at(-7)))).toEqual(
      (results.rows as RedTeamRow[]).map((row) => row.transformerPeakKw),
    );
  });

  it('refuses an unknown attack and an attack whose settings only the scenario can give, exit code 2', () => {
    const unknown = gridflex(
      'study',
      'redteam',
      '--scenario',
      'scenarios/table.yaml',
      '--attack',
      'flood',
      '--out',
      scratch.dir,
    );
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/--attack: expected one of sync-charge, .*found "flood"/);
    const needsTariff = gridflex(
      'study',
      'redteam',
      '--scenario',
      'scenarios/table.yaml',
      '--attack',
      'mass-switch',
      '--out',
      scratch.dir,
    );
    expect(needsTariff.status).toBe(2);
    expect(needsTariff.stderr).toMatch(
      /--attack: mass-switch has settings without defaults \(tariff: .*redTeam\.attacks/,
    );
  });
});
