import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createPolicy } from '../../../hub/agents/registry.js';
import type { InfluenceOutcome, SocialInfluence } from '../../../hub/engine/participants/influence.js';
import type { StepFrame } from '../../../hub/engine/street.js';
import { buildYearStreet, type YearStreet } from '../../../hub/engine/year-street.js';
import { STEPS_PER_DAY } from '../../../hub/environment/calendar.js';
import { parseScenario } from '../../../hub/scenarios/load.js';
import { loadRunInputs } from '../../../hub/sim/inputs.js';
import { streetPolicyContext } from '../../../hub/study/street-context.js';
import { tempDir } from '../mqtt-helpers.js';

const TABLE = readFileSync('scenarios/table.yaml', 'utf8');
// Every home selfish (the table's home-8 is passive), so nothing but the graph stops a spread.
const ALL_SELFISH = TABLE.replace('policy: passive', 'policy: selfish');
const scratch = tempDir('gridflex-social-');
afterAll(() => scratch.remove());

/** The table street with a socialGraph section, written to the scratch folder. */
function tableWith(name: string, socialGraph: string, base = ALL_SELFISH): string {
  const file = join(scratch.dir, `${name}.yaml`);
  writeFileSync(file, `${base}\nsocialGraph:\n${socialGraph}\n`);
  return file;
}

/** The street as gridflex run builds it (cooperative plans against the street's limit). */
async function yearStreet(file: string, days: number): Promise<YearStreet> {
  const inputs = loadRunInputs(file);
  const { context } = await streetPolicyContext(inputs, {
    reinforcementGbpPerKw: 150,
    carbonPriceGbpPerKg: 0,
    loadPriceSlopeGbpPerKwhPerKw: 0,
  });
  return buildYearStreet(inputs, undefined, {
    days,
    recordSeries: false,
    createPolicy: (name) => createPolicy(name, context),
  });
}

/** Steps only the influence participant at the start of days 0..days-1 (no planning needed to spread). */
function stepInfluence(street: YearStreet, days: number): InfluenceOutcome {
  const influence = street.street.participant<SocialInfluence>('influence') as SocialInfluence;
  for (let day = 0; day < days; day++) {
    const step = day * STEPS_PER_DAY;
    influence.step({ step, minuteOfYear: street.world.minuteOfYear(step) } as StepFrame);
  }
  return influence.outcome;
}

describe('influence along the social graph', () => {
  it('one cooperative home spreads along a ring, one home further each way each day', async () => {
    const file = tableWith(
      'ring',
      '  kind: ring\n  k: 1\n  adoption: { threshold: 0.5, seedHomes: [home-1] }',
    );
    const outcome = stepInfluence(await yearStreet(file, 6), 6);
    expect(outcome.adoptersPerDay).toEqual([1, 3, 5, 7, 8, 8]);
    expect(outcome.adoptions.slice(0, 3)).toEqual([
      { home: 'home-1', day: 0 },
      { home: 'home-2', day: 1 },
      { home: 'home-8', day: 1 },
    ]);
  });

  it('cut clusters stop it at the seed home’s cluster; a few ties between them let it through', async () => {
    const adoption = 'adoption: { threshold: 0.25, seedHomes: [home-1] }';
    const cut = tableWith('cut', `  kind: clustered\n  clusters: 2\n  intraP: 1\n  interP: 0\n  ${adoption}`);
    expect(stepInfluence(await yearStreet(cut, 5), 5).adoptersPerDay).toEqual([1, 4, 4, 4, 4]);
    const tied = tableWith(
      'tied',
      `  kind: clustered\n  clusters: 2\n  intraP: 1\n  interP: 0.3\n  ${adoption}`,
    );
    expect(stepInfluence(await yearStreet(tied, 5), 5).adoptersPerDay.at(-1)).toBe(8);
  });

  it('preference weights move a share of the way to the neighbours’ mean each day', async () => {
    const file = tableWith('drift', '  kind: ring\n  k: 1\n  drift: { ratePerDay: 0.5 }');
    const street = await yearStreet(file, 2);
    stepInfluence(street, 2);
    const carbon = (id: string) =>
      street.street.homes.find((home) => home.spec.id === id)?.spec.preferences.weights.carbon;
    // home-6 weighs carbon 1, its ring neighbours 0.2.
    expect(carbon('home-6')).toBeCloseTo(0.6, 10);
    expect(carbon('home-5')).toBeCloseTo(0.4, 10);
    expect(carbon('home-1')).toBeCloseTo(0.2, 10);
  });

  it('on a review day a home asks for the tariff its neighbours are on', async () => {
    const file = tableWith(
      'tariffs',
      '  kind: edges\n  edges: [[home-4, home-3], [home-4, home-7]]\n  tariffs: { threshold: 0.5 }',
      ALL_SELFISH.replace('reviewEveryDays: 30', 'reviewEveryDays: 1'),
    );
    const street = await yearStreet(file, 2);
    const outcome = stepInfluence(street, 2);
    const copies = street
      .finish(0)
      .decisions.filter((entry) => entry.text.startsWith('Most of its neighbours'));
    // home-3 is on ev-tou, home-7 on flat-cap: half of home-4's neighbours; home-3 and home-7 hear only home-4.
    expect(copies.map((entry) => `${entry.home}→${entry.text}`)).toEqual([
      'home-3→Most of its neighbours are on flat-cap: asks for it too.',
      'home-4→Most of its neighbours are on ev-tou: asks for it too.',
    ]);
    expect(outcome.tariffCopies).toBe(2);
  });

  it.each([
    ['  kind: star', 'socialGraph.kind'],
    ['  kind: ring\n  k: 0', 'socialGraph.k'],
    ['  kind: ring\n  k: 4', 'socialGraph.k: expected k at most 3'],
    ['  kind: ring\n  adoption: { threshold: 2 }', 'socialGraph.adoption.threshold'],
    ['  kind: ring\n  adoption: { to: kindness }', 'socialGraph.adoption.to'],
    ['  kind: clustered\n  m: 2', 'socialGraph'],
  ])('refuses a bad section naming the field (%s)', (section, field) => {
    const text = `${ALL_SELFISH}\nsocialGraph:\n${section}\n`;
    expect(() => parseScenario(text, join(scratch.dir, 'bad.yaml'))).toThrow(field);
  });

  it('gridflex run spreads cooperation on the table street and writes the adoption curve to metrics.json', () => {
    const file = tableWith(
      'run',
      '  kind: ring\n  k: 1\n  adoption: { seedHomes: [home-1] }',
      TABLE.replace('days: 365', 'days: 4'),
    );
    const out = join(scratch.dir, 'out');
    const result = spawnSync(
      'node',
      ['dist/hub/cli.js', 'run', '--scenario', file, '--out', out, '--data-dir', join(scratch.dir, 'data')],
      { encoding: 'utf8' },
    );
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const metrics = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8'));
    // home-8 is passive on the table: the spread goes one way round the ring only.
    expect(metrics.influence.adoptersPerDay).toEqual([1, 2, 3, 4]);
    expect(metrics.influence).toMatchObject({
      kind: 'ring',
      edges: 8,
      maxDegree: 2,
      adoptedPolicy: 'cooperative',
    });
    // Each day's peak; the largest is the run's.
    expect(metrics.influence.peakKwPerDay).toHaveLength(4);
    expect(Math.max(...metrics.influence.peakKwPerDay)).toBe(metrics.network.transformerPeakKw);
  });

  it('gridflex study sweep varies the topology through the section’s dot paths', () => {
    const grid = join(scratch.dir, 'grid.yaml');
    writeFileSync(
      grid,
      'vary:\n  socialGraph.kind: [ring, clustered]\n  socialGraph.adoption.seedHomes: [[home-1]]\ndays: 2\n',
    );
    const out = join(scratch.dir, 'sweep');
    const result = spawnSync(
      'node',
      [
        'dist/hub/cli.js',
        'study',
        'sweep',
        '--scenario',
        'scenarios/table.yaml',
        '--grid',
        grid,
        '--out',
        out,
        '--workers',
        '1',
        '--data-dir',
        join(scratch.dir, 'data'),
      ],
      { encoding: 'utf8' },
    );
    expect(result.status, result.stderr).toBe(0);
    const rows = readFileSync(join(out, 'results.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    const byKind = new Map(rows.map((row) => [row.overrides['socialGraph.kind'], row]));
    // The ring of 8 homes has 8 ties; two clusters of four, every pair tied inside, 12.
    expect(byKind.get('ring')?.metrics).toMatchObject({ socialEdges: 8, adoptersAtEnd: 3 });
    expect(byKind.get('clustered')?.metrics).toMatchObject({ socialEdges: 12, adoptersAtEnd: 1 });
  });
});
