/**
 * Revoking a login closes what it opened (issue 21): `gridflex device remove`, a board re-keyed with
 * `gridflex device add --force`, `gridflex user remove`, a role change and a dashboard logout close that identity's open MQTT connections on a running hub (its file watch
 * or its logout), and the same login is refused afterwards.
 */
import { execFileSync } from 'node:child_process';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDevice, addUser, CLI, type HubProcess, startHub } from '../hub/live/hub-process.js';
import { closed, connectClient, subscribe, tempDir } from '../hub/mqtt-helpers.js';

const data = tempDir('gridflex-hostile-revocation-');
let hub: HubProcess;
const clients: MqttClient[] = [];

beforeAll(async () => {
  hub = await startHub(['--data-dir', data.dir]);
}, 60_000);

afterAll(async () => {
  for (const client of clients) client.end(true);
  await hub?.stop();
  data.remove();
});

/** Connects with keep-alive off: only the hub closing it ends the connection. */
async function login(url: string, username: string, password: string): Promise<MqttClient> {
  const client = await connectClient(url, { clientId: `${username}-c`, username, password, keepalive: 0 });
  clients.push(client);
  return client;
}

function gridflex(...args: string[]): void {
  execFileSync(process.execPath, [CLI, ...args, '--data-dir', data.dir], { stdio: 'pipe' });
}

describe('revocation closes open connections', () => {
  it('gridflex device remove closes the board’s connection, and it cannot log in again', async () => {
    const { password } = addDevice(data.dir, 'pv-r', 'pv', 'plot-1', hub.mqttUrl);
    // An anonymous viewer that sends an empty username is nobody, not a removed user: it stays.
    const viewer = await connectClient(hub.mqttUrl, { clientId: 'viewer-r', username: '', keepalive: 0 });
    clients.push(viewer);
    const gone = closed(await login(hub.mqttUrl, 'pv-r', password));
    gridflex('device', 'remove', 'pv-r');
    await gone;
    expect(await subscribe(viewer, 'gridflex/v1/clock')).toBe(1);
    expect(
      await hub.logLine(/refused-connection: pv-r-c \(pv-r\): user removed: connection closed/),
    ).toBeTruthy();
    await expect(login(hub.mqttUrl, 'pv-r', password)).rejects.toThrow(/Bad username or password/);
  });

  it('gridflex device add --force closes the board’s connection: the old key is refused, the new one taken', async () => {
    const old = addDevice(data.dir, 'pv-k', 'pv', 'plot-2', hub.mqttUrl);
    const gone = closed(await login(hub.mqttUrl, 'pv-k', old.password));
    const renewed = addDevice(data.dir, 'pv-k', 'pv', 'plot-2', hub.mqttUrl, ['--force']);
    await gone;
    expect(await hub.logLine(/pv-k-c \(pv-k\): its key was replaced: connection closed/)).toBeTruthy();
    await expect(login(hub.mqttUrl, 'pv-k', old.password)).rejects.toThrow(/Bad username or password/);
    expect((await login(hub.mqttUrl, 'pv-k', renewed.password)).connected).toBe(true);
  });

  it('gridflex user remove and a role change close that user’s connections', async () => {
    const removed = closed(await login(hub.mqttUrl, 'op-gone', addUser(data.dir, 'op-gone', 'operator')));
    gridflex('user', 'remove', 'op-gone');
    await removed;
    const demoted = closed(
      await login(hub.mqttUrl, 'op-demoted', addUser(data.dir, 'op-demoted', 'operator')),
    );
    addUser(data.dir, 'op-demoted', 'viewer');
    await demoted;
    expect(await hub.logLine(/op-demoted\): role changed to viewer: connection closed/)).toBeTruthy();
  });

  it('a dashboard logout closes the page’s MQTT-over-WebSocket connection that logged in with its token', async () => {
    const password = addUser(data.dir, 'op-page', 'operator');
    const response = await fetch(`${hub.httpUrl}/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'op-page', password }),
    });
    const { token } = (await response.json()) as { token: string };
    const gone = closed(await login(hub.wsUrl, 'op-page', token));
    const logout = await fetch(`${hub.httpUrl}/api/logout`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(await logout.json()).toEqual({ loggedOut: true });
    await gone;
    expect(await hub.logLine(/op-page\): dashboard session ended/)).toBeTruthy();
    await expect(login(hub.wsUrl, 'op-page', token)).rejects.toThrow(/Bad username or password/);
  });
});
