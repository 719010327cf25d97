import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry, FeedEvent, FeederBuses, Home, TableMap } from '../../../protocol/gridflex.js';
import { closed, connectClient, nextMessage, subscribe, tempDir } from '../mqtt-helpers.js';
import { FakePad } from './fake-pad.js';
import { addDevice, addUser, type HubProcess, startHub, writeTestMap } from './hub-process.js';

const data = tempDir('gridflex-wiring-');
let map = '';
let hub: HubProcess;
let viewer: MqttClient;
const secrets: Record<string, string> = {};

const startTestHub = async () => {
  hub = await startHub(['--scenario', map, '--data-dir', data.dir, '--step-ms', '40']);
  viewer = await connectClient(hub.mqttUrl, { clientId: 'wiring-viewer' });
  await subscribe(viewer, 'gridflex/v1/#');
};

beforeAll(async () => {
  map = writeTestMap(data.dir);
  secrets['pad-7'] = addDevice(data.dir, 'pad-7', 'ev-pad', 'plot-7', 'mqtt://127.0.0.1:1', [
    '--scenario',
    map,
  ]).password;
  secrets['table-op'] = addUser(data.dir, 'table-op', 'operator');
  await startTestHub();
});

afterAll(async () => {
  viewer?.end(true);
  await hub?.stop();
  data.remove();
});

const json = <T>(payload: Buffer) => JSON.parse(payload.toString()) as T;
const next = <T>(topic: string, accept: (body: T) => boolean = () => true) =>
  nextMessage(
    viewer,
    (received) => received === topic,
    (payload) => accept(json<T>(payload)),
  ).then((message) => json<T>(message.payload));
const bus = (buses: FeederBuses, name: string) => buses.buses.find((entry) => entry.bus === name);
const plot7 = (tableMap: TableMap) => tableMap.plots.find((plot) => plot.plot === 'plot-7');

describe('gridflex/control/v1/table/wire', () => {
  it('wires plot-7 to another bus and phase: its EV’s load moves there; the map, home and feed say so', async () => {
    const pad = await FakePad.connect(hub.mqttUrl, 'pad-7', secrets['pad-7'] as string, 'plot-7');
    const operator = await connectClient(hub.mqttUrl, {
      clientId: 'table-op-1',
      username: 'table-op',
      password: secrets['table-op'],
    });
    try {
      await pad.holds('ev-2');
      const before = await next<FeederBuses>(
        'gridflex/v1/feeder/buses',
        (buses) => (bus(buses, '17')?.assetPKw ?? 0) > 6.9,
      );
      expect(bus(before, '12')?.assetPKw).toBe(0);

      const answer = next<AuditEntry>('gridflex/v1/audit', (entry) => entry.requestId === 'wire-1');
      const fed = next<FeedEvent>('gridflex/v1/events', (event) => event.kind === 'plot-wired');
      const mapped = next<TableMap>('gridflex/v1/table/map', (tableMap) => plot7(tableMap)?.bus === '12');
      await operator.publishAsync(
        'gridflex/control/v1/table/wire',
        JSON.stringify({ plot: 'plot-7', bus: '12', phase: 'B', requestId: 'wire-1' }),
        { qos: 1 },
      );
      expect(await answer).toMatchObject({
        action: 'table-wire',
        username: 'table-op',
        role: 'operator',
        accepted: true,
        reason: 'plot-7 (home-7) rewired from bus 17 phase A to bus 12 phase B',
      });
      expect(await fed).toMatchObject({ plot: 'plot-7', home: 'home-7', severity: 'info' });
      const tableMap = await mapped;
      expect(plot7(tableMap)).toMatchObject({ bus: '12', phase: 'B', home: 'home-7' });
      expect(tableMap.buses).toContain('12');
      expect(tableMap.buses).not.toContain('SourceBus');

      const after = await next<FeederBuses>(
        'gridflex/v1/feeder/buses',
        (buses) => (bus(buses, '12')?.assetPKw ?? 0) > 6.9,
      );
      expect(bus(after, '17')?.assetPKw).toBe(0);
      expect(bus(after, '12')?.plots).toEqual(['plot-2', 'plot-7']);
      // The power flow sees it: about 7 kW more drawn at bus 12, and phase B there sags below its neighbours.
      expect((bus(after, '12')?.loadPKw ?? 0) - (bus(before, '12')?.loadPKw ?? 0)).toBeGreaterThan(6);
      expect(bus(after, '12')?.vVolts[1] ?? 0).toBeLessThan(bus(before, '12')?.vVolts[1] ?? 0);
      const home7 = await next<Home>('gridflex/v1/homes/home-7', (home) => home.bus === '12');
      expect(home7).toMatchObject({ plot: 'plot-7', bus: '12', phase: 'B' });
    } finally {
      pad.client.end(true);
      operator.end(true);
    }
  });

  it('refuses unknown plots and buses with a reason on gridflex/v1/audit, and a bad phase or a viewer outright', async () => {
    const operator = await connectClient(hub.mqttUrl, {
      clientId: 'table-op-2',
      username: 'table-op',
      password: secrets['table-op'],
    });
    const refusal = async (body: object, requestId: string) => {
      const answer = next<AuditEntry>('gridflex/v1/audit', (entry) => entry.requestId === requestId);
      await operator.publishAsync('gridflex/control/v1/table/wire', JSON.stringify({ ...body, requestId }), {
        qos: 1,
      });
      const entry = await answer;
      expect(entry.accepted).toBe(false);
      return entry.reason;
    };
    expect(await refusal({ plot: 'plot-99', bus: '12', phase: 'A' }, 'bad-plot')).toMatch(
      /^unknown plot "plot-99" \(the table has plot-1, .*plot-8\)$/,
    );
    expect(await refusal({ plot: 'plot-3', bus: '99', phase: 'A' }, 'bad-bus')).toMatch(
      /^unknown bus "99": plots can be wired to the feeder's low-voltage buses 1, 2, .*18$/,
    );
    expect(await refusal({ plot: 'plot-3', bus: 'SourceBus', phase: 'A' }, 'mv-bus')).toMatch(
      /unknown bus "SourceBus"/,
    );
    operator.end(true);

    // A phase that does not exist fails the schema: the broker drops the sender and the audit says why.
    const careless = await connectClient(hub.mqttUrl, {
      clientId: 'table-op-3',
      username: 'table-op',
      password: secrets['table-op'],
    });
    const schema = next<AuditEntry>(
      'gridflex/v1/audit',
      (entry) => entry.action === 'table-wire' && /phase/.test(entry.reason),
    );
    careless.publish(
      'gridflex/control/v1/table/wire',
      JSON.stringify({ plot: 'plot-3', bus: '12', phase: 'D' }),
    );
    expect((await schema).reason).toMatch(/^control phase: /);
    await closed(careless);

    const anonymous = await connectClient(hub.mqttUrl, { clientId: 'anon-wire' });
    const denied = next<AuditEntry>(
      'gridflex/v1/audit',
      (entry) => entry.action === 'table-wire' && entry.role === 'anonymous',
    );
    anonymous.publish(
      'gridflex/control/v1/table/wire',
      JSON.stringify({ plot: 'plot-3', bus: '12', phase: 'A' }),
    );
    expect((await denied).accepted).toBe(false);
    anonymous.end(true);
  });

  it('keeps the wiring across a hub restart', async () => {
    viewer.end(true);
    expect(await hub.stop()).toBe(0);
    // Only the plot wired live is kept: the others follow the map file.
    expect(JSON.parse(readFileSync(join(data.dir, 'table-wiring.json'), 'utf8'))).toEqual({
      'plot-7': { bus: '12', phase: 'B' },
    });
    await startTestHub();
    const tableMap = await next<TableMap>('gridflex/v1/table/map');
    expect(plot7(tableMap)).toMatchObject({ bus: '12', phase: 'B' });
    const buses = await next<FeederBuses>('gridflex/v1/feeder/buses');
    expect(bus(buses, '12')?.plots).toEqual(['plot-2', 'plot-7']);
    expect(bus(buses, '17')?.plots).toEqual([]);
  });
});
