/**
 * Homie 5 conformance of what GridFlex boards leave on the broker (issue 22): the demo boards of `gridflex hub
 * --demo` and one real device agent of every board kind, against the convention's rules written out in
 * ./homie-rules.ts: topic IDs, `$description`, every retained topic and its retained flag, each property payload
 * for its datatype and inside its `$format`, and the `$state` lifecycle (init → ready, `disconnected` on a clean
 * stop, `lost` as the last will); and the eBus nodes beside the table's own against the eBus rules there.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BOARD_KINDS } from '../../../hub/table/board-config.js';
import { GRIDFLEX_NODE_KINDS } from '../../../protocol/homie.js';
import { connectClient, nextMessage, subscribe, tempDir } from '../mqtt-helpers.js';
import {
  type Description,
  descriptionProblems,
  ebusProblems,
  HOMIE_ID,
  type Property,
  payloadProblem,
  STATES,
} from './homie-rules.js';
import { addDevice, DEVICE_CLI, type HubProcess, patchConfig, startHub } from './hub-process.js';

const data = tempDir('gridflex-homie-conformance-');
let hub: HubProcess;
const agents = new Map<string, ChildProcess>();
const configs = new Map<string, string>();
let watcher: MqttClient;
/** Every `$state` the watcher saw, per device, in order. */
const states = new Map<string, string[]>();
/** `gridflex hub --demo` starts one board per asset of the default table map. */
const DEMO_BOARDS = 6;
/** Boards of each kind started here (the demo boards come with the hub). */
const kindBoards = BOARD_KINDS.map((kind) => `check-${kind}`);

function startAgent(deviceId: string): void {
  const agent = spawn(
    process.execPath,
    [DEVICE_CLI, '--config', configs.get(deviceId) as string, '--broker', hub.mqttUrl, '--log-level', 'warn'],
    {
      stdio: 'ignore',
    },
  );
  agents.set(deviceId, agent);
}

async function stateReaches(deviceId: string, state: string, from: number): Promise<void> {
  const seen = () => (states.get(deviceId) ?? []).slice(from).includes(state);
  while (!seen()) await nextMessage(watcher, (topic) => topic === `homie/5/${deviceId}/$state`);
}

/** The retained messages a new subscriber to `homie/5/#` gets, once every described property has its value. */
async function retainedTopics(): Promise<Map<string, Buffer>> {
  const client = await connectClient(hub.mqttUrl, { clientId: `retained-${Date.now()}` });
  const retained = new Map<string, Buffer>();
  client.on('message', (topic, payload, packet) => {
    if (packet.retain) retained.set(topic, payload);
  });
  await subscribe(client, 'homie/5/#');
  // Complete once every device the watcher knows has its $state, its $description and a value for each property.
  const complete = () =>
    [...states.keys()].every((deviceId) => {
      if (!retained.has(`homie/5/${deviceId}/$state`)) return false;
      const description = retained.get(`homie/5/${deviceId}/$description`);
      if (description === undefined) return false;
      const nodes = (JSON.parse(description.toString()) as Description).nodes ?? {};
      return Object.entries(nodes).every(([nodeId, node]) =>
        Object.keys(node.properties ?? {}).every((propertyId) =>
          retained.has(`homie/5/${deviceId}/${nodeId}/${propertyId}`),
        ),
      );
    });
  while (!complete()) await nextMessage(client, () => true);
  client.end(true);
  return retained;
}

beforeAll(async () => {
  for (const [index, kind] of BOARD_KINDS.entries()) {
    const deviceId = kindBoards[index] as string;
    const { file } = addDevice(data.dir, deviceId, kind, 'plot-8', 'mqtt://127.0.0.1:1');
    patchConfig(file, { telemetryIntervalMs: 200 });
    configs.set(deviceId, file);
  }
  hub = await startHub(['--demo', '--data-dir', data.dir, '--step-ms', '100']);
  watcher = await connectClient(hub.mqttUrl, { clientId: 'homie-watcher' });
  watcher.on('message', (topic, payload) => {
    const deviceId = /^homie\/5\/([^/]+)\/\$state$/.exec(topic)?.[1];
    if (deviceId) states.set(deviceId, [...(states.get(deviceId) ?? []), payload.toString()]);
  });
  await subscribe(watcher, 'homie/5/+/$state');
  for (const deviceId of kindBoards) startAgent(deviceId);
  // The demo's six boards and one board of each kind, all ready.
  const ready = () => [...states.values()].filter((seen) => seen.includes('ready')).length;
  while (ready() < DEMO_BOARDS + kindBoards.length)
    await nextMessage(watcher, (topic) => topic.endsWith('/$state'));
}, 120_000);

afterAll(async () => {
  for (const agent of agents.values()) agent.kill('SIGKILL');
  watcher?.end(true);
  await hub?.stop();
  data.remove();
});

describe('Homie 5 conformance of every demo board and every board kind', () => {
  it('leaves only convention topics retained: IDs, $state, $description, every property valid for its datatype and $format', async () => {
    const retained = await retainedTopics();
    const descriptions = new Map<string, Description>();
    for (const [topic, payload] of retained)
      if (topic.endsWith('/$description'))
        descriptions.set(topic.split('/')[2] as string, JSON.parse(payload.toString()));
    // The six demo boards and one board of each kind, every GridFlex node kind among them.
    expect(descriptions.size).toBe(DEMO_BOARDS + BOARD_KINDS.length);
    const nodeTypes = new Set(
      [...descriptions.values()].flatMap((d) => Object.values(d.nodes ?? {}).map((node) => node.type)),
    );
    for (const kind of Object.keys(GRIDFLEX_NODE_KINDS)) expect(nodeTypes).toContain(`gridflex-${kind}`);

    const problems: string[] = [];
    for (const [deviceId, description] of descriptions)
      for (const problem of descriptionProblems(description)) problems.push(`${deviceId}: ${problem}`);
    for (const [topic, payload] of retained) {
      const [, , deviceId = '', level = '', propertyId, extra] = topic.split('/');
      if (!HOMIE_ID.test(deviceId)) problems.push(`${topic}: device ID`);
      if (level === '$state') {
        if (!STATES.includes(payload.toString())) problems.push(`${topic}: "${payload}" is no Homie state`);
        continue;
      }
      if (level === '$description') continue;
      // Commands, logs and the $readings stream are never retained; a retained value belongs to a described property.
      const property = descriptions.get(deviceId)?.nodes?.[level]?.properties?.[propertyId ?? ''];
      if (property === undefined || extra !== undefined) {
        problems.push(`${topic}: retained, but no retained property of $description`);
        continue;
      }
      if (property.retained === false) problems.push(`${topic}: retained, but $description says not`);
      const problem = payloadProblem(payload, property);
      if (problem) problems.push(`${topic}: ${problem}`);
    }
    expect(problems).toEqual([]);
    // The eBus vocabulary beside the table's own nodes: the rules, and the sign of each device model.
    const ebus = [...descriptions].flatMap(([deviceId, d]) =>
      ebusProblems(d).map((line) => `${deviceId}: ${line}`),
    );
    expect(ebus).toEqual([]);
    const ebusValue = (deviceId: string, nodeId: string, propertyId: string) =>
      Number(retained.get(`homie/5/${deviceId}/${nodeId}/${propertyId}`)?.toString());
    expect(descriptions.get('check-battery')?.type).toBe('energy.ebus.device.bess');
    expect(descriptions.get('check-meter')?.type).toBe('energy.ebus.device.utility-meter');
    // The same reading in both vocabularies (a tick apart at most: 0.003 % of charge at full power).
    expect(ebusValue('check-battery', 'soc', 'soc')).toBeCloseTo(
      ebusValue('check-battery', 'battery', 'soc-pct'),
      1,
    );
    expect(ebusValue('check-ev-pad', 'soc', 'soc')).toBeGreaterThanOrEqual(0);
    // PV is positive while producing (eBus's PV reference direction), the heat pump positive while drawing.
    expect(ebusValue('check-pv', 'meter', 'active-power')).toBeGreaterThanOrEqual(0);
    expect(ebusValue('check-heat-pump', 'meter', 'active-power')).toBeGreaterThanOrEqual(0);
    expect(
      [...retained.keys()]
        .filter((topic) => topic.endsWith('/$state'))
        .map((topic) => retained.get(topic)?.toString()),
    ).not.toContain('lost');
  });

  it('rejects what breaks the convention (the checks above can fail)', () => {
    const power = { datatype: 'float', format: '-4:0' };
    expect(payloadProblem(Buffer.from('{"value":-1,"ts":1,"seq":2}'), power)).toMatch(/is not a float/);
    expect(payloadProblem(Buffer.from('1e6'), power)).toBe('1e6 is outside -4:0');
    expect(payloadProblem(Buffer.from(''), { datatype: 'string' })).toMatch(/empty payload/);
    expect(payloadProblem(Buffer.from('1'), { datatype: 'boolean' })).toMatch(/not true or false/);
    expect(
      descriptionProblems({
        homie: '4.0',
        version: 1.5,
        nodes: { 'pv-': { properties: { X: { datatype: 'number' } } } },
      }),
    ).toHaveLength(5);
    const meter = (properties: Record<string, Property>) => ({
      type: 'energy.ebus.capability.meter',
      properties,
    });
    expect(
      ebusProblems({
        homie: '5.0',
        version: 1,
        type: 'energy.ebus.device.bess',
        nodes: {
          power: meter({
            'active-power': { datatype: 'float', unit: 'kW' },
            'power-kw': { datatype: 'float' },
          }),
        },
      }),
    ).toEqual([
      'power: not named meter',
      'power/active-power: float kW is not float W',
      'power/power-kw: not in the meter catalog',
      'energy.ebus.device.bess without its energy.ebus.capability.info node',
      'energy.ebus.device.bess without vendor-name',
      'energy.ebus.device.bess without serial-number',
      'energy.ebus.device.bess without its energy.ebus.capability.soc node',
      'energy.ebus.device.bess without soc',
    ]);
  });

  it('goes init → ready, says disconnected on a clean stop and lost (its last will) when killed', async () => {
    const deviceId = kindBoards[0] as string;
    expect(states.get(deviceId)?.slice(0, 2)).toEqual(['init', 'ready']);
    const stoppedAt = states.get(deviceId)?.length ?? 0;
    agents.get(deviceId)?.kill('SIGTERM');
    await stateReaches(deviceId, 'disconnected', stoppedAt);
    expect((await retainedTopics()).get(`homie/5/${deviceId}/$state`)?.toString()).toBe('disconnected');

    const restartedAt = states.get(deviceId)?.length ?? 0;
    startAgent(deviceId);
    await stateReaches(deviceId, 'ready', restartedAt);
    expect(states.get(deviceId)?.slice(restartedAt)).toEqual(['init', 'ready']);
    const killedAt = states.get(deviceId)?.length ?? 0;
    agents.get(deviceId)?.kill('SIGKILL');
    await stateReaches(deviceId, 'lost', killedAt);
    expect((await retainedTopics()).get(`homie/5/${deviceId}/$state`)?.toString()).toBe('lost');
  });
});
