import { readFileSync, writeFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  HomeDecisionSchema,
  type LiveRedTeam,
  type MarketTariffs,
  MarketTariffsSchema,
} from '../../../protocol/gridflex.js';
import { nextMessage } from '../mqtt-helpers.js';
import { NIGHT_ONLY_TARIFF } from '../night-only-tariff.js';
import { writeLiveMap } from './hub-process.js';
import { redTeamHub } from './red-team-table.js';

/**
 * The attack on the cooperative coordinator and its defence, switched live: the table runs cooperative under
 * an import limit the two EVs cannot share at full power, so the coordinator shares it out. Both EVs want more
 * than a night at full power gives them by 03:00, but only home-7's is on the night-only tariff: the coordinator
 * gives the cheap band's headroom to home-7 and home-3 (on the price cap) only what is left. (With both EVs on one
 * tariff any split of the headroom between them costs the same, so what the liar takes beyond its share was the
 * coordinator's arbitrary choice.)
 */
const LIMIT_KW = 8;
const EV_HOMES = ['home-3', 'home-7'];
const NIGHT_HOME = 'home-7';
const { table, publishAs, audit, redTeamAt, operatorSends, jumpTo, tomorrowAt } = redTeamHub({
  name: 'red-team-coordinator',
  users: [
    ['table-op', 'operator'],
    ['home-2', 'resident:home-2'],
    ['home-3', 'resident:home-3'],
    ['home-7', 'resident:home-7'],
    ['octo', 'supplier:octo'],
    ['ofgem', 'regulator'],
  ],
  map: (dir) => {
    const map = writeLiveMap(
      dir,
      { policy: 'cooperative', limitKw: LIMIT_KW, shadows: '[cooperative]' },
      '2026-01-15T21:00:00Z',
    );
    // No shared battery: it would store what a home's battery exports at night (the coordinator plans that
    // export to cover a neighbour's import), so the street's peak would not be the coordinator's.
    writeFileSync(map, readFileSync(map, 'utf8').replace(/^sharedBattery:\n(?:[ #].*\n)+/m, ''));
    return map;
  },
  hubArgs: ['--step-ms', '60'],
});

beforeAll(async () => {
  // Both EVs want a full battery by 03:00: more than the limit lets both charge, so the coordinator shares it out.
  const rules = audit((entry) => entry.username === 'ofgem');
  await publishAs('ofgem', 'gridflex/control/v1/regulator/rules', { switchingLagMinutes: 0 });
  expect((await rules).accepted).toBe(true);
  const offered = audit((entry) => entry.action === 'supplier-tariff' && entry.accepted);
  await publishAs('octo', 'gridflex/control/v1/supplier/octo/tariff', NIGHT_ONLY_TARIFF);
  await offered;
  const switched = nextMessage(
    table.viewer,
    (topic) => topic === 'gridflex/v1/market/tariffs',
    (payload) => {
      const tariffs: MarketTariffs = MarketTariffsSchema.parse(JSON.parse(payload.toString()));
      return tariffs.homes?.[NIGHT_HOME]?.tariff === 'octo/night-only';
    },
  );
  for (const home of EV_HOMES) {
    const answered = audit((entry) => entry.action === 'resident-preferences' && entry.username === home);
    await publishAs(home, `gridflex/control/v1/resident/${home}/preferences`, {
      evTargetSocPct: 100,
      evReadyByMinute: 3 * 60,
    });
    expect((await answered).accepted).toBe(true);
  }
  await publishAs(NIGHT_HOME, `gridflex/control/v1/resident/${NIGHT_HOME}/tariff`, {
    tariff: 'octo/night-only',
  });
  await switched;
}, 180_000);

describe('the red team against the cooperative coordinator, live', () => {
  it('a lying agent charges at full power where the coordinator shared out the limit, by its own half-hour plan', async () => {
    const night = await tomorrowAt();
    await jumpTo(night('00:00'));
    const lie = { kind: 'lying-agent', homes: ['home-3'] };
    expect(await operatorSends({ attacks: [lie], defences: [] }, 'lie')).toMatchObject({ accepted: true });
    const decision = nextMessage(
      table.viewer,
      (topic) => topic === 'gridflex/v1/homes/home-3/decision',
      (payload) => HomeDecisionSchema.parse(JSON.parse(payload.toString())).simTime >= night('01:30'),
    ).then(({ payload }) => HomeDecisionSchema.parse(JSON.parse(payload.toString())));
    const status = await redTeamAt(night('01:30'));
    expect(status.attackers).toEqual(['home-3']);
    const attacked = status.attacked as NonNullable<LiveRedTeam['attacked']>;
    const baseline = status.baseline as NonNullable<LiveRedTeam['baseline']>;
    expect(baseline.peakKw).toBeLessThan(LIMIT_KW + 0.5);
    expect(attacked.peakKw - baseline.peakKw).toBeGreaterThan(3);
    // Its own plan, made at midnight, charges until 03:00: each half-hour step of it lasts five clock steps.
    expect((await decision).assets).toEqual([expect.objectContaining({ asset: 'ev-1', pKw: 7 })]);
    await operatorSends({ attacks: [], defences: [] }, 'lie-stop');
  }, 90_000);

  it('the plan check excludes the liar and gives honest homes no strike for start delays and a boost', async () => {
    const night = await tomorrowAt();
    // Each charging block starts up to 30 minutes late: the honest EV strays from its proposal for steps.
    const rules = audit((entry) => entry.username === 'ofgem' && entry.action === 'regulator-rules');
    await publishAs('ofgem', 'gridflex/control/v1/regulator/rules', { randomisedStartDelayMinutes: 30 });
    expect((await rules).accepted).toBe(true);
    await jumpTo(night('00:00'));
    const lie = { kind: 'lying-agent', homes: ['home-3'] };
    const check = { kind: 'plan-check', toleranceKw: 0.5, strikes: 1 };
    await operatorSends({ attacks: [lie], defences: [check] }, 'checked');
    await redTeamAt(night('00:36'));
    const boosted = audit((entry) => entry.action === 'resident-boost' && entry.username === 'home-2');
    await publishAs('home-2', 'gridflex/control/v1/resident/home-2/boost', {
      asset: 'heat-pump-1',
      minutes: 30,
    });
    expect((await boosted).accepted).toBe(true);
    const status = await redTeamAt(night('02:00'));
    expect(status.notes).toEqual([
      expect.stringMatching(
        /^home-3 excluded at \d{4}-\d\d-\d\d 0[01]:\d\d: ran .* kW away from its proposal \(1 strike\)$/,
      ),
    ]);
    await operatorSends({ attacks: [], defences: [] }, 'checked-stop');
  }, 90_000);
});
