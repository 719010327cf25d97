import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { onReviewCycle, reviewsOnDay } from '../../../hub/engine/participants/tariffs.js';
import { parseScenario } from '../../../hub/scenarios/load.js';
import type { Scenario } from '../../../hub/scenarios/resolve.js';

const CYCLE_DAYS = 30;
type Schedule = Scenario['switching']['reviewSchedule'];

function switching(reviewSchedule: Schedule): Scenario['switching'] {
  return {
    enabled: true,
    reviewEveryDays: CYCLE_DAYS,
    reviewSchedule,
    minSavingGbpPerYear: 30,
    capacityPerWorkingDay: 20,
  };
}

/** The days of a year on which home `homeIndex` reviews. */
function reviewDays(homeIndex: number, schedule: Schedule): number[] {
  const days: number[] = [];
  for (let day = 0; day < 365; day++) if (reviewsOnDay(homeIndex, day, switching(schedule))) days.push(day);
  return days;
}

describe('tariff review days', () => {
  it('staggered: home i reviews every 30 days from day 30 + (i mod 30), never before a full cycle', () => {
    expect(reviewDays(0, 'staggered')).toEqual([30, 60, 90, 120, 150, 180, 210, 240, 270, 300, 330, 360]);
    expect(reviewDays(7, 'staggered').slice(0, 3)).toEqual([37, 67, 97]);
    expect(reviewDays(29, 'staggered').slice(0, 2)).toEqual([59, 89]);
    // Home 31 shares home 1's day of the cycle.
    expect(reviewDays(31, 'staggered')).toEqual(reviewDays(1, 'staggered'));
  });

  it('staggered: on any day after the first cycle, 55 homes review in groups of one or two', () => {
    for (let day = CYCLE_DAYS; day < 2 * CYCLE_DAYS; day++) {
      const reviewing = Array.from({ length: 55 }, (_, index) => index).filter((index) =>
        reviewsOnDay(index, day, switching('staggered')),
      );
      expect(reviewing.length, `day ${day}`).toBe(day - CYCLE_DAYS < 25 ? 2 : 1);
    }
  });

  it("a home's cycle starts on day 0 + (i mod 30) for what needs no metered use (copying neighbours)", () => {
    const cycle = (homeIndex: number, schedule: Schedule) =>
      Array.from({ length: 70 }, (_, day) => day).filter((day) =>
        onReviewCycle(homeIndex, day, switching(schedule)),
      );
    expect(cycle(7, 'staggered')).toEqual([7, 37, 67]);
    expect(cycle(7, 'together')).toEqual([0, 30, 60]);
  });

  it('together: every home on days 30, 60, …', () => {
    for (const homeIndex of [0, 7, 29, 54])
      expect(reviewDays(homeIndex, 'together')).toEqual(reviewDays(0, 'staggered'));
  });

  it('the scenario defaults to staggered and refuses an unknown schedule, naming the field', () => {
    const table = readFileSync('scenarios/table.yaml', 'utf8');
    expect(parseScenario(table, 'scenarios/table.yaml').scenario.switching.reviewSchedule).toBe('staggered');
    const monthly = table.replace('reviewEveryDays: 30,', 'reviewEveryDays: 30, reviewSchedule: monthly,');
    expect(monthly).not.toBe(table);
    expect(() => parseScenario(monthly, 'scenarios/table.yaml')).toThrow('market.switching.reviewSchedule');
  });
});
