import { afterAll, describe, expect, it } from 'vitest';
import type { PolicyFigures } from '../../../hub/study/poa-metrics.js';
import { doneLines, studyPoa, summaryLines } from './poa-cli.js';

// A full year of the shipped table street: its own file, as it takes most of a minute on a loaded machine.
const SCENARIO = 'scenarios/table.yaml';

describe('gridflex study poa over a full year of the table street, at the default limit', () => {
  const { run, poa, removeDirs } = studyPoa(SCENARIO);
  afterAll(removeDirs);

  it("takes the feeder's hosting capacity as the limit and says what binds", () => {
    expect(run.status, run.stderr).toBe(0);
    const { network } = poa();
    expect(network.limitBasis).toMatch(
      /^the feeder's hosting capacity: \d+\.\d\d kW on each of 8 homes, bound by /,
    );
    expect(network.hostingCapacity.streetKw).toBeCloseTo(8 * network.hostingCapacity.perHomeKw, 3);
    // The transformer carries the homes' loads and the line losses at the capacity.
    expect(network.transformerLimitKw).toBeGreaterThan(network.hostingCapacity.streetKw);
    expect(run.stdout).toContain(
      `street limit ${network.transformerLimitKw.toFixed(1)} kW at the transformer`,
    );
  });

  it('central is the optimum over the year: PoA ≥ 1 and no policy costs less, within the stated tolerance', () => {
    const { policies, priceOfAnarchy, optimumCheck } = poa();
    expect(priceOfAnarchy).toBeGreaterThanOrEqual(1);
    expect(optimumCheck.holds).toBe(true);
    const central = policies.central.socialCostGbp;
    for (const name of ['passive', 'selfish', 'cooperative']) {
      expect(central, name).toBeLessThanOrEqual(
        policies[name].socialCostGbp * (1 + optimumCheck.tolerancePct / 100),
      );
    }
    expect(run.stdout).toContain(`optimum check: ${optimumCheck.statement}`);
  });

  it('splits each social cost into real resources and transfers, and names the limits broken', () => {
    const policies: Record<string, PolicyFigures> = poa().policies;
    for (const figures of Object.values(policies)) {
      expect(figures.resourceCostGbp + figures.transfersGbp).toBeCloseTo(figures.socialCostGbp, 1);
      expect(figures.resourceCostGbp).toBeGreaterThan(0);
      expect(figures.limitsBroken).toBeInstanceOf(Array);
    }
    expect(run.stdout).toMatch(/central +social £[\d.]+ \(resources £[\d.]+, transfers −?£[\d.]+\)/);
  });

  it('says in its log how far each policy has got: a line at each tenth of its steps', () => {
    for (const policy of ['passive', 'selfish', 'cooperative', 'central']) {
      const percents = [
        ...run.stderr.matchAll(new RegExp(`^${policy}: (\\d+) % of 17520 steps after \\d+ s$`, 'gm')),
      ];
      expect(
        percents.map((line) => Number(line[1])),
        policy,
      ).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
    }
    // And, as each run ends, its social cost and bills: a year's study may be stopped before the report.
    expect([...doneLines(run.stderr).keys()].sort()).toEqual([
      'central',
      'cooperative',
      'passive',
      'selfish',
    ]);
    expect(doneLines(run.stderr)).toEqual(summaryLines(run.stdout));
  });
});
