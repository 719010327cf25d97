/**
 * The street's connection points in the Electrification Bus vocabulary, read by a plain mqtt.js subscriber
 * (no GridFlex code: eBus's topics spelled out as its framework writes them): one utility meter per home under
 * `ebus/5/…`, children of the street's root device, each with its bus's phase voltages and the home's net power
 * as the hub's power flow has them, passing the Homie 5 and eBus rules (./homie-rules.ts); `disconnected` when
 * the hub stops, and on an external Mosquitto `lost` (the last will) when it is killed.
 */
import { execFileSync } from 'node:child_process';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FeederBuses, Home } from '../../../protocol/gridflex.js';
import { nextMessage, tempDir } from '../mqtt-helpers.js';
import {
  type Description,
  descriptionProblems,
  ebusProblems,
  payloadProblem,
  STATES,
} from './homie-rules.js';
import { CLI, freePort, type HubProcess, startHub } from './hub-process.js';
import { startMosquitto, stopMosquitto } from './mosquitto-process.js';

const ROOT = 'gridflex-street';
const data = tempDir('gridflex-ebus-street-');
let hub: HubProcess;
let consumer: MqttClient;
/** The latest payload on every topic the consumer sees. */
const latest = new Map<string, Buffer>();

const text = (topic: string) => latest.get(topic)?.toString();
const description = (deviceId: string): Description | undefined => {
  const payload = text(`ebus/5/${deviceId}/$description`);
  return payload === undefined ? undefined : JSON.parse(payload);
};

/** Whether the root and each child it lists are ready with a value for every property they describe. */
function streetComplete(): boolean {
  const root = description(ROOT);
  if (root === undefined || text(`ebus/5/${ROOT}/$state`) !== 'ready') return false;
  return [ROOT, ...(root.children ?? [])].every((deviceId) => {
    const nodes = description(deviceId)?.nodes;
    if (nodes === undefined || text(`ebus/5/${deviceId}/$state`) !== 'ready') return false;
    return Object.entries(nodes).every(([nodeId, node]) =>
      Object.keys(node.properties ?? {}).every((propertyId) =>
        latest.has(`ebus/5/${deviceId}/${nodeId}/${propertyId}`),
      ),
    );
  });
}

beforeAll(async () => {
  // One step an hour: the first step's figures stay on the wire while the test reads them.
  hub = await startHub(['--data-dir', data.dir, '--step-ms', '3600000']);
  consumer = await mqtt.connectAsync(hub.mqttUrl, { clientId: 'ebus-consumer', reconnectPeriod: 0 });
  consumer.on('message', (topic, payload) => latest.set(topic, payload));
  await consumer.subscribeAsync(['ebus/5/#', 'gridflex/v1/homes/+'], { qos: 1 });
  // The hub's own home topics come on another retained stream: wait for one per meter too (a meter with no
  // home, or a home with no meter, still fails the comparison below).
  const homesSeen = () =>
    (description(ROOT)?.children ?? []).every((child) =>
      latest.has(`gridflex/v1/homes/${child.replace(/^street-/, '')}`),
    );
  while (!streetComplete() || !homesSeen()) await nextMessage(consumer, () => true);
}, 60_000);

afterAll(async () => {
  consumer?.end(true);
  await hub?.stop();
  data.remove();
});

describe('the street as eBus utility meters', () => {
  it('publishes one meter per home under the street root, every topic valid Homie 5 and eBus', () => {
    const root = description(ROOT) as Description;
    const homes = [...latest.keys()].flatMap(
      (topic) => /^gridflex\/v1\/homes\/([^/]+)$/.exec(topic)?.[1] ?? [],
    );
    expect(homes.length).toBeGreaterThan(0);
    expect(root.children?.sort()).toEqual(homes.map((home) => `street-${home}`).sort());
    const problems: string[] = [];
    for (const deviceId of [ROOT, ...(root.children ?? [])]) {
      const device = description(deviceId) as Description;
      if (deviceId !== ROOT && (device.root !== ROOT || device.type !== 'energy.ebus.device.utility-meter'))
        problems.push(`${deviceId}: not a utility meter under ${ROOT}`);
      for (const line of [...descriptionProblems(device), ...ebusProblems(device)])
        problems.push(`${deviceId}: ${line}`);
      if (!STATES.includes(text(`ebus/5/${deviceId}/$state`) ?? '')) problems.push(`${deviceId}: $state`);
      for (const [nodeId, node] of Object.entries(device.nodes ?? {}))
        for (const [propertyId, property] of Object.entries(node.properties ?? {})) {
          const topic = `ebus/5/${deviceId}/${nodeId}/${propertyId}`;
          const problem = payloadProblem(latest.get(topic) as Buffer, property);
          if (problem) problems.push(`${topic}: ${problem}`);
        }
    }
    expect(problems).toEqual([]);
  });

  it("shows each home's bus voltages and net power as the hub's power flow has them", async () => {
    const state = (await (await fetch(`${hub.httpUrl}/api/state`)).json()) as {
      feeder: { buses: FeederBuses };
    };
    const busVolts = new Map(state.feeder.buses.buses.map((bus) => [bus.bus, bus.vVolts]));
    const value = (home: string, propertyId: string) =>
      Number(text(`ebus/5/street-${home}/meter/${propertyId}`));
    let streetW = 0;
    for (const [topic, payload] of latest) {
      if (!topic.startsWith('gridflex/v1/homes/')) continue;
      const home = JSON.parse(payload.toString()) as Home;
      const volts = busVolts.get(home.bus) as number[];
      ['a', 'b', 'c'].forEach((phase, index) => {
        // Published to 0.1 V.
        expect(Math.abs(value(home.home, `voltage-${phase}`) - (volts[index] as number))).toBeLessThan(0.051);
      });
      // A plausible low-voltage supply: 230 V nominal, the statutory band 216.2–253 V with room either side.
      expect(value(home.home, 'voltage-a')).toBeGreaterThan(200);
      expect(value(home.home, 'voltage-a')).toBeLessThan(260);
      // Positive imported (utility-meter.md), in W.
      expect(value(home.home, 'active-power')).toBeCloseTo(home.netPKw * 1000, 0);
      streetW += value(home.home, 'active-power');
    }
    // The root aggregates its children.
    expect(Number(text(`ebus/5/${ROOT}/meter/active-power`))).toBeCloseTo(streetW, 0);
  });

  it('says disconnected, root and children, when the hub stops', async () => {
    const children = description(ROOT)?.children ?? [];
    const rootGone = nextMessage(
      consumer,
      (topic) => topic === `ebus/5/${ROOT}/$state`,
      (payload) => payload.toString() === 'disconnected',
    );
    await hub.stop();
    await rootGone;
    for (const child of children) expect(text(`ebus/5/${child}/$state`)).toBe('disconnected');
  });
});

describe('the street on an external broker', () => {
  it('says lost, its root’s last will, when the hub is killed', async () => {
    const dir = tempDir('gridflex-ebus-mosquitto-');
    const port = await freePort();
    const brokerUrl = `mqtt://127.0.0.1:${port}`;
    const conf = execFileSync(
      process.execPath,
      [CLI, 'mosquitto-config', '--data-dir', dir.dir, '--port', String(port), '--host', '127.0.0.1'],
      { encoding: 'utf8' },
    ).trim();
    const mosquitto = await startMosquitto(conf);
    const external = await startHub(['--data-dir', dir.dir, '--broker', brokerUrl, '--step-ms', '3600000']);
    const watcher = await mqtt.connectAsync(brokerUrl, { clientId: 'ebus-watcher', reconnectPeriod: 0 });
    try {
      const rootState = (state: string) =>
        nextMessage(
          watcher,
          (topic) => topic === `ebus/5/${ROOT}/$state`,
          (payload) => payload.toString() === state,
        );
      const ready = rootState('ready');
      await watcher.subscribeAsync(`ebus/5/${ROOT}/$state`, { qos: 1 });
      await ready;
      const lost = rootState('lost');
      external.process.kill('SIGKILL');
      await lost;
    } finally {
      watcher.end(true);
      external.process.kill('SIGKILL');
      await stopMosquitto(mosquitto);
      dir.remove();
    }
  }, 60_000);
});
