import type { MqttClient } from 'mqtt';
import { expect } from 'vitest';
import type { FeederBuses, TableMap } from '../../../protocol/gridflex.js';
import { nextMessage } from '../mqtt-helpers.js';
import { FakePad } from './fake-pad.js';

const bus = (buses: FeederBuses, name: string) => buses.buses.find((entry) => entry.bus === name);
const nextBuses = (viewer: MqttClient, accept: (buses: FeederBuses) => boolean) =>
  nextMessage(
    viewer,
    (topic) => topic === 'gridflex/v1/feeder/buses',
    (payload) => accept(JSON.parse(payload.toString()) as FeederBuses),
  ).then((message) => JSON.parse(message.payload.toString()) as FeederBuses);

/**
 * Two EV pads (plot-3 on bus 13, plot-6 on bus 16) and one EV moved from the first to the second: the
 * published feeder results must move its 7 kW from bus 13 to bus 16. `viewer` follows `gridflex/v1/#`.
 */
export async function expectEvMoveBetweenBuses(options: {
  brokerUrl: string;
  httpUrl: string;
  viewer: MqttClient;
  secrets: Record<string, string>;
}): Promise<void> {
  const { viewer } = options;
  const padA = await FakePad.connect(
    options.brokerUrl,
    'pad-a',
    options.secrets['pad-a'] as string,
    'plot-3',
  );
  const padB = await FakePad.connect(
    options.brokerUrl,
    'pad-b',
    options.secrets['pad-b'] as string,
    'plot-6',
  );
  try {
    await padA.holds('ev-1');
    const before = await nextBuses(viewer, (buses) => (bus(buses, '13')?.assetPKw ?? 0) > 6.9);
    expect(bus(before, '13')?.assetPKw).toBeCloseTo(7, 6);
    expect(bus(before, '16')?.assetPKw).toBe(0);

    const moved = nextMessage(
      viewer,
      (topic) => topic === 'gridflex/v1/table/event',
      (payload) => payload.toString().includes('"toPlot":"plot-6"'),
    );
    await padA.holds(null);
    await padB.holds('ev-1');
    await moved;
    const after = await nextBuses(viewer, (buses) => (bus(buses, '16')?.assetPKw ?? 0) > 6.9);
    expect(bus(after, '13')?.assetPKw).toBe(0);
    expect(bus(after, '16')?.assetPKw).toBeCloseTo(7, 6);
    // The loading the power flow saw moved with it (homes' own loads barely change over 0.1-minute steps).
    expect((bus(after, '16')?.loadPKw ?? 0) - (bus(before, '16')?.loadPKw ?? 0)).toBeGreaterThan(6);
    expect((bus(before, '13')?.loadPKw ?? 0) - (bus(after, '13')?.loadPKw ?? 0)).toBeGreaterThan(6);
    // And the phase voltage at the EV's new home dropped (plot-6 is on phase C).
    expect(bus(after, '16')?.vVolts[2] ?? 0).toBeLessThan(bus(before, '16')?.vVolts[2] ?? 0);

    const state = (await (await fetch(`${options.httpUrl}/api/state`)).json()) as { table: TableMap };
    expect(state.table.assets.find((asset) => asset.asset === 'ev-1')).toMatchObject({
      plot: 'plot-6',
      online: true,
    });
  } finally {
    padA.client.end(true);
    padB.client.end(true);
  }
}
