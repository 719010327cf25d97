import { describe, expect, it } from 'vitest';
import {
  CommunityBattery,
  parseCommunityBatteryRules,
  shareFairly,
} from '../../../hub/market/community-battery.js';
import { loadCommunityBatteryRules } from '../../../hub/market/load-community-battery.js';
import { createRng } from '../../../hub/random.js';

const DAY = 1440;
const baseRules = {
  capacityKwh: 100,
  maxChargeKw: 10,
  maxDischargeKw: 10,
  roundTripEfficiency: 1,
  perHomeMaxKw: 6,
};

describe('community shared battery', () => {
  it('shares contended power max-min fairly or in proportion to asks', () => {
    const claims = [
      { id: 'a', wantKw: 2 },
      { id: 'b', wantKw: 5 },
      { id: 'c', wantKw: 6 },
    ];
    expect(Object.fromEntries(shareFairly(10, claims, 'equal'))).toEqual({ a: 2, b: 4, c: 4 });
    const proportional = shareFairly(10, claims, 'proportional');
    expect(proportional.get('b')).toBeCloseTo(50 / 13, 12);
    expect(Object.fromEntries(shareFairly(20, claims, 'equal'))).toEqual({ a: 2, b: 5, c: 6 });
  });

  it('serves priority groups first, caps each home, and explains cuts', () => {
    const rules = parseCommunityBatteryRules({ ...baseRules, priorityGroups: ['medical'] }, 'assembly');
    const battery = new CommunityBattery(rules, 50);
    const result = battery.step(0, 60, [
      { homeId: 'a', dischargeKw: 2 },
      { homeId: 'b', dischargeKw: 5 },
      { homeId: 'c', group: 'medical', dischargeKw: 8 },
    ]);
    const byHome = Object.fromEntries(result.grants.map((grant) => [grant.homeId, grant]));
    expect(byHome.c?.dischargeKw).toBe(6);
    expect(byHome.c?.reason).toBe('capped at 6 kW per home');
    expect(byHome.a?.dischargeKw).toBe(2);
    expect(byHome.b?.dischargeKw).toBe(2);
    expect(byHome.b?.reason).toBe('battery discharge limit shared (priority, equal): 2.000 of 5.000 kW');
    expect(result.socKwhAfter).toBe(40);
    const shared = new CommunityBattery({ ...rules, contention: 'shared' }, 50);
    const equal = shared.step(0, 60, [
      { homeId: 'a', dischargeKw: 2 },
      { homeId: 'b', dischargeKw: 5 },
      { homeId: 'c', group: 'medical', dischargeKw: 8 },
    ]);
    expect(equal.grants.map((grant) => grant.dischargeKw)).toEqual([2, 4, 4]);
  });

  it('respects the reserve and the capacity with round-trip losses (hand case)', () => {
    const rules = parseCommunityBatteryRules(
      { ...baseRules, capacityKwh: 10, reserveKwh: 2, roundTripEfficiency: 0.81 },
      'assembly',
    );
    const low = new CommunityBattery(rules, 3);
    const drawn = low.step(0, 60, [{ homeId: 'a', dischargeKw: 5 }]);
    // 1 kWh above the reserve delivers 1 × 0.9 = 0.9 kWh.
    expect(drawn.grants[0]?.dischargeKw).toBeCloseTo(0.9, 12);
    expect(low.socKwh).toBeCloseTo(2, 12);
    const high = new CommunityBattery(rules, 9.5);
    const stored = high.step(0, 60, [{ homeId: 'a', chargeKw: 5 }]);
    expect(stored.grants[0]?.chargeKw).toBeCloseTo(0.5 / 0.9, 12);
    expect(high.socKwh).toBeCloseTo(10, 12);
  });

  it('applies the daily draw cap per home and resets it the next day; records use', () => {
    const battery = new CommunityBattery(
      parseCommunityBatteryRules({ ...baseRules, perHomeDailyDischargeKwh: 3 }, 'a'),
      80,
    );
    const ask = [{ homeId: 'h', dischargeKw: 4 }];
    const granted = [0, 30, 60].map((minute) => battery.step(minute, 30, ask).grants[0]?.dischargeKw);
    expect(granted).toEqual([4, 2, 0]);
    expect(battery.step(DAY, 30, ask).grants[0]?.dischargeKw).toBe(4);
    const usage = battery.usage().get('h');
    expect(usage?.drawnKwh).toBe(5);
    expect(Object.fromEntries(usage?.drawnKwhByDay ?? [])).toEqual({ 0: 3, 1: 2 });
  });

  it('refuses malformed asks and ignores a second ask from the same home', () => {
    const battery = new CommunityBattery(parseCommunityBatteryRules(baseRules, 'a'), 50);
    const result = battery.step(0, 30, [
      { homeId: 'x', chargeKw: 1, dischargeKw: 1 },
      { homeId: 'y', dischargeKw: Number.NaN },
      { homeId: 'z', dischargeKw: 1 },
      { homeId: 'z', dischargeKw: 5 },
    ]);
    expect(result.grants.map((grant) => [grant.homeId, grant.dischargeKw, grant.reason])).toEqual([
      ['x', 0, 'refused: ask for one direction with finite kW >= 0'],
      ['y', 0, 'refused: ask for one direction with finite kW >= 0'],
      ['z', 1, 'a second request this step was ignored'],
    ]);
    expect(() => parseCommunityBatteryRules({ ...baseRules, reserveKwh: 200 }, 'assembly.yaml')).toThrow(
      'assembly.yaml: reserveKwh: reserveKwh must not exceed capacityKwh',
    );
    expect(() => parseCommunityBatteryRules({ ...baseRules, capacityKwh: -1 }, 'assembly.yaml')).toThrow(
      /capacityKwh/,
    );
  });

  it('loads the shipped example assembly rules and names the file in errors', () => {
    const rules = loadCommunityBatteryRules();
    expect(rules).toMatchObject({
      capacityKwh: 100,
      reserveKwh: 10,
      priorityGroups: ['medical', 'fuel-poor'],
    });
    expect(() => loadCommunityBatteryRules('/nonexistent/rules.yaml')).toThrow(/not found or not readable/);
  });

  it('never exceeds its power or energy limits under random contention (seeded)', () => {
    const rng = createRng(11);
    for (const contention of ['priority', 'shared'] as const) {
      const rules = parseCommunityBatteryRules(
        {
          capacityKwh: 30,
          maxChargeKw: 8,
          maxDischargeKw: 12,
          roundTripEfficiency: 0.88,
          reserveKwh: 3,
          perHomeMaxKw: 5,
          perHomeDailyDischargeKwh: 20,
          priorityGroups: ['medical', 'fuel-poor'],
          contention,
          fairShare: contention === 'shared' ? 'proportional' : 'equal',
        },
        'assembly',
      );
      const battery = new CommunityBattery(rules, 15);
      const eta = Math.sqrt(0.88);
      const drawnTotals = new Map<string, number>();
      for (let step = 0; step < 48 * 4; step++) {
        const requests = Array.from({ length: 12 }, (_, home) => {
          const kw = rng.uniform(0, 7);
          const group = ['medical', 'fuel-poor', undefined][home % 3];
          return rng.next() < 0.5
            ? { homeId: `h${home}`, group, chargeKw: kw }
            : { homeId: `h${home}`, group, dischargeKw: kw };
        });
        const result = battery.step(step * 30, 30, requests);
        const charge = result.grants.reduce((sum, grant) => sum + grant.chargeKw, 0);
        const discharge = result.grants.reduce((sum, grant) => sum + grant.dischargeKw, 0);
        expect(charge).toBeLessThanOrEqual(8 + 1e-9);
        expect(discharge).toBeLessThanOrEqual(12 + 1e-9);
        expect(
          result.grants.every((grant) => grant.chargeKw <= 5 + 1e-9 && grant.dischargeKw <= 5 + 1e-9),
        ).toBe(true);
        expect(result.socKwhAfter).toBeGreaterThanOrEqual(3 - 1e-9);
        expect(result.socKwhAfter).toBeLessThanOrEqual(30 + 1e-9);
        // Energy balance holds exactly: the clamp never had to cut.
        expect(result.socKwhAfter).toBeCloseTo(
          result.socKwhBefore + charge * 0.5 * eta - (discharge * 0.5) / eta,
          9,
        );
        for (const grant of result.grants) {
          drawnTotals.set(grant.homeId, (drawnTotals.get(grant.homeId) ?? 0) + grant.dischargeKw * 0.5);
        }
      }
      for (const [homeId, usage] of battery.usage()) {
        expect(usage.drawnKwh).toBeCloseTo(drawnTotals.get(homeId) ?? 0, 9);
        for (const kwh of usage.drawnKwhByDay.values()) expect(kwh).toBeLessThanOrEqual(20 + 1e-9);
      }
      // Priority homes drew more than the others under contention.
      if (contention === 'priority') {
        const drawn = (home: number) => battery.usage().get(`h${home}`)?.drawnKwh ?? 0;
        const medical = [0, 3, 6, 9].reduce((sum, home) => sum + drawn(home), 0);
        const ungrouped = [2, 5, 8, 11].reduce((sum, home) => sum + drawn(home), 0);
        expect(medical).toBeGreaterThan(2 * ungrouped);
      }
    }
  });
});
