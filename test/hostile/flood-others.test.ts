/**
 * One board flooding its own topics while another reports (issue 21): the flooder is cut off and held off,
 * refused at CONNECT before its password is even checked, and the other board's readings still reach the
 * table in `/api/state` through the flood and the flooder's reconnect loop.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TableMap } from '../../protocol/gridflex.js';
import { addDevice, type HubProcess, startHub, writeTestMap } from '../hub/live/hub-process.js';
import { announcePlainPv } from '../hub/live/plain-pv-board.js';
import { closed, connectClient, tempDir } from '../hub/mqtt-helpers.js';

const data = tempDir('gridflex-hostile-flood-');
const FLOODER = 'flood-6';
const OTHER = { id: 'sun-4', plot: 'plot-4', kw: '-1.5' };
let hub: HubProcess;
let flooderPassword: string;
let other: MqttClient;
const clients: MqttClient[] = [];

beforeAll(async () => {
  const map = writeTestMap(data.dir);
  const add = (id: string, plot: string) =>
    addDevice(data.dir, id, 'pv', plot, 'mqtt://127.0.0.1:1', ['--scenario', map]).password;
  flooderPassword = add(FLOODER, 'plot-6');
  const otherPassword = add(OTHER.id, OTHER.plot);
  // 5 messages/s, burst 50: the flood is cut within a few hundred messages.
  hub = await startHub(['--scenario', map, '--data-dir', data.dir, '--rate-limit', '5']);
  other = await announcePlainPv(hub.mqttUrl, OTHER, otherPassword);
}, 60_000);

afterAll(async () => {
  for (const client of [other, ...clients]) client?.end(true);
  await hub?.stop();
  data.remove();
});

async function otherPowerKw(): Promise<number | undefined> {
  const state = (await (await fetch(`${hub.httpUrl}/api/state`)).json()) as { table: TableMap };
  return state.table.assets.find((asset) => asset.asset === OTHER.id)?.pKw;
}

/** The flooder's login attempt; resolves with the broker's answer ('accepted' or the refusal's message). */
async function flooderConnects(password: string): Promise<string> {
  try {
    clients.push(await connectClient(hub.mqttUrl, { clientId: FLOODER, username: FLOODER, password }));
    return 'accepted';
  } catch (error) {
    return (error as Error).message;
  }
}

describe('one board flooding', () => {
  it('is held off, before any password work, while the other board is read', async () => {
    await expect.poll(otherPowerKw, { timeout: 20_000 }).toBe(-1.5);
    // The flooding board as a real client would be: publishing as fast as it can, reconnecting at once.
    const flooder = mqtt.connect(hub.mqttUrl, {
      protocolVersion: 4,
      clientId: FLOODER,
      username: FLOODER,
      password: flooderPassword,
      reconnectPeriod: 20,
      reconnectOnConnackError: true, // mqtt.js stops at a refused CONNECT unless told: a flooder would not
    });
    clients.push(flooder);
    flooder.on('error', () => {});
    const pump = () => {
      if (!flooder.connected) return;
      for (let index = 0; index < 200; index++)
        flooder.publish(`homie/5/${FLOODER}/$log/debug`, 'x'.repeat(200));
      setImmediate(pump);
    };
    flooder.on('connect', pump);
    expect(
      await hub.logLine(new RegExp(`rate-limited: ${FLOODER} \\(${FLOODER}\\).*held off for 1 s`)),
    ).toMatch(/over 5 messages\/s/);
    expect(await hub.logLine(new RegExp(`rate-limited: ${FLOODER}.*held off for another`))).toBeTruthy();

    // Readings of the other board still reach the table, the flood and the reconnect loop going on.
    await other.publishAsync(`homie/5/${OTHER.id}/roof/power-kw`, '-2.25', { qos: 1, retain: true });
    await expect.poll(otherPowerKw, { timeout: 20_000 }).toBe(-2.25);
    expect(other.connected).toBe(true);

    // A repeat offender waits longer each time (1, 2, 4, 8 s): 8 s leaves room to ask while it is held.
    await hub.logLine(new RegExp(`rate-limited: ${FLOODER} \\(${FLOODER}\\).*held off for 8 s`));
    flooder.end(true);
    await closed(flooder);
    // Held off is answered before the password is checked: a wrong one gets the same answer, not "bad password".
    expect(await flooderConnects('not-its-password')).toMatch(/Server unavailable/);
    expect(await flooderConnects(flooderPassword)).toMatch(/Server unavailable/);
  }, 60_000);
});
