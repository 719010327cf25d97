import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createPolicy } from '../../../hub/agents/registry.js';
import { Link, type LinkConstraint, type LinkTally } from '../../../hub/engine/links.js';
import type { YearResult } from '../../../hub/engine/outcomes.js';
import { buildYearStreet } from '../../../hub/engine/year-street.js';
import { createRng } from '../../../hub/random.js';
import { parseScenario } from '../../../hub/scenarios/load.js';
import { loadRunInputs } from '../../../hub/sim/inputs.js';
import { streetPolicyContext } from '../../../hub/study/street-context.js';
import { tempDir } from '../mqtt-helpers.js';

const TABLE = readFileSync('scenarios/table.yaml', 'utf8');
const scratch = tempDir('gridflex-links-');
afterAll(() => scratch.remove());

const tally = (): LinkTally => ({ sent: 0, lost: 0, overBandwidth: 0, delayed: 0 });
const constraint = (changes: Partial<LinkConstraint>): LinkConstraint => ({
  latencyTicks: 0,
  jitterTicks: 0,
  loss: 0,
  messagesPerTick: undefined,
  ...changes,
});

/** Sends tick t's number at every tick; returns what the receiver has as newest at each tick (-1: nothing). */
function newestSeen(link: Link<number>, ticks: number): number[] {
  return Array.from({ length: ticks }, (_, tick) => {
    link.send(tick, tick);
    return link.newestBy(tick)?.payload ?? -1;
  });
}

describe('a link', () => {
  it('latency delays every message by that many ticks', () => {
    const link = new Link<number>(constraint({ latencyTicks: 2 }), createRng(1), tally());
    expect(newestSeen(link, 6)).toEqual([-1, -1, 0, 1, 2, 3]);
  });

  it('jitter delays by latency plus 0..jitter ticks, the same draws for the same seed; reordered old news is ignored', () => {
    const run = () => newestSeen(new Link<number>(constraint({ jitterTicks: 3 }), createRng(5), tally()), 40);
    const seen = run();
    expect(run()).toEqual(seen);
    seen.forEach((newest, tick) => {
      expect(newest).toBeGreaterThanOrEqual(tick - 3);
      expect(newest).toBeLessThanOrEqual(tick);
    });
    // The receiver's newest never goes back in time.
    for (let tick = 1; tick < seen.length; tick++)
      expect(seen[tick] as number).toBeGreaterThanOrEqual(seen[tick - 1] as number);
    expect(seen.some((newest, tick) => newest < tick)).toBe(true);
  });

  it('loss drops messages with its probability, drawn from the seed', () => {
    const counts = tally();
    const link = new Link<number>(constraint({ loss: 0.3 }), createRng(9), counts);
    const seen = newestSeen(link, 1000);
    expect(counts.lost).toBeGreaterThan(250);
    expect(counts.lost).toBeLessThan(350);
    expect(seen.filter((newest, tick) => newest < tick).length).toBe(counts.lost);
    const again = tally();
    newestSeen(new Link<number>(constraint({ loss: 0.3 }), createRng(9), again), 1000);
    expect(again).toEqual(counts);
  });

  it('bandwidth lets through messagesPerTick (0.5: every other tick) and drops the rest at the sender', () => {
    const counts = tally();
    const link = new Link<number>(constraint({ messagesPerTick: 0.5 }), createRng(1), counts);
    expect(newestSeen(link, 6)).toEqual([0, 0, 2, 2, 4, 4]);
    expect(counts).toEqual({ sent: 6, lost: 0, overBandwidth: 3, delayed: 0 });
  });
});

let runs = 0;

/** A 2-day cooperative run of the table street, against a binding 15 kW limit, with a links section. */
async function cooperativeRun(links: string | undefined): Promise<YearResult> {
  const file = join(scratch.dir, `links-${++runs}.yaml`);
  writeFileSync(file, links === undefined ? TABLE : `${TABLE}\nlinks:\n${links}\n`);
  const inputs = loadRunInputs(file);
  const { context } = await streetPolicyContext(inputs, {
    transformerLimitKw: 15,
    reinforcementGbpPerKw: 150,
    carbonPriceGbpPerKg: 0,
    loadPriceSlopeGbpPerKwhPerKw: 0,
  });
  const { street, stepCount, finish } = await buildYearStreet(inputs, 'cooperative', {
    days: 2,
    recordSeries: true,
    createPolicy: (name) => createPolicy(name, context),
  });
  for (let k = 0; k < stepCount; k++) street.step(k);
  return finish(0);
}

/** What the street did: every home's outcome and the network's, without timings. */
function outcome(result: YearResult) {
  return { homes: result.homes, network: result.network, series: result.series?.substationKw };
}

describe('links in a cooperative run', () => {
  let plain: YearResult;
  it('zero constraints change nothing but the tally', async () => {
    plain = await cooperativeRun(undefined);
    const zero = await cooperativeRun(
      '  deviceHub: { latencySteps: 0, jitterSteps: 0, loss: 0 }\n  agentCoordinator: { latencyRounds: 0, loss: 0 }',
    );
    expect(outcome(zero)).toEqual(outcome(plain));
    expect(plain.links).toBeUndefined();
    expect(zero.links?.agentCoordinator).toMatchObject({ lost: 0, delayed: 0, missingProposals: 0 });
    expect(zero.links?.agentCoordinator.sent).toBeGreaterThan(0);
    expect(zero.links?.deviceHub).toMatchObject({ sent: 8 * 96, lost: 0, delayed: 0, staleReadings: 0 });
  }, 120_000);

  // name, section, what the tally must show, whether the plans must change (a slower exchange may reach
  // the same mix of proposals; a per-home override touches only that home's link).
  const cases: [string, string, (result: YearResult) => void, boolean][] = [
    [
      'coordinator latency',
      '  agentCoordinator: { latencyRounds: 2 }',
      (result) => expect(result.links?.agentCoordinator.delayed).toBe(result.links?.agentCoordinator.sent),
      true,
    ],
    [
      'coordinator jitter',
      '  agentCoordinator: { jitterRounds: 3 }',
      (result) => expect(result.links?.agentCoordinator.delayed).toBeGreaterThan(0),
      true,
    ],
    [
      'coordinator loss',
      '  agentCoordinator: { loss: 0.3 }',
      (result) => expect(result.links?.agentCoordinator.lost).toBeGreaterThan(0),
      true,
    ],
    [
      'coordinator bandwidth',
      '  agentCoordinator: { messagesPerRound: 0.5 }',
      (result) => {
        expect(result.links?.agentCoordinator.overBandwidth).toBeGreaterThan(0);
        expect(result.links?.agentCoordinator.missingProposals).toBeGreaterThan(0);
      },
      false,
    ],
    [
      'device readings late',
      '  deviceHub: { latencySteps: 4 }',
      (result) => expect(result.links?.deviceHub.staleReadings).toBeGreaterThan(0),
      true,
    ],
    [
      'device readings over bandwidth',
      '  deviceHub: { messagesPerStep: 0.25 }',
      // One reading in four gets through; the plans (steps 0 and 48) fall on readings that did.
      (result) => expect(result.links?.deviceHub.overBandwidth).toBe((8 * 96 * 3) / 4),
      false,
    ],
    [
      'one home’s readings late',
      '  homes: { home-5: { deviceHub: { latencySteps: 3 } } }',
      (result) => expect(result.links?.deviceHub.delayed).toBe(96),
      false,
    ],
  ];
  for (const [name, links, check, changesPlans] of cases) {
    it(`${name}: what the coordinator sees changes, the same run after run`, async () => {
      const first = await cooperativeRun(links);
      const second = await cooperativeRun(links);
      check(first);
      if (links.includes('agentCoordinator'))
        expect(first.links?.agentCoordinator.missingProposals).toBeGreaterThan(0);
      if (changesPlans) expect(outcome(first)).not.toEqual(outcome(plain));
      expect(outcome(second)).toEqual(outcome(first));
      expect(second.links).toEqual(first.links);
    }, 120_000);
  }
});

describe('the links section', () => {
  const refused = (links: string) => {
    try {
      parseScenario(`${TABLE}\nlinks:\n${links}\n`, join(process.cwd(), 'scenarios/table.yaml'));
    } catch (error) {
      return (error as Error).message;
    }
    return 'accepted';
  };
  it('is refused naming the field', () => {
    expect(refused('  deviceHub: { loss: 1.5 }')).toMatch(/links\.deviceHub\.loss: .*<=1.*1\.5/);
    expect(refused('  agentCoordinator: { latencyRounds: -1 }')).toMatch(
      /links\.agentCoordinator\.latencyRounds/,
    );
    expect(refused('  deviceHub: { latencySteps: 0.5 }')).toMatch(
      /links\.deviceHub\.latencySteps: expected int, found 0\.5/,
    );
    expect(refused('  agentCoordinator: { messagesPerRound: 0 }')).toMatch(
      /links\.agentCoordinator\.messagesPerRound/,
    );
    expect(refused('  deviceHub: { latencyRounds: 1 }')).toMatch(/links\.deviceHub: .*latencyRounds/);
    // The hub–dashboard class is the live table's: a batch run has no dashboard.
    expect(refused('  hubDashboard: { loss: 0.1 }')).toMatch(
      /links\.hubDashboard: expected no hub–dashboard link in a batch run \(it has no dashboard\): set it in a table map's links: section/,
    );
    expect(refused('  homes: { home-9: { deviceHub: { loss: 0.1 } } }')).toMatch(
      /links\.homes\.home-9: expected a home of the scenario/,
    );
    expect(refused('  homes: { home-3: { deviceHub: { loss: 0.1 } } }')).toBe('accepted');
  });
});
