import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../hub/errors.js';
import { loadScenario, parseScenario, REPO_ROOT } from '../../../hub/scenarios/load.js';

const scenarioFile = (name: string) => join(REPO_ROOT, 'scenarios', name);
/** A scenario text as if it were a file in scenarios/ (relative paths resolve from there or the repo root). */
const parse = (text: string) => parseScenario(text, join(REPO_ROOT, 'scenarios', 'bad.yaml'));

const MINIMAL = `
name: test street
feeder: feeders/table-street
seed: 1
market: { defaultTariff: flat-cap }
`;

function problem(text: string): string {
  try {
    parse(text);
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return (error as Error).message;
  }
  throw new Error('expected the scenario to be rejected');
}

describe('shipped scenarios', () => {
  it('the IEEE street has one home per feeder load, on that load’s bus and phase', () => {
    const { scenario, feeder } = loadScenario(scenarioFile('ieee-eu-lv.yaml'));
    expect(scenario.homes).toHaveLength(55);
    scenario.homes.forEach((home, index) => {
      const load = feeder.loads[index];
      expect(home.spec.id).toBe(load?.name);
      expect(home.spec.bus).toBe(load?.bus);
      expect([home.spec.phase]).toEqual(load?.phases);
    });
    expect(scenario.days).toBe(365);
    expect(scenario.stepMinutes).toBe(30);
  });

  it.each([
    ['ieee-eu-lv.yaml', { pv: 11, ev: 11, heatPump: 6, battery: 3 }],
    ['ieee-eu-lv-30.yaml', { pv: 17, ev: 17, heatPump: 17, battery: 6 }],
    ['ieee-eu-lv-70.yaml', { pv: 39, ev: 39, heatPump: 39, battery: 17 }],
  ])('%s expands its adoption levels into exactly that many homes, the same every time', (file, counts) => {
    const { scenario } = loadScenario(scenarioFile(file));
    const count = (kind: 'pv' | 'ev' | 'heatPump' | 'battery') =>
      scenario.homes.filter((home) => home.spec[kind] !== undefined).length;
    expect({
      pv: count('pv'),
      ev: count('ev'),
      heatPump: count('heatPump'),
      battery: count('battery'),
    }).toEqual(counts);
    expect(loadScenario(scenarioFile(file)).scenario.homes).toEqual(scenario.homes);
  });

  it('the table street has its eight homes with their own assets, tariffs and policies', () => {
    const { scenario } = loadScenario(scenarioFile('table.yaml'));
    expect(scenario.homes.map((home) => home.spec.id)).toEqual([
      'home-1',
      'home-2',
      'home-3',
      'home-4',
      'home-5',
      'home-6',
      'home-7',
      'home-8',
    ]);
    const home3 = scenario.homes[2];
    expect(home3?.tariffId).toBe('ev-tou');
    expect(home3?.spec.ev?.maxChargeKw).toBe(7);
    expect(scenario.homes[4]?.spec.battery?.capacityKwh).toBe(10);
    expect(scenario.homes[4]?.spec.pv?.peakKw).toBe(3);
    expect(scenario.homes[6]?.spec.preferences.evReadyByMinute).toBe(390);
    expect(scenario.homes[7]?.policy).toBe('passive');
    expect(scenario.homes[0]?.spec.pv?.voltWatt).toBeDefined();
  });

  it('residents draw their preferences from the variety lists, and a home’s own setting wins', () => {
    const text = `${MINIMAL}variety: { evReadyBy: ['06:30', '08:30'], comfortMinC: [18, 20] }
homes:
${Array.from({ length: 8 }, (_, i) => `  - { load: LOAD${i + 1}${i === 0 ? ", preferences: { evReadyBy: '07:15' }" : ''} }`).join('\n')}
`;
    const homes = parse(text).scenario.homes.map((home) => home.spec.preferences);
    expect(homes[0]?.evReadyByMinute).toBe(7 * 60 + 15);
    const readyBy = new Set(homes.slice(1).map((p) => p.evReadyByMinute));
    expect([...readyBy].sort()).toEqual([390, 510]);
    expect(new Set(homes.map((p) => p.comfortMinC))).toEqual(new Set([18, 20]));
    expect(parse(text).scenario.homes).toEqual(parse(text).scenario.homes);
  });

  it("an EV starts at its resident's target unless the scenario gives initialSocPct", () => {
    const text = `${MINIMAL}variety: { evTargetSocPct: [70, 90] }
homes:
  - { load: LOAD1, ev: true }
  - { load: LOAD2, ev: true }
  - { load: LOAD3, ev: true }
  - { load: LOAD4, ev: { initialSocPct: 35 } }
`;
    const homes = parse(text).scenario.homes.map((home) => home.spec);
    const targets = homes.slice(0, 3).map((spec) => spec.preferences.evTargetSocPct);
    expect(new Set(targets)).toEqual(new Set([70, 90]));
    expect(homes.slice(0, 3).map((spec) => spec.ev?.initialSocPct)).toEqual(targets);
    expect(homes[3]?.ev?.initialSocPct).toBe(35);
  });

  it('a different seed draws different adopters', () => {
    const text = `${MINIMAL}adoption: { evPct: 50 }\n`;
    const evHomes = (seed: number) =>
      parse(text.replace('seed: 1', `seed: ${seed}`))
        .scenario.homes.filter((home) => home.spec.ev)
        .map((home) => home.spec.id);
    expect(evHomes(1)).toHaveLength(4);
    expect(evHomes(1)).toEqual(evHomes(1));
    expect([2, 3, 4, 5].map(evHomes).some((homes) => homes.join() !== evHomes(1).join())).toBe(true);
  });
});

describe('bad scenario files', () => {
  const file = join(REPO_ROOT, 'scenarios', 'bad.yaml');
  it('name the file, the path, what was expected and what was found', () => {
    expect(problem(MINIMAL.replace('seed: 1', 'seed: "one"'))).toBe(
      `${file}: seed: expected number, found "one"`,
    );
    expect(problem(`${MINIMAL}adoption: { evPct: 150 }\n`)).toMatch(
      /bad\.yaml: adoption\.evPct: expected number to be <=100, found 150/,
    );
    expect(problem(`${MINIMAL}homes:\n  - { load: LOAD1, ev: { capacityKwh: -5 } }\n`)).toMatch(
      /bad\.yaml: homes\.0\.ev\.capacityKwh: expected number to be >0, found -5/,
    );
    expect(problem(`${MINIMAL}defaults: { pv: { cutOutPct: -1 } }\n`)).toMatch(
      /bad\.yaml: defaults\.pv\.cutOutPct: expected number to be >=0, found -1/,
    );
    expect(problem(`${MINIMAL}homes:\n  - { load: LOAD1, phase: D }\n`)).toMatch(
      /bad\.yaml: homes\.0\.phase: expected one of "A"\|"B"\|"C", found "D"/,
    );
    expect(problem(`${MINIMAL}colour: red\n`)).toMatch(
      /bad\.yaml: \(top level\): expected only known keys, found unknown key "colour"/,
    );
    expect(problem(MINIMAL.replace('name: test street\n', ''))).toMatch(
      /bad\.yaml: name: expected string, found nothing/,
    );
  });

  it('check references against the feeder and the market', () => {
    expect(problem(`${MINIMAL}homes:\n  - { load: LOAD99 }\n`)).toMatch(
      /bad\.yaml: homes\.0\.load: expected a load of feeder table-street \(LOAD1, .*\), found "LOAD99"/,
    );
    expect(problem(`${MINIMAL}homes:\n  - { bus: '999', phase: A }\n`)).toMatch(
      /homes\.0\.bus: expected a bus of feeder table-street, found "999"/,
    );
    expect(problem(`${MINIMAL}homes:\n  - { load: LOAD1, tariff: free-power }\n`)).toMatch(
      /homes\.0\.tariff: expected one of the tariffs on offer \(flat-cap, .*\), found "free-power"/,
    );
    expect(problem(MINIMAL.replace('feeders/table-street', 'feeders/nowhere'))).toMatch(
      /bad\.yaml: feeder: expected a path that exists .*, found "feeders\/nowhere"/,
    );
    expect(problem(`${MINIMAL}homes:\n  - { load: LOAD1 }\n  - { load: LOAD1 }\n`)).toMatch(
      /homes\.1\.id: expected a home id not used before, found "LOAD1"/,
    );
    expect(problem(`${MINIMAL}defaults: { preferences: { comfortMinC: 22, comfortMaxC: 20 } }\n`)).toMatch(
      /preferences\.comfortMinC: expected below comfortMaxC \(20\), found 22/,
    );
  });

  it('refuse a span past the end of the year', () => {
    expect(problem(`${MINIMAL}time: { startDay: 360, days: 10 }\n`)).toMatch(
      /bad\.yaml: time\.days: expected at most 5 days from start day 360, found 10/,
    );
  });

  it('report YAML syntax errors with the line', () => {
    expect(problem(`${MINIMAL}homes: [ { load: LOAD1 \n`)).toMatch(
      /bad\.yaml:\d+: not valid YAML: .+ at line \d+, column \d+$/,
    );
  });
});
