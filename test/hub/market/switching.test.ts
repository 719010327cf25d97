import { describe, expect, it } from 'vitest';
import { GB_DEFAULT_RULES } from '../../../hub/market/regulator.js';
import { type SwitchingOptions, SwitchingSystem } from '../../../hub/market/switching.js';

const DAY = 1440;
const MONDAY_10AM = 10 * 60;

function massSwitch(count: number, options: SwitchingOptions) {
  const system = new SwitchingSystem(GB_DEFAULT_RULES, options);
  for (let home = 0; home < count; home++) {
    const rejected = system.request({
      homeId: `home-${home}`,
      fromTariffId: 'flat-cap',
      toTariffId: 'ev-tou',
      requestMinute: MONDAY_10AM,
      reason: 'cheaper overnight',
    });
    expect(rejected).toBeUndefined();
  }
  const decided = system.advanceTo(30 * DAY);
  return { system, decided };
}

describe('switching system', () => {
  it('completes a switch the working day after processing, with the lag in working days', () => {
    const system = new SwitchingSystem(GB_DEFAULT_RULES, { capacityPerWorkingDay: 10 });
    system.request({
      homeId: 'h1',
      fromTariffId: 'a',
      toTariffId: 'b',
      requestMinute: 4 * DAY + 9 * 60,
      reason: '',
    });
    // Requested Friday: processed Monday (day 7) 00:00, effective Tuesday (day 8) 00:00.
    expect(system.advanceTo(7 * DAY)).toEqual([]);
    expect(system.isPending('h1')).toBe(true);
    const [entry] = system.advanceTo(8 * DAY);
    expect(entry).toMatchObject({
      outcome: 'completed',
      processedMinute: 7 * DAY,
      effectiveMinute: 8 * DAY,
      lagWorkingDays: 2,
      compensationGbp: 0,
      reason: 'completed in 2 working days',
    });
    expect(system.isPending('h1')).toBe(false);
  });

  it('queues mass switching beyond capacity: on time, late with £30 compensation, then failures', () => {
    // 24 homes at once, 2 switches per working day, queue limit 10 working days.
    const { system, decided } = massSwitch(24, { capacityPerWorkingDay: 2, maxQueueWorkingDays: 10 });
    const completed = decided.filter((entry) => entry.outcome === 'completed');
    const late = decided.filter((entry) => entry.outcome === 'completed-late');
    const failed = decided.filter((entry) => entry.outcome === 'failed');
    // Processed Tue..Fri, Mon..Fri, Mon (10 working days x 2); effective the next working day.
    expect(completed.map((entry) => entry.lagWorkingDays)).toEqual([2, 2, 3, 3, 4, 4, 5, 5]);
    expect(late.map((entry) => entry.lagWorkingDays)).toEqual([6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11]);
    expect(late.every((entry) => entry.compensationGbp === 30)).toBe(true);
    expect(failed).toHaveLength(4);
    expect(failed[0]?.reason).toBe(
      'cheaper overnight | failed: still queued after 10 working days (capacity 2/working day)',
    );
    expect(completed[0]?.effectiveMinute).toBe(2 * DAY);
    expect(late.at(-1)?.effectiveMinute).toBe(15 * DAY);
    expect(system.log()).toHaveLength(24);
    expect(system.queueLength()).toBe(0);
    expect(system.dailyStats().slice(0, 3)).toEqual([
      { day: 0, queuedBefore: 24, processed: 0, failed: 0 },
      { day: 1, queuedBefore: 24, processed: 2, failed: 0 },
      { day: 2, queuedBefore: 22, processed: 2, failed: 0 },
    ]);
  });

  it('fails late switches instead when the rules say so', () => {
    const { decided } = massSwitch(24, { capacityPerWorkingDay: 2, lateSwitches: 'fail' });
    expect(decided.filter((entry) => entry.outcome === 'completed')).toHaveLength(8);
    expect(decided.filter((entry) => entry.outcome === 'completed-late')).toHaveLength(0);
    const failed = decided.filter((entry) => entry.outcome === 'failed');
    expect(failed).toHaveLength(16);
    expect(failed[0]?.reason).toBe(
      'cheaper overnight | failed: would take 6 working days, above the 5-day limit',
    );
  });

  it('with enough capacity nobody waits', () => {
    const { decided } = massSwitch(24, { capacityPerWorkingDay: 100 });
    expect(decided.every((entry) => entry.outcome === 'completed' && entry.lagWorkingDays === 2)).toBe(true);
  });

  it('rejects a second request for the same home, a switch to the same tariff, and time going backwards', () => {
    const system = new SwitchingSystem(GB_DEFAULT_RULES, { capacityPerWorkingDay: 1 });
    const request = {
      homeId: 'h',
      fromTariffId: 'a',
      toTariffId: 'b',
      requestMinute: 60,
      reason: '',
      exitFeeGbp: 50,
    };
    expect(system.request(request)).toBeUndefined();
    expect(system.request(request)?.reason).toBe('rejected: a switch for this home is already pending');
    expect(system.request({ ...request, homeId: 'g', toTariffId: 'a' })?.outcome).toBe('rejected');
    const [done] = system.advanceTo(2 * DAY);
    expect(done?.exitFeeGbp).toBe(50);
    expect(() => system.advanceTo(DAY)).toThrow(/time went backwards/);
    expect(() => new SwitchingSystem(GB_DEFAULT_RULES, { capacityPerWorkingDay: 1.5 })).toThrow(RangeError);
  });
});

describe("switching system with the live table's lag in minutes", () => {
  const request = (homeId: string, requestMinute: number) => ({
    homeId,
    fromTariffId: 'a',
    toTariffId: 'b',
    requestMinute,
    reason: '',
  });

  it("processes each request as it comes, up to the day's cap (every day counts), effective the lag later", () => {
    let lagMinutes = 60;
    const system = new SwitchingSystem(GB_DEFAULT_RULES, {
      capacityPerWorkingDay: 2,
      lagMinutes: () => lagMinutes,
    });
    // Day 5 is a Saturday: the table has no weekends.
    const saturday = 5 * DAY + 600;
    for (const home of ['h1', 'h2', 'h3']) system.request(request(home, saturday));
    expect(system.advanceTo(saturday)).toEqual([]);
    expect(system.pendingSwitch('h1')?.effectiveMinute).toBe(saturday + 60);
    // Over the day's cap: queued until the next day.
    expect(system.pendingSwitch('h3')).toMatchObject({ effectiveMinute: null });
    const done = system.advanceTo(saturday + 60);
    expect(done.map((entry) => [entry.homeId, entry.outcome, entry.lagWorkingDays])).toEqual([
      ['h1', 'completed', 0],
      ['h2', 'completed', 0],
    ]);
    // The regulator shortens the lag: the queued one is processed at the next day's first advance with it.
    lagMinutes = 30;
    const sunday = 6 * DAY + 10;
    expect(system.advanceTo(sunday)).toEqual([]);
    expect(system.pendingSwitch('h3')?.effectiveMinute).toBe(sunday + 30);
    expect(system.advanceTo(sunday + 30)).toMatchObject([
      { homeId: 'h3', outcome: 'completed', lagWorkingDays: 1 },
    ]);
  });

  it('cancels a waiting switch, changes its cap, and lets the clock jump back', () => {
    const system = new SwitchingSystem(GB_DEFAULT_RULES, { capacityPerWorkingDay: 0, lagMinutes: () => 0 });
    system.request(request('h1', 100));
    expect(system.advanceTo(100)).toEqual([]);
    expect(system.isPending('h1')).toBe(true);
    system.cancel('h1');
    expect(system.isPending('h1')).toBe(false);
    system.setCapacityPerWorkingDay(Number.POSITIVE_INFINITY);
    system.request(request('h2', 200));
    expect(system.advanceTo(200)).toMatchObject([
      { homeId: 'h2', outcome: 'completed', effectiveMinute: 200 },
    ]);
    expect(system.advanceTo(50)).toEqual([]);
    expect(() => system.setCapacityPerWorkingDay(-1)).toThrow(RangeError);
  });
});
