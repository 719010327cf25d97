import { describe, expect, it } from 'vitest';
import { DriftMonitor } from '../../../hub/cosim/drift.js';

describe('drift monitoring (hardware in the loop)', () => {
  it('raises the alarm when a scripted sensor drifts from the model, clears it with hysteresis, estimates the bias', () => {
    const monitor = new DriftMonitor({ alpha: 0.5, alarmAt: 1 });
    // The model says 2 kW throughout; the sensor agrees, then reads 1.5 kW high, then agrees again.
    const sensor = [2, 2, 2, 3.5, 3.5, 3.5, 3.5, 2, 2, 2, 2];
    const samples = sensor.map((value) => monitor.update(2, value));
    expect(samples.map((sample) => sample.residual)).toEqual([0, 0, 0, 1.5, 1.5, 1.5, 1.5, 0, 0, 0, 0]);
    // EWMA (alpha 0.5): 0.75 after the first high reading, 1.125 after the second: the alarm.
    expect(samples[3]?.ewma).toBeCloseTo(0.75, 12);
    expect(samples[3]?.alarm).toBe(false);
    expect(samples[4]?.change).toBe('raised');
    expect(samples.filter((sample) => sample.change === 'raised')).toHaveLength(1);
    // Back in agreement: 1.40625 → 0.703 (still above the 0.5 clear level) → 0.352: cleared.
    expect(samples[7]?.alarm).toBe(true);
    expect(samples[8]?.change).toBe('cleared');
    expect(samples.at(-1)?.alarm).toBe(false);
    // Bias: the mean residual, 4 × 1.5 over 11 samples.
    expect(samples.at(-1)?.bias).toBeCloseTo(6 / 11, 12);
  });

  it('refuses a weight or a threshold that cannot work', () => {
    expect(() => new DriftMonitor({ alpha: 0, alarmAt: 1 })).toThrow(/alpha/);
    expect(() => new DriftMonitor({ alpha: 0.5, alarmAt: 0 })).toThrow(/alarmAt/);
  });
});
