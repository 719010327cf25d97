import { describe, expect, it } from 'vitest';
import type { FeederNetwork, PowerFlowResult } from '../../../hub/feeder/index.js';
import { NetworkStressTracker } from '../../../hub/sim/network-stress.js';

const feeder = {
  buses: [{ name: 'src' }, { name: 'b1' }, { name: 'b2' }],
  lines: [
    { name: 'L1', fromBus: 'src', toBus: 'b1', lengthKm: 0.1, lineCode: 'rated' },
    { name: 'L2', fromBus: 'b1', toBus: 'b2', lengthKm: 0.1, lineCode: 'unrated' },
  ],
} as unknown as FeederNetwork;

/** A power-flow result with the given bus-phase voltages and line loadings (the fields the tracker reads). */
function flow(volts: number[], loadingPct: number[]): PowerFlowResult {
  return {
    busVoltsMag: Float64Array.from(volts),
    lineLoadingPct: Float64Array.from(loadingPct),
  } as unknown as PowerFlowResult;
}

describe('NetworkStressTracker', () => {
  it('counts minutes outside the statutory band per customer bus-phase and hour of day', () => {
    // Customers on b1 phase A (index 3) and b2 phase C (index 8).
    const tracker = new NetworkStressTracker(feeder, [3, 8], 30);
    const nominal = [230, 230, 230, 230, 230, 230, 230, 230, 230];
    const low = [...nominal];
    low[3] = 210; // under 216.2 V
    const high = [...nominal];
    high[8] = 255; // over 253 V
    tracker.record(flow(low, [50, Number.NaN]), 7 * 60); // 07:00
    tracker.record(flow(low, [120, Number.NaN]), 7 * 60 + 30); // 07:30
    tracker.record(flow(high, [80, Number.NaN]), 1440 + 18 * 60); // next day 18:00
    const { voltageViolations, lines } = tracker.result();
    expect(voltageViolations).toHaveLength(2);
    const [b1, b2] = voltageViolations;
    expect(b1).toMatchObject({ bus: 'b1', phase: 'A', underMinutes: 60, overMinutes: 0 });
    expect(b1?.minutesByHour[7]).toBe(60);
    expect(b1?.minutesByHour.reduce((a, b) => a + b, 0)).toBe(60);
    expect(b2).toMatchObject({ bus: 'b2', phase: 'C', underMinutes: 0, overMinutes: 30 });
    expect(b2?.minutesByHour[18]).toBe(30);
    // The unrated line (NaN loading) is left out.
    expect(lines).toEqual([
      { line: 'L1', fromBus: 'src', toBus: 'b1', maxLoadingPct: 120, overloadSteps: 1 },
    ]);
  });
});
