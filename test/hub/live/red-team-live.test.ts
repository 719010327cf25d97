import { describe, expect, it } from 'vitest';
import { type LiveRedTeam, type MarketTariffs, MarketTariffsSchema } from '../../../protocol/gridflex.js';
import { closed, nextMessage } from '../mqtt-helpers.js';
import { NIGHT_ONLY_TARIFF } from '../night-only-tariff.js';
import { RED_TEAM, redTeamHub } from './red-team-table.js';

const json = <T>(payload: Buffer) => JSON.parse(payload.toString()) as T;
const { table, login, publishAs, audit, redTeamAt, operatorSends, jumpTo, tomorrowAt } = redTeamHub({
  name: 'red-team-live',
  users: [
    ['table-op', 'operator'],
    ['home-1', 'resident:home-1'],
    ['home-3', 'resident:home-3'],
    ['home-7', 'resident:home-7'],
    ['octo', 'supplier:octo'],
  ],
  hubArgs: ['--step-ms', '60'],
});

describe('the red team, switched live by the operator', () => {
  it('refuses a resident, and bad payloads with the field at fault', async () => {
    const resident = await login('home-1');
    const denied = audit((entry) => entry.topic === RED_TEAM && entry.role === 'resident:home-1');
    resident.publish(RED_TEAM, JSON.stringify({ attacks: [{ kind: 'sync-charge' }], defences: [] }));
    expect(await denied).toMatchObject({ accepted: false, reason: 'resident:home-1 may not publish here' });
    // The broker drops a client that publishes where it may not.
    await closed(resident);

    const refusals = [
      [{ attacks: [{ kind: 'sync-charge', at: '25:00' }], defences: [] }, /^attacks\.0\.at: /],
      [
        { attacks: [{ kind: 'sync-charg' }], defences: [] },
        /^attacks\.0\.kind: an attack kind: sync-charge, /,
      ],
      [
        { attacks: [{ kind: 'sync-charge', homes: ['home-9'] }], defences: [] },
        /^attacks\.0\.homes\.0: expected a home of the scenario \(home-1, .*\), found "home-9"$/,
      ],
      [
        { attacks: [{ kind: 'mass-switch', tariff: 'flat' }], defences: [] },
        /^attacks\.0\.tariff: expected a tariff on offer \(price-cap\), found "flat"$/,
      ],
    ] as const;
    for (const [index, [body, reason]] of refusals.entries()) {
      const answer = await operatorSends(body, `bad-${index}`);
      expect(answer.accepted).toBe(false);
      expect(answer.reason).toMatch(reason);
    }
    // A payload off the topic's schema is refused at the broker, which drops the client.
    const operator = await login('table-op');
    const malformed = audit(
      (entry) => entry.action === 'table-red-team' && entry.reason.startsWith('control'),
    );
    operator.publish(RED_TEAM, JSON.stringify({ attacks: [{ kind: 'sync-charge' }] }));
    expect(await malformed).toMatchObject({ username: 'table-op', role: 'operator', accepted: false });
    expect((await malformed).reason).toBe(
      'control defences: Invalid input: expected array, received undefined',
    );
    await closed(operator);
    const status = await redTeamAt('2026-01-15T00:00:00.000Z');
    expect(status.attacks).toEqual([]);
    // Every kind of the registry is offered live.
    expect(status.kinds.map((kind) => kind.kind)).toEqual([
      'sync-charge',
      'oscillating-load',
      'false-telemetry',
      'mass-switch',
      'lying-agent',
      'flooding-client',
      'rogue-device',
      'start-delay',
      'telemetry-check',
      'plan-check',
      'switching-cap',
      'rate-limit',
      'identity-check',
    ]);
  }, 30_000);

  it('raises the peak with synchronised charging beside the baseline; randomised start delays bring it down', async () => {
    const night = await tomorrowAt();
    const attack = { kind: 'sync-charge', at: '02:00', durationMinutes: 30 };
    // The EVs' owners need little charge: on the flat tariff no honest plan charges at night.
    for (const home of ['home-3', 'home-7']) {
      const answered = audit((entry) => entry.action === 'resident-preferences' && entry.username === home);
      await publishAs(home, `gridflex/control/v1/resident/${home}/preferences`, { evTargetSocPct: 20 });
      expect((await answered).accepted).toBe(true);
    }

    await jumpTo(night('01:00'));
    const started = await operatorSends({ attacks: [attack], defences: [] }, 'attack');
    expect(started).toMatchObject({
      username: 'table-op',
      accepted: true,
      reason: 'from the next step the table runs attacks: sync-charge; defences: none',
    });
    const attacked = await redTeamAt(night('03:00'));
    expect(attacked.attacks).toEqual([expect.objectContaining(attack)]);
    expect(attacked.attackers).toEqual(['home-3', 'home-5', 'home-7']);
    expect(attacked.policy).toBe('selfish');
    const withAttack = attacked.attacked as NonNullable<LiveRedTeam['attacked']>;
    const baseline = attacked.baseline as NonNullable<LiveRedTeam['baseline']>;
    // Every 6-minute step from the one the red team started in (a step or two after 01:00 on a busy machine) to 03:00.
    const stepsSince = (Date.parse(night('03:00')) - Date.parse(attacked.since as string)) / (6 * 60_000);
    expect(withAttack.steps).toBeGreaterThanOrEqual(Math.max(stepsSince, 15));
    expect(withAttack.peakKw).toBeGreaterThan(baseline.peakKw);

    await jumpTo(night('01:00'));
    // Each charging block starts up to 12 hours late: the three blocks of 30 minutes rarely meet.
    const defence = { kind: 'start-delay', maxDelayMinutes: 720 };
    await operatorSends({ attacks: [attack], defences: [defence] }, 'defend');
    const defended = await redTeamAt(night('14:30'));
    expect(defended.defences).toEqual([defence]);
    const withDefence = defended.attacked as NonNullable<LiveRedTeam['attacked']>;
    const defendedBaseline = defended.baseline as NonNullable<LiveRedTeam['baseline']>;
    expect(withDefence.peakKw - defendedBaseline.peakKw).toBeLessThan(withAttack.peakKw - baseline.peakKw);

    const stopped = await operatorSends({ attacks: [], defences: [] }, 'stop');
    expect(stopped.reason).toBe('from the next step the table runs attacks: none; defences: none');
    const off = await redTeamAt(night('15:00'));
    expect(off).toMatchObject({ attacks: [], defences: [], attacked: null, baseline: null, attackers: [] });
  }, 120_000);

  it('switches homes to one tariff through the market; the switching cap holds them to one a day', async () => {
    const offered = audit((entry) => entry.action === 'supplier-tariff' && entry.accepted);
    await publishAs('octo', 'gridflex/control/v1/supplier/octo/tariff', NIGHT_ONLY_TARIFF);
    await offered;
    const tariffsWhere = (test: (tariffs: MarketTariffs) => boolean) =>
      nextMessage(
        table.viewer,
        (topic) => topic === 'gridflex/v1/market/tariffs',
        (payload) => test(MarketTariffsSchema.parse(json(payload))),
      ).then(({ payload }) => MarketTariffsSchema.parse(json(payload)));
    const tariffOf = (tariffs: MarketTariffs, home: string) => tariffs.homes?.[home]?.tariff;
    const attack = { kind: 'mass-switch', tariff: 'octo/night-only', homes: ['home-3', 'home-7'] };

    const firstSwitched = tariffsWhere((tariffs) => tariffOf(tariffs, 'home-3') === 'octo/night-only');
    const capped = await operatorSends(
      { attacks: [attack], defences: [{ kind: 'switching-cap', perWorkingDay: 1 }] },
      'mass-switch-capped',
    );
    expect(capped.accepted).toBe(true);
    const one = await firstSwitched;
    // Over the day's cap: home-7 waits for the next day's processing, then the lag.
    expect(tariffOf(one, 'home-7')).toBe('price-cap');
    expect(one.homes?.['home-7']?.pending?.tariff).toBe('octo/night-only');
    expect(one.homes?.['home-7']?.pending?.effectiveAt.slice(11)).toBe('01:00:00.000Z');
    expect(one.inForce).toBe('price-cap');

    const bothSwitched = tariffsWhere((tariffs) => tariffOf(tariffs, 'home-7') === 'octo/night-only');
    await operatorSends({ attacks: [attack], defences: [] }, 'mass-switch-uncapped');
    expect(tariffOf(await bothSwitched, 'home-3')).toBe('octo/night-only');
    const status = await redTeamAt('2026-01-15T00:00:00.000Z');
    expect(status.attackers).toEqual(['home-3', 'home-7']);
    await operatorSends({ attacks: [], defences: [] }, 'mass-switch-stop');
  }, 60_000);

  it('checks EV telemetry live, allowing for the trip an EV takes as it leaves; refuses a false reading', async () => {
    const at = await tomorrowAt();
    const answered = audit((entry) => entry.action === 'resident-preferences' && entry.username === 'home-3');
    await publishAs('home-3', 'gridflex/control/v1/resident/home-3/preferences', { evReadyByMinute: 8 * 60 });
    expect((await answered).accepted).toBe(true);
    await jumpTo(at('07:00'));
    const check = { kind: 'telemetry-check', toleranceKwh: 0.25 };
    await operatorSends({ attacks: [], defences: [check] }, 'telemetry-check');
    // home-3's EV leaves at 08:00 with 12 kWh less: the check's model takes the trip too.
    const afterTrip = await redTeamAt(at('09:00'));
    expect(afterTrip.defences).toEqual([check]);
    expect(afterTrip.notes).toEqual([]);

    const lie = { kind: 'false-telemetry', home: 'home-7', device: 'ev', mode: 'offset', offsetPct: 50 };
    await operatorSends({ attacks: [lie], defences: [check] }, 'false-telemetry');
    const lied = await redTeamAt(at('10:00'));
    expect(lied.notes).toEqual([
      expect.stringMatching(/^home-7 ev: readings refused from .*kWh from the model's/),
    ]);
    await operatorSends({ attacks: [], defences: [] }, 'telemetry-stop');
  }, 60_000);

  it("adds an oscillating load to the table's power flow, beside the baseline", async () => {
    const at = await tomorrowAt();
    await jumpTo(at('02:00'));
    const attack = {
      kind: 'oscillating-load',
      periodMinutes: 60,
      amplitudeKw: 10,
      homes: ['home-1', 'home-2', 'home-4'],
    };
    await operatorSends({ attacks: [attack], defences: [] }, 'oscillating');
    const status = await redTeamAt(at('03:00'));
    const attacked = status.attacked as NonNullable<LiveRedTeam['attacked']>;
    const baseline = status.baseline as NonNullable<LiveRedTeam['baseline']>;
    // Three homes' 10 kW on together for half of each hour: the peak rises by about 30 kW.
    expect(attacked.peakKw - baseline.peakKw).toBeGreaterThan(25);
    await operatorSends({ attacks: [], defences: [] }, 'oscillating-stop');
  }, 60_000);
});
