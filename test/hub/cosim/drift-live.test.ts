/**
 * Hardware in the loop through a real hub: a meter board on plot-3 reads well above the model's net power of
 * home-3; the drift on `gridflex/v1/drift` shows the residual, its EWMA and the bias, and raises the alarm.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Drift } from '../../../protocol/cosim.js';
import type { Home } from '../../../protocol/gridflex.js';
import { FakeMeter } from '../live/fake-meter.js';
import { type CosimHub, Recorder, startCosimHub } from './cosim-hub.js';

let hub: CosimHub;
beforeAll(async () => {
  hub = await startCosimHub({ start: '2026-01-15T11:00:00Z', stepMinutes: 1, stepMs: 20 });
});
afterAll(async () => {
  await hub?.stop();
});

describe('drift between the model and a pinned meter', () => {
  it('tracks residual, EWMA and bias per step and raises the alarm when the meter drifts away', async () => {
    const seen = await Recorder.on(
      await hub.viewer('drift-viewer'),
      'gridflex/v1/drift',
      'gridflex/v1/homes/home-3',
    );
    const model = await seen.next<Home>('gridflex/v1/homes/home-3');
    const password = await hub.store.add('meter-3', { role: 'device', deviceId: 'meter-3' });
    const meter = await FakeMeter.connect(hub.url, 'meter-3', password, 'plot-3');
    const reading = Math.round((model.netPKw + 5) * 100) / 100;
    await meter.reading(reading);
    const alarm = await seen.next<Drift>('gridflex/v1/drift', (drift) =>
      drift.pins.some((pin) => pin.home === 'home-3' && pin.alarm),
    );
    const pin = alarm.pins.find((candidate) => candidate.home === 'home-3');
    expect(pin?.sensorValue).toBe(reading);
    expect(pin?.residual).toBeCloseTo((pin?.sensorValue ?? 0) - (pin?.modelValue ?? 0), 12);
    expect(Math.abs(pin?.ewma ?? 0)).toBeGreaterThanOrEqual(pin?.alarmAt ?? 1);
    expect(pin?.bias).toBeGreaterThan(1);
    expect(hub.log.some((line) => /drift raised on home-3/.test(line))).toBe(true);
    meter.end();
  });
});
