import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CentralPolicy } from '../../../hub/agents/central-policy.js';
import { CooperativePolicy } from '../../../hub/agents/cooperative-policy.js';
import {
  createPolicy,
  definePolicy,
  PassivePolicy,
  POLICIES,
  POLICY_NAMES,
  type PolicyStreet,
  SelfishPolicy,
} from '../../../hub/agents/index.js';
import { NashPolicy } from '../../../hub/agents/nash-policy.js';
import { loadBaseLoadLibrary } from '../../../hub/environment/load-base-load.js';
import { loadYearCsv } from '../../../hub/environment/load-year.js';
import { InputError } from '../../../hub/errors.js';
import { parseScenario, REPO_ROOT } from '../../../hub/scenarios/load.js';
import { streetPolicyContext } from '../../../hub/study/street-context.js';
import { loadSweepGrid } from '../../../hub/study/sweep.js';

const ALL = 'passive, selfish, nash, cooperative, central, external';
const TABLE = readFileSync(join(REPO_ROOT, 'scenarios', 'table.yaml'), 'utf8');

/** The recipe of docs/architecture.md, "How to add a policy": a file with definePolicy, one list entry. */
const holdStill = definePolicy({
  name: 'hold-still',
  description: 'passive under another name (the recipe, followed in a test)',
  needsStreet: false,
  schedule: () => ({ horizonSteps: 1, replanEverySteps: 1, tariffChoice: 'none', fleet: false }),
  create: () => {
    const policy = new PassivePolicy();
    return Object.assign(policy, { name: 'hold-still' });
  },
});

describe('policy registry', () => {
  it('lists every policy once, and names follow the list', () => {
    expect(POLICY_NAMES.join(', ')).toBe(ALL);
    expect(POLICIES.filter((policy) => policy.needsStreet).map((policy) => policy.name)).toEqual([
      'nash',
      'cooperative',
      'central',
    ]);
    for (const policy of POLICIES) expect(policy.description.length).toBeGreaterThan(10);
  });

  it('a policy defined by definePolicy runs through createPolicy once it is in the list', async () => {
    const policy = await createPolicy('hold-still', {}, [...POLICIES, holdStill]);
    expect(policy.name).toBe('hold-still');
    await expect(createPolicy('hold-still')).rejects.toThrow(
      `unknown policy "hold-still"; expected one of ${ALL}`,
    );
  });

  it('makes the same classes as before, and builds the street only when a street policy asks', async () => {
    const inputs = {
      ...parseScenario(TABLE, join(REPO_ROOT, 'scenarios', 'table.yaml')),
      year: loadYearCsv(),
      baseLoadLibrary: loadBaseLoadLibrary(),
    };
    const { context } = await streetPolicyContext(inputs, {
      reinforcementGbpPerKw: 150,
      carbonPriceGbpPerKg: 0,
      loadPriceSlopeGbpPerKwhPerKw: 0,
    });
    let builds = 0;
    const counted = {
      street: (): PolicyStreet => {
        builds++;
        return (context.street as () => PolicyStreet)();
      },
    };
    expect(await createPolicy('passive', counted)).toBeInstanceOf(PassivePolicy);
    expect(await createPolicy('selfish', counted)).toBeInstanceOf(SelfishPolicy);
    expect(builds).toBe(0);
    expect(await createPolicy('nash', counted)).toBeInstanceOf(NashPolicy);
    expect(await createPolicy('cooperative', counted)).toBeInstanceOf(CooperativePolicy);
    expect(await createPolicy('central', counted)).toBeInstanceOf(CentralPolicy);
    expect(builds).toBe(3);
  });

  it('refuses a street policy without a street, and an unknown name with every choice', async () => {
    await expect(createPolicy('central')).rejects.toThrow(InputError);
    await expect(createPolicy('central')).rejects.toThrow(/policy "central" plans against the street/);
    await expect(createPolicy('greedy')).rejects.toThrow(
      `policy: unknown policy "greedy"; expected one of ${ALL}`,
    );
  });
});

describe('policy choices come from the registry', () => {
  it('scenario files: policy and defaults.policy take every registry name and refuse others with the list', () => {
    const file = join(REPO_ROOT, 'scenarios', 'bad.yaml');
    for (const name of POLICY_NAMES) {
      const text = TABLE.replace(/^ {2}policy: selfish$/m, `  policy: ${name}`);
      expect(parseScenario(text, file).scenario.homes[0]?.policy).toBe(name);
    }
    expect(() => parseScenario(TABLE.replace(/^ {2}policy: selfish$/m, '  policy: greedy'), file)).toThrow(
      `defaults.policy: expected one of ${ALL}, found "greedy"`,
    );
  });

  it('sweep grids take every registry name and refuse others with the list', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gridflex-registry-'));
    const grid = join(dir, 'grid.yaml');
    writeFileSync(grid, `vary:\n  seed: [7]\npolicies: [${POLICY_NAMES.join(', ')}]\n`);
    expect(loadSweepGrid(grid).policies).toEqual([...POLICY_NAMES]);
    writeFileSync(grid, 'vary:\n  seed: [7]\npolicies: [selfsh]\n');
    expect(() => loadSweepGrid(grid)).toThrow(`policies.0: unknown policy "selfsh"; expected one of ${ALL}`);
  });

  it('`gridflex run --help` lists every policy and --policy refuses others with the list', () => {
    const help = spawnSync('node', ['dist/hub/cli.js', 'run', '--help'], { encoding: 'utf8' });
    expect(help.stdout.replace(/\s+/g, ' ')).toContain(`policy for every home (${ALL})`);
    const out = mkdtempSync(join(tmpdir(), 'gridflex-registry-'));
    const run = spawnSync(
      'node',
      ['dist/hub/cli.js', 'run', '--scenario', 'scenarios/table.yaml', '--out', out, '--policy', 'greedy'],
      { encoding: 'utf8' },
    );
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(`--policy: unknown policy "greedy"; expected one of ${ALL}`);
  });
});
