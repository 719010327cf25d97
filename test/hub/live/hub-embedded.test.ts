import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  AuditEntry,
  MarketPrices,
  SecurityEvent,
  TableEvent,
  TableMap,
} from '../../../protocol/gridflex.js';
import { formatHomieValue } from '../../../protocol/homie.js';
import { closed, connectClient, nextMessage, subscribe, tempDir } from '../mqtt-helpers.js';
import { expectEvMoveBetweenBuses } from './ev-move.js';
import { addDevice, addUser, type HubProcess, startHub, writeTestMap } from './hub-process.js';

const data = tempDir('gridflex-hub-');
let hub: HubProcess;
let viewer: MqttClient;
const secrets: Record<string, string> = {};

beforeAll(async () => {
  const map = writeTestMap(data.dir);
  // Boards are registered before the hub starts: the CLI writes their configs with passwords.
  for (const [id, plot] of [
    ['pad-a', 'plot-3'],
    ['pad-b', 'plot-6'],
  ] as const) {
    secrets[id] = addDevice(data.dir, id, 'ev-pad', plot, 'mqtt://127.0.0.1:1', ['--scenario', map]).password;
  }
  for (const [username, role] of [
    ['regulator', 'regulator'],
    ['octo', 'supplier:octo'],
    ['table-op', 'operator'],
    ['resident-3', 'resident:home-3'],
  ] as const) {
    secrets[username] = addUser(data.dir, username, role);
  }
  hub = await startHub(['--scenario', map, '--data-dir', data.dir, '--step-ms', '40']);
  viewer = await connectClient(hub.mqttUrl, { clientId: 'viewer-1' });
  await subscribe(viewer, 'gridflex/v1/#');
});

afterAll(async () => {
  viewer?.end(true);
  await hub?.stop();
  data.remove();
});

const json = <T>(payload: Buffer) => JSON.parse(payload.toString()) as T;

describe('gridflex hub (embedded broker)', () => {
  it('moves an EV’s charging load from one bus to the other when it moves between pads', async () => {
    await expectEvMoveBetweenBuses({ brokerUrl: hub.mqttUrl, httpUrl: hub.httpUrl, viewer, secrets });
  });

  it('publishes refusals on gridflex/v1/hub/security: forged topics, anonymous publishes, bad payloads', async () => {
    const security = (test: (event: SecurityEvent) => boolean) =>
      nextMessage(
        viewer,
        (topic) => topic === 'gridflex/v1/hub/security',
        (payload) => test(json<SecurityEvent>(payload)),
      );

    const forged = security(
      (event) => event.kind === 'denied-publish' && event.topic === 'homie/5/pad-b/ev-pad/present',
    );
    const padA = await connectClient(hub.mqttUrl, {
      clientId: 'pad-a',
      username: 'pad-a',
      password: secrets['pad-a'],
    });
    padA.publish('homie/5/pad-b/ev-pad/present', formatHomieValue(true));
    await Promise.all([forged, closed(padA)]);

    const world = security((event) => event.kind === 'denied-publish' && event.topic === 'gridflex/v1/clock');
    const padA2 = await connectClient(hub.mqttUrl, {
      clientId: 'pad-a',
      username: 'pad-a',
      password: secrets['pad-a'],
    });
    padA2.publish('gridflex/v1/clock', '{}');
    await Promise.all([world, closed(padA2)]);

    const anonymous = await connectClient(hub.mqttUrl, { clientId: 'anon-9' });
    const anonymousDenied = security((event) => event.clientId === 'anon-9');
    anonymous.publish('gridflex/control/v1/table/place', JSON.stringify({ asset: 'ev-1', plot: 'plot-1' }));
    expect(json<SecurityEvent>((await anonymousDenied).payload).kind).toBe('denied-publish');

    const malformed = security(
      (event) => event.kind === 'rejected-payload' && event.topic === 'homie/5/pad-a/$state',
    );
    const padA3 = await connectClient(hub.mqttUrl, {
      clientId: 'pad-a',
      username: 'pad-a',
      password: secrets['pad-a'],
    });
    padA3.publish('homie/5/pad-a/$state', 'on fire');
    await Promise.all([malformed, closed(padA3)]);

    // The hub carries on stepping after all that.
    const clock = await nextMessage(viewer, (topic) => topic === 'gridflex/v1/clock');
    expect(json<{ running: boolean }>(clock.payload).running).toBe(true);
  });

  it('applies each workshop role’s controls: price cap, a supplier’s tariff, an operator moving an asset', async () => {
    const login = (username: string) =>
      connectClient(hub.mqttUrl, { clientId: `${username}-1`, username, password: secrets[username] });
    const prices = (test: (prices: MarketPrices) => boolean) =>
      nextMessage(
        viewer,
        (topic) => topic === 'gridflex/v1/market/prices',
        (payload) => test(json<MarketPrices>(payload)),
      );

    const audit = (test: (entry: AuditEntry) => boolean) =>
      nextMessage(
        viewer,
        (topic) => topic === 'gridflex/v1/audit',
        (payload) => test(json<AuditEntry>(payload)),
      );

    // The regulator makes switches immediate, then a supplier's capped flat tariff takes over the street.
    const regulator = await login('regulator');
    const lagZero = audit((entry) => entry.action === 'regulator-rules');
    await regulator.publishAsync(
      'gridflex/control/v1/regulator/rules',
      JSON.stringify({ switchingLagMinutes: 0, requestId: 'r-1' }),
      { qos: 1 },
    );
    expect(json<AuditEntry>((await lagZero).payload)).toMatchObject({
      username: 'regulator',
      role: 'regulator',
      accepted: true,
      requestId: 'r-1',
    });

    const supplier = await login('octo');
    const offered = prices((entry) => entry.source === 'octo/night-ev');
    await supplier.publishAsync(
      'gridflex/control/v1/supplier/octo/tariff',
      JSON.stringify({
        tariffId: 'night-ev',
        kind: 'flat',
        importPriceGbpPerKwh: 0.22,
        exportPriceGbpPerKwh: 0.1,
        standingChargeGbpPerDay: 0.5,
      }),
      { qos: 1 },
    );
    const inForce = json<MarketPrices>((await offered).payload);
    expect(inForce.importPriceGbpPerKwh).toBeCloseTo(0.22 + (inForce.networkChargeGbpPerKwh ?? 0), 9);

    // A cap below the offer withdraws it: the street falls back to the (new) price cap at once.
    const capped = prices((entry) => entry.source === 'price-cap');
    await regulator.publishAsync(
      'gridflex/control/v1/regulator/rules',
      JSON.stringify({ priceCapGbpPerKwh: 0.2 }),
      { qos: 1 },
    );
    const fallback = json<MarketPrices>((await capped).payload);
    expect(fallback.importPriceGbpPerKwh).toBeCloseTo(0.2 + (fallback.networkChargeGbpPerKwh ?? 0), 9);

    const operator = await login('table-op');
    const lifted = nextMessage(
      viewer,
      (topic) => topic === 'gridflex/v1/table/event',
      (payload) => payload.toString().includes('"asset":"heat-pump-1"'),
    );
    await operator.publishAsync(
      'gridflex/control/v1/table/place',
      JSON.stringify({ asset: 'heat-pump-1', plot: 'plot-8' }),
      {
        qos: 1,
      },
    );
    expect(json<TableEvent>((await lifted).payload)).toMatchObject({
      fromPlot: 'plot-2',
      toPlot: 'plot-8',
      source: 'control',
    });

    // A supplier cannot set another supplier's tariff, nor the regulator's rules.
    const denied = nextMessage(
      viewer,
      (topic) => topic === 'gridflex/v1/hub/security',
      (payload) => payload.toString().includes('"username":"octo"'),
    );
    supplier.publish('gridflex/control/v1/regulator/rules', JSON.stringify({ priceCapGbpPerKwh: 9 }));
    expect(json<SecurityEvent>((await denied).payload).kind).toBe('denied-publish');
    const resident = await login('resident-3');
    await resident.publishAsync(
      'gridflex/control/v1/resident/home-3/preferences',
      JSON.stringify({ evTargetSocPct: 80, evReadyByMinute: 450 }),
      { qos: 1 },
    );
    await hub.logLine(/resident home-3 preferences updated/);
    const state = (await (await fetch(`${hub.httpUrl}/api/state`)).json()) as {
      preferences: Record<string, unknown>;
    };
    expect(state.preferences['home-3']).toEqual({ evTargetSocPct: 80, evReadyByMinute: 450 });
    for (const client of [supplier, regulator, operator, resident]) client.end(true);
  });

  it('serves the table map and feeder results at /api/state', async () => {
    const state = (await (await fetch(`${hub.httpUrl}/api/state`)).json()) as {
      hub: { state: string };
      table: TableMap;
      feeder: { summary: { feeder: string; converged: boolean } };
      endpoints: { mqttUrl: string };
    };
    expect(state.hub.state).toBe('running');
    expect(state.table.plots).toHaveLength(8);
    expect(state.feeder.summary).toMatchObject({ feeder: 'table-street', converged: true });
    expect(state.endpoints.mqttUrl).toBe(hub.mqttUrl);
  });

  it('stops cleanly on SIGTERM: retained state "stopped" first, then a consistent data dir', async () => {
    const stopped = nextMessage(
      viewer,
      (topic) => topic === 'gridflex/v1/hub/state',
      (payload) => payload.toString().includes('"stopped"'),
    );
    const code = hub.stop();
    await stopped;
    expect(await code).toBe(0);
    const placements = JSON.parse(readFileSync(join(data.dir, 'table-placements.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(Object.keys(placements)).toContain('ev-1');
    expect(() => readFileSync(join(data.dir, 'hub.pid'))).toThrow();
  });
});
