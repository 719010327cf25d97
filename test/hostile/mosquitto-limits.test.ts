/**
 * The hub's limits by board identity on an external Mosquitto (issue 21): started here on a loopback port from
 * `gridflex mosquitto-config`'s files. Before, only the embedded broker held them: on Mosquitto a board could
 * flood at any rate, reconnecting at once, and keep any amount retained.
 */
import type { ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDevice, CLI, freePort, type HubProcess, startHub } from '../hub/live/hub-process.js';
import { retainedTopics, startMosquitto, stopMosquitto } from '../hub/live/mosquitto-process.js';
import { closed, connectClient, nextMessage, subscribe, tempDir } from '../hub/mqtt-helpers.js';

const data = tempDir('gridflex-hostile-mosquitto-');
const RETAINED_MAX_TOPICS = 20;
let mosquitto: ChildProcess;
let brokerUrl: string;
let hub: HubProcess;
const passwords: Record<string, string> = {};
const clients: MqttClient[] = [];

beforeAll(async () => {
  const port = await freePort();
  brokerUrl = `mqtt://127.0.0.1:${port}`;
  for (const id of ['flood-1', 'flood-2', 'calm-1', 'hoard-1'])
    passwords[id] = addDevice(data.dir, id, 'pv', 'plot-1', brokerUrl).password;
  const conf = execFileSync(
    process.execPath,
    [CLI, 'mosquitto-config', '--data-dir', data.dir, '--port', String(port), '--host', '127.0.0.1'],
    { encoding: 'utf8' },
  ).trim();
  mosquitto = await startMosquitto(conf);
  // 5 messages/s, burst 50: a flood is a few hundred messages.
  hub = await startHub(hubFlags());
}, 60_000);

function hubFlags(): string[] {
  const limits = ['--rate-limit', '5', '--retained-max-topics', String(RETAINED_MAX_TOPICS)];
  return ['--data-dir', data.dir, '--broker', brokerUrl, ...limits];
}

afterAll(async () => {
  for (const client of clients) client.end(true);
  await hub?.stop();
  if (mosquitto) await stopMosquitto(mosquitto);
  data.remove();
});

async function board(id: string): Promise<MqttClient> {
  const client = await connectClient(brokerUrl, { clientId: id, username: id, password: passwords[id] });
  clients.push(client);
  return client;
}

/** Publishes `count` log lines (a topic any board may send under its own ID) without waiting for the broker. */
function flood(client: MqttClient, id: string, count: number): void {
  for (let index = 0; index < count; index++) client.publish(`homie/5/${id}/$log/info`, `line ${index}`);
}

/** Floods until Mosquitto closes the board's connection. */
async function floodUntilCutOff(id: string): Promise<void> {
  const flooder = await board(id);
  const gone = closed(flooder);
  flood(flooder, id, 200);
  await gone;
}

describe('a board flooding Mosquitto', () => {
  it('is cut off and refused for its hold-off across reconnects, doubling; other boards keep flowing', async () => {
    const viewer = await connectClient(brokerUrl, { clientId: 'viewer-calm' });
    clients.push(viewer);
    await subscribe(viewer, 'homie/5/calm-1/#');
    const calm = await board('calm-1');

    await floodUntilCutOff('flood-1');
    expect(await hub.logLine(/rate-limited: flood-1 \(flood-1\).*held off for 1 s/)).toMatch(
      /over 5 messages\/s \(burst 50\) for this identity over all its connections: disconnected/,
    );
    await expect(board('flood-1')).rejects.toThrow(/Not authorized/);

    const heard = nextMessage(viewer, (topic) => topic === 'homie/5/calm-1/$state');
    await calm.publishAsync('homie/5/calm-1/$state', 'ready', { qos: 1 });
    expect((await heard).payload.toString()).toBe('ready');

    // Once its hold-off is over it may connect again; flooding again holds it off twice as long.
    await expect
      .poll(
        () =>
          board('flood-1').then(
            () => true,
            () => false,
          ),
        { timeout: 20_000, interval: 200 },
      )
      .toBe(true);
    await floodUntilCutOff('flood-1');
    await hub.logLine(/rate-limited: flood-1 \(flood-1\).*held off for 2 s/);
    await expect(board('flood-1')).rejects.toThrow(/Not authorized/);
  });
});

describe('a board retaining more than its quota on Mosquitto', () => {
  it('has the topics over its quota cleared and is disconnected', async () => {
    const hoarder = await board('hoard-1');
    const gone = closed(hoarder);
    for (let index = 0; index < RETAINED_MAX_TOPICS + 10; index++)
      hoarder.publish(`homie/5/hoard-1/n${index}/v`, 'x'.repeat(100), { qos: 1, retain: true });
    await gone;
    await hub.logLine(
      new RegExp(
        `denied-publish: hoard-1 \\(hoard-1\\).*over its retained quota \\(${RETAINED_MAX_TOPICS} topics`,
      ),
    );
    await expect
      .poll(async () => (await retainedTopics(brokerUrl, 'homie/5/hoard-1/#')).length, { timeout: 20_000 })
      .toBe(RETAINED_MAX_TOPICS);
    // Not held off: it may come back with what it is allowed to keep.
    await board('hoard-1');
  });
});

describe('the password and ACL files beside the dynamic security plugin', () => {
  it('let in a board added while Mosquitto runs, after a SIGHUP', async () => {
    passwords['late-1'] = addDevice(data.dir, 'late-1', 'pv', 'plot-2', brokerUrl).password;
    await expect(board('late-1')).rejects.toThrow(/Not authorized/);
    mosquitto.kill('SIGHUP');
    await expect
      .poll(
        () =>
          board('late-1').then(
            () => true,
            () => false,
          ),
        { timeout: 20_000, interval: 200 },
      )
      .toBe(true);
  });
});

describe('a board held off by a hub that is killed', () => {
  it('is let in by the next hub, which finds the entry the killed one left in the plugin', async () => {
    await floodUntilCutOff('flood-2');
    await hub.logLine(/rate-limited: flood-2 \(flood-2\).*held off for 1 s/);
    const exited = new Promise((done) => hub.process.once('exit', done));
    hub.process.kill('SIGKILL');
    await exited;
    await expect(board('flood-2')).rejects.toThrow(/Not authorized/);
    hub = await startHub(hubFlags());
    await expect
      .poll(
        () =>
          board('flood-2').then(
            () => true,
            () => false,
          ),
        { timeout: 20_000, interval: 200 },
      )
      .toBe(true);
  });
});
