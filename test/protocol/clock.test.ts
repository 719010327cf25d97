import { describe, expect, it } from 'vitest';
import { ClockTimeSchema, inClockWindow, inWindow, parseClock } from '../../protocol/clock.js';

describe('clock times of day', () => {
  it('accepts "HH:MM" from 00:00 to 24:00 and nothing else, with one message', () => {
    for (const text of ['00:00', '07:30', '23:59', '24:00'])
      expect(ClockTimeSchema.safeParse(text).success).toBe(true);
    for (const text of ['24:01', '7:30', '12:60', '25:00', '12:00 ', 'noon']) {
      const result = ClockTimeSchema.safeParse(text);
      expect(result.success).toBe(false);
      expect(result.error?.issues[0]?.message).toBe('expected a clock time "HH:MM" (00:00..24:00)');
    }
  });

  it('parses to minutes after midnight, and refuses what is not a clock time', () => {
    expect(parseClock('00:00')).toBe(0);
    expect(parseClock('07:30')).toBe(450);
    expect(parseClock('07:30')).toBe(450);
    expect(parseClock('23:59')).toBe(1439);
    expect(parseClock('24:00')).toBe(1440);
    expect(() => parseClock('7:30')).toThrow(RangeError);
    expect(() => parseClock('24:30')).toThrow(/expected a clock time "HH:MM", got "24:30"/);
  });

  it('tests half-open windows, wrapping past midnight, from = to meaning the whole day', () => {
    expect(inWindow(420, 420, 600)).toBe(true);
    expect(inWindow(599, 420, 600)).toBe(true);
    expect(inWindow(600, 420, 600)).toBe(false);
    expect(inWindow(419, 420, 600)).toBe(false);
    // 23:00–07:00 wraps
    expect(inWindow(1380, 1380, 420)).toBe(true);
    expect(inWindow(0, 1380, 420)).toBe(true);
    expect(inWindow(419, 1380, 420)).toBe(true);
    expect(inWindow(420, 1380, 420)).toBe(false);
    expect(inWindow(1379, 1380, 420)).toBe(false);
    for (const minute of [0, 600, 1439]) expect(inWindow(minute, 600, 600)).toBe(true);
    expect(inWindow(1439, 0, 1440)).toBe(true);
  });

  it('takes the window as clock times too', () => {
    expect(inClockWindow(16 * 60, '16:00', '19:00')).toBe(true);
    expect(inClockWindow(19 * 60, '16:00', '19:00')).toBe(false);
    expect(inClockWindow(15, '23:30', '00:30')).toBe(true);
    expect(inClockWindow(30, '23:30', '00:30')).toBe(false);
  });
});
