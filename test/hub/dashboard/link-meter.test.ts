import { describe, expect, it } from 'vitest';
import { LinkMeter } from '../../../hub/dashboard/web/live/link-meter.ts';
import type { Clock } from '../../../protocol/gridflex.js';

/** A clock of `step` the hub published at `publishedAtMs` (null: one without, as at a pause). */
function clock(step: number, publishedAtMs: number | null = step * 100): Clock {
  return {
    step,
    simTime: '2026-01-15T18:00:00.000Z',
    minuteOfDay: 1080,
    stepMinutes: 1,
    mode: 'accelerated',
    running: true,
    stepMs: 100,
    ...(publishedAtMs === null ? {} : { publishedAtMs }),
  };
}

describe('the dashboard’s measure of its link from the hub', () => {
  it('takes each live clock’s age on arrival as the delay, and a step missing from the counter as lost', () => {
    const meter = new LinkMeter();
    meter.observe(clock(10), true, 1000); // the retained clock at subscribe: a starting point
    expect(meter.figures()).toBeNull();
    meter.observe(clock(11), false, 1100 + 300);
    meter.observe(clock(13), false, 1300 + 500);
    meter.observe(clock(14), false, 1400 + 400);
    expect(meter.figures()).toEqual({ medianDelayMs: 400, lastDelayMs: 400, lossPct: 25, stepsJudged: 4 });
  });

  it('counts no loss for the retained clock handed over after a live one, nor for clocks without a publication time', () => {
    const meter = new LinkMeter();
    meter.observe(clock(12), false, 1200);
    meter.observe(clock(11), true, 1200);
    meter.observe(clock(13), false, 1300);
    meter.observe(clock(20, null), false, 1350);
    meter.observe(clock(14), false, 1400);
    expect(meter.figures()).toMatchObject({ lossPct: 0, stepsJudged: 2 });
  });

  it('starts again after the hub restarted or the clock jumped', () => {
    const meter = new LinkMeter();
    meter.observe(clock(500), false, 50_000);
    meter.observe(clock(2), false, 200);
    meter.observe(clock(3), false, 300);
    meter.observe(clock(100), false, 10_000);
    meter.observe(clock(101), false, 10_100);
    expect(meter.figures()?.lossPct).toBe(0);
  });
});
