import { describe, expect, it } from 'vitest';
import { LiveSharedBattery } from '../../../hub/table/shared-battery.js';

const config = {
  bus: '3',
  phase: 'ABC' as const,
  initialSocPct: 50,
  rules: {
    capacityKwh: 30,
    maxChargeKw: 10,
    maxDischargeKw: 10,
    perHomeMaxKw: 3,
    drawWindow: { from: '16:00', to: '20:00' },
  },
};
const at = new Date('2026-11-25T09:00:00Z');

describe('LiveSharedBattery (the assembly’s battery on the live table)', () => {
  it('stores exporting homes’ surplus at any time, serves importing homes only in the draw window', () => {
    const battery = new LiveSharedBattery(config);
    const noon = new Date('2026-01-15T12:00:00Z');
    const netKw = battery.step(noon, 6, [
      { home: 'home-1', netPKw: -2 },
      { home: 'home-2', netPKw: 1.5 },
    ]);
    expect(netKw).toBeCloseTo(2, 9);
    expect(battery.snapshot(1, noon.toISOString())).toMatchObject({
      chargeKw: 2,
      dischargeKw: 0,
      homes: [{ home: 'home-1', askedKw: 2, grantedKw: 2 }],
    });
    const evening = new Date('2026-01-15T17:00:00Z');
    const drawKw = battery.step(evening, 6, [
      { home: 'home-2', netPKw: 5 },
      { home: 'home-3', netPKw: 1 },
    ]);
    expect(drawKw).toBeCloseTo(-4, 9); // home-2 capped at 3 kW per home
    expect(battery.snapshot(2, evening.toISOString()).homes).toEqual([
      { home: 'home-2', askedKw: -5, grantedKw: -3 },
      { home: 'home-3', askedKw: -1, grantedKw: -1 },
    ]);
  });

  it('applies the assembly’s new rules at the next step: priority groups first, and says who set them', () => {
    const battery = new LiveSharedBattery(config);
    const changed = battery.setRules(
      { maxDischargeKw: 2, priorityGroups: ['medical'], groups: { 'home-3': 'medical' }, drawWindow: null },
      'citizens',
      at,
    );
    expect(changed).toEqual(['maxDischargeKw', 'priorityGroups', 'groups', 'drawWindow']);
    const night = new Date('2026-01-15T02:00:00Z');
    battery.step(night, 6, [
      { home: 'home-2', netPKw: 3 },
      { home: 'home-3', netPKw: 3 },
    ]);
    const snapshot = battery.snapshot(1, night.toISOString());
    expect(snapshot.homes).toEqual([
      { home: 'home-2', askedKw: -3, grantedKw: 0 },
      { home: 'home-3', askedKw: -3, grantedKw: -2 },
    ]);
    expect(snapshot).toMatchObject({
      setBy: 'citizens',
      setAt: at.toISOString(),
      socKwh: expect.any(Number),
    });
    expect(snapshot.rules.drawWindow).toBeUndefined();
    expect(snapshot.rules.groups).toEqual({ 'home-3': 'medical' });
  });

  it('refuses rules that do not make sense, naming the rule, and keeps the old ones', () => {
    const battery = new LiveSharedBattery(config);
    expect(() => battery.setRules({ reserveKwh: 40 }, 'citizens', at)).toThrow(
      'reserveKwh must not exceed capacityKwh',
    );
    expect(() => battery.setRules({ groups: { 'home-3': 'vip' } }, 'citizens', at)).toThrow(
      'groups: home-3 is in "vip", which is not one of the priority groups (none)',
    );
    expect(battery.rules).toMatchObject({ reserveKwh: 0, groups: {} });
  });
});
