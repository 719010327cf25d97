/**
 * Homie 5 conformance of what GridFlex boards leave on the broker (issue 22): the demo boards of `gridflex hub
 * --demo` and one real device agent of every board kind. The convention's rules are written out here from the
 * Homie 5 text, not taken from protocol/homie.ts, so the check does not share a mistake with the code it checks:
 * topic IDs, `$description`, every retained topic and its retained flag, each property payload for its datatype
 * and inside its `$format`, and the `$state` lifecycle (init → ready, `disconnected` on a clean stop, `lost` as
 * the last will).
 */
import { isUtf8 } from 'node:buffer';
import { type ChildProcess, spawn } from 'node:child_process';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BOARD_KINDS } from '../../../hub/table/board-config.js';
import { GRIDFLEX_NODE_KINDS } from '../../../protocol/homie.js';
import { connectClient, nextMessage, subscribe, tempDir } from '../mqtt-helpers.js';
import { addDevice, DEVICE_CLI, type HubProcess, patchConfig, startHub } from './hub-process.js';

/** A Homie topic level ID: lower-case letters, digits and hyphens, not starting or ending with a hyphen. */
const HOMIE_ID = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;
const INTEGER = /^-?[0-9]+$/;
const FLOAT = /^-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$/;
const NUMBER_FORMAT = /^(-?[0-9.eE+-]*):(-?[0-9.eE+-]*)(?::([0-9.eE+-]+))?$/;
const STATES = ['init', 'ready', 'disconnected', 'sleeping', 'lost'];
const DATATYPES = ['integer', 'float', 'boolean', 'string', 'enum', 'color', 'datetime', 'duration', 'json'];
/** Extension IDs: `<reverse domain>:<version>:[<homie versions>]`. */
const EXTENSION = /^[a-z0-9.-]+:[0-9]+\.[0-9]+\.[0-9]+:\[[0-9x.;]+\]$/;

interface Property {
  datatype: string;
  format?: string;
  retained?: boolean;
  settable?: boolean;
}
interface Description {
  homie: string;
  version: number;
  nodes?: Record<string, { type?: string; properties?: Record<string, Property> }>;
  extensions?: string[];
}

/** Why a `$description` breaks Homie 5, one line each. */
function descriptionProblems(description: Description): string[] {
  const problems: string[] = [];
  if (!/^5\.[0-9]+$/.test(description.homie)) problems.push(`homie "${description.homie}" is not 5.x`);
  if (!Number.isInteger(description.version)) problems.push('version is not an integer');
  for (const extension of description.extensions ?? [])
    if (!EXTENSION.test(extension)) problems.push(`extension "${extension}" is not id:version:[homie]`);
  for (const [nodeId, node] of Object.entries(description.nodes ?? {})) {
    if (!HOMIE_ID.test(nodeId)) problems.push(`node ID "${nodeId}"`);
    for (const [propertyId, property] of Object.entries(node.properties ?? {})) {
      const where = `${nodeId}/${propertyId}`;
      if (!HOMIE_ID.test(propertyId)) problems.push(`property ID "${where}"`);
      if (!DATATYPES.includes(property.datatype)) problems.push(`${where}: datatype "${property.datatype}"`);
      const problem = formatProblem(property);
      if (problem) problems.push(`${where}: ${problem}`);
    }
  }
  return problems;
}

function formatProblem(property: Property): string | null {
  if (property.datatype === 'enum') return property.format ? null : 'an enum needs its values in $format';
  if (property.format === undefined || !['integer', 'float'].includes(property.datatype)) return null;
  const match = NUMBER_FORMAT.exec(property.format);
  if (!match) return `$format "${property.format}" is not [min]:[max][:step]`;
  const [min, max] = [match[1], match[2]].map((side) => (side === '' ? undefined : Number(side)));
  if ([min, max].some((side) => side !== undefined && !Number.isFinite(side)))
    return `$format "${property.format}" has a bound that is not a number`;
  if (min !== undefined && max !== undefined && min > max) return `$format "${property.format}": min > max`;
  return null;
}

/** Why a property payload is not what Homie 5 writes for its datatype and `$format`, or null. */
function payloadProblem(payload: Buffer, property: Property): string | null {
  if (payload.length === 0) return 'empty payload (it would delete a retained value)';
  if (!isUtf8(payload)) return 'not UTF-8';
  const text = payload.toString('utf8');
  if (text === '\u0000') return property.datatype === 'string' ? null : 'the empty string for a non-string';
  switch (property.datatype) {
    case 'integer':
    case 'float': {
      if (!(property.datatype === 'integer' ? INTEGER : FLOAT).test(text))
        return `"${text}" is not a ${property.datatype}`;
      const match = NUMBER_FORMAT.exec(property.format ?? ':');
      const [min, max] = [match?.[1], match?.[2]].map((side) => (side ? Number(side) : undefined));
      const value = Number(text);
      if ((min !== undefined && value < min) || (max !== undefined && value > max))
        return `${text} is outside ${property.format}`;
      return null;
    }
    case 'boolean':
      return text === 'true' || text === 'false' ? null : `"${text}" is not true or false`;
    case 'enum':
      return (property.format ?? '').split(',').includes(text)
        ? null
        : `"${text}" is not one of ${property.format}`;
    case 'string':
      return null;
    default:
      return `datatype ${property.datatype} is not one GridFlex boards publish`;
  }
}

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
