/**
 * A user flooding valid control commands (issue 21) is held to a per-user rate: disconnected and held off at
 * its limit, so the hub's step queue and audit log take a burst, not the flood, and other users' commands are
 * still answered.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, type HubProcess, startHub } from '../hub/live/hub-process.js';
import { closed, connectClient, nextMessage, subscribe, tempDir } from '../hub/mqtt-helpers.js';

const data = tempDir('gridflex-hostile-controls-');
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

async function operator(username: string): Promise<MqttClient> {
  const password = addUser(data.dir, username, 'operator');
  const client = await connectClient(hub.mqttUrl, { clientId: username, username, password });
  clients.push(client);
  return client;
}

const pause = (requestId: string) => JSON.stringify({ action: 'pause', requestId });

describe('control commands per user', () => {
  it('a flood of valid commands is cut at the default 5/s (burst 20); another operator is still answered', async () => {
    const flooder = await operator('op-flood');
    const other = await operator('op-calm');
    await subscribe(other, 'gridflex/v1/audit');
    const gone = closed(flooder);
    for (let index = 0; index < 200; index++)
      flooder.publish('gridflex/control/v1/clock', pause(`flood-${index}`));
    await gone;
    expect(await hub.logLine(/rate-limited: op-flood \(op-flood\) on gridflex\/control\/v1\/clock/)).toMatch(
      /over 5 control commands\/s \(burst 20\)/,
    );
    const answered = nextMessage(
      other,
      (topic) => topic === 'gridflex/v1/audit',
      (payload) => payload.includes('"requestId":"calm-1"'),
    );
    await other.publishAsync('gridflex/control/v1/clock', pause('calm-1'), { qos: 1 });
    expect(JSON.parse((await answered).payload.toString())).toMatchObject({
      username: 'op-calm',
      accepted: true,
    });
    // The calm operator's answer comes after every flood command the hub took: the burst, its refill while the
    // flood was sent, and the refusal.
    const floodLines = readFileSync(join(data.dir, 'audit.log'), 'utf8')
      .split('\n')
      .filter((line) => line.includes('"username":"op-flood"'));
    expect(floodLines.length).toBeGreaterThanOrEqual(21);
    expect(floodLines.length).toBeLessThan(40);
  });
});
