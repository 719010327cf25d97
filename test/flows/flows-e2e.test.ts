import { readFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry, FeederBuses, MarketPrices } from '../../protocol/gridflex.js';
import { addDevice, addUser, type HubProcess, startHub, writeTestMap } from '../hub/live/hub-process.js';
import { connectClient, nextMessage, subscribe, tempDir } from '../hub/mqtt-helpers.js';
import {
  adminApi,
  connectPvBoard,
  deploy,
  type FlowsProcess,
  failingFlows,
  startFlows,
} from './flows-process.js';

type FlowNode = Record<string, unknown> & { id: string; type: string };

const PV_KW = -2.5;
const data = tempDir('gridflex-flows-');
const passwords: Record<string, string> = {};
let hub: HubProcess;
let flows: FlowsProcess | undefined;
let board: MqttClient | undefined;
let viewer: MqttClient;

const example = (name: string) =>
  JSON.parse(readFileSync(join('flows', 'examples', `${name}.json`), 'utf8')) as FlowNode[];
const busAssetKw = (buses: FeederBuses, name: string) =>
  buses.buses.find((bus) => bus.bus === name)?.assetPKw;
const nextBuses = (accept: (buses: FeederBuses) => boolean) =>
  nextMessage(
    viewer,
    (topic) => topic === 'gridflex/v1/feeder/buses',
    (payload) => accept(JSON.parse(payload.toString()) as FeederBuses),
  ).then((message) => JSON.parse(message.payload.toString()) as FeederBuses);
/** The hub's next answer to a control message from `username`. */
const nextAnswer = (username: string, action: AuditEntry['action']) =>
  nextMessage(
    viewer,
    (topic) => topic === 'gridflex/v1/audit',
    (payload) => {
      const entry = JSON.parse(payload.toString()) as AuditEntry;
      return entry.username === username && entry.action === action;
    },
  ).then((message) => JSON.parse(message.payload.toString()) as AuditEntry);

function registerUser(name: string, role: string): void {
  passwords[name] = addUser(data.dir, name, role);
}

beforeAll(async () => {
  registerUser('node-red', 'operator');
  registerUser('reg', 'regulator');
  registerUser('assembly', 'assembly');
  registerUser('home2', 'resident:home-2');
  // The board's credentials first (its config names a broker URL it does not use here).
  const pv = addDevice(data.dir, 'pv-1', 'pv', 'plot-1', 'mqtt://127.0.0.1:1');
  hub = await startHub(['--scenario', writeTestMap(data.dir), '--data-dir', data.dir]);
  viewer = await connectClient(hub.mqttUrl, { clientId: 'flows-viewer' });
  const pvOnPlot1 = nextBuses((buses) => busAssetKw(buses, '11') === PV_KW);
  await subscribe(viewer, 'gridflex/v1/#');
  board = await connectPvBoard(hub.mqttUrl, 'pv-1', passwords['pv-1'] ?? pv.password, PV_KW);
  await pvOnPlot1;
  flows = await startFlows(['--broker', hub.mqttUrl, '--user', 'node-red', '--data-dir', data.dir], {
    GRIDFLEX_PASSWORD: passwords['node-red'] ?? '',
  });
  process.stdout.write(`gridflex flows: "flows ready" ${Math.round(flows.readyMs)} ms after spawn\n`);
});

afterAll(async () => {
  await flows?.interrupt();
  board?.end(true);
  viewer?.end(true);
  await hub?.stop();
  data.remove();
});

describe('npm run flows (gridflex flows) against a running hub', () => {
  it('starts with the hub config node and lists the examples in the palette', async () => {
    const editor = flows?.editorUrl ?? '';
    expect(await adminApi(editor, 'flows')).toEqual([
      { id: 'gridflex-hub-local', type: 'gridflex-hub', name: 'GridFlex hub', broker: '' },
    ]);
    const listed = (await adminApi(editor, 'library/examples/flows/node-red-contrib-gridflex')) as {
      fn: string;
    }[];
    expect(listed.map((entry) => entry.fn).sort()).toEqual([
      'assembly-shared-battery',
      'regulator-dynamic-network-charge',
      'resident-agent-function',
      'resident-ev-planner',
      'rewire-the-table',
    ]);
    expect(
      await adminApi(editor, 'library/examples/flows/node-red-contrib-gridflex/rewire-the-table'),
    ).toEqual(example('rewire-the-table'));
  });

  it('deploying the rewiring example and pressing its button moves the PV’s load from bus 11 to bus 16', async () => {
    const editor = flows?.editorUrl ?? '';
    await deploy(editor, example('rewire-the-table'));
    const moved = nextMessage(
      viewer,
      (topic) => topic === 'gridflex/v1/table/event',
      (payload) => payload.toString().includes('"toPlot":"plot-6"'),
    );
    const answered = nextAnswer('node-red', 'table-place');
    await adminApi(editor, 'inject/rewire-pv-1-to-plot-6', {});

    const event = JSON.parse((await moved).payload.toString());
    expect(event).toMatchObject({ asset: 'pv-1', fromPlot: 'plot-1', toPlot: 'plot-6', source: 'control' });
    const answer = await answered;
    expect(answer).toMatchObject({ role: 'operator', accepted: true });
    expect(answer.requestId).toMatch(/^nr-/);

    const after = await nextBuses((buses) => busAssetKw(buses, '16') === PV_KW);
    expect(busAssetKw(after, '11')).toBe(0);
    expect(busAssetKw(after, '16')).toBe(PV_KW);
  });

  it('the rewiring example’s wire buttons move plot-1 (and the PV on it) from bus 11 to bus 16 and back', async () => {
    const editor = flows?.editorUrl ?? '';
    const back = nextBuses((buses) => busAssetKw(buses, '11') === PV_KW);
    await adminApi(editor, 'inject/rewire-pv-1-to-plot-1', {});
    await back;

    const answered = nextAnswer('node-red', 'table-wire');
    const wired = nextBuses((buses) => busAssetKw(buses, '16') === PV_KW);
    await adminApi(editor, 'inject/rewire-wire-plot-1-to-bus-16', {});
    expect(await answered).toMatchObject({
      accepted: true,
      reason: 'plot-1 (home-1) rewired from bus 11 phase A to bus 16 phase C',
    });
    expect(busAssetKw(await wired, '11')).toBe(0);

    const restored = nextBuses((buses) => busAssetKw(buses, '11') === PV_KW);
    await adminApi(editor, 'inject/rewire-wire-plot-1-back', {});
    expect(busAssetKw(await restored, '16')).toBe(0);
  });

  it('the regulator’s, the assembly’s and the resident agent’s examples are answered by the hub', async () => {
    const editor = flows?.editorUrl ?? '';
    const logins: Record<string, string> = {
      'gridflex-hub-regulator': 'reg',
      'gridflex-hub-assembly': 'assembly',
      'gridflex-hub-resident': 'home2',
    };
    const nodes = [
      ...example('rewire-the-table'),
      ...example('regulator-dynamic-network-charge'),
      ...example('assembly-shared-battery'),
      // The agent decides every 30 simulated minutes; here at every step, so the test need not wait.
      ...example('resident-agent-function').map((node) =>
        node.type === 'gridflex-clock' ? { ...node, everyMinutes: 0 } : node,
      ),
    ].map((node) => {
      const username = logins[node.id];
      return username ? { ...node, credentials: { username, password: passwords[username] } } : node;
    });
    const rules = nextAnswer('reg', 'regulator-rules');
    const chargedPrices = nextMessage(
      viewer,
      (topic) => topic === 'gridflex/v1/market/prices',
      (payload) => (JSON.parse(payload.toString()) as MarketPrices).networkBand !== undefined,
    );
    const preferences = nextAnswer('home2', 'resident-preferences');
    await deploy(editor, nodes);

    // The network-charge function sends the bands on the first feeder summary it sees.
    expect(await rules).toMatchObject({ accepted: true, role: 'regulator' });
    const prices = JSON.parse((await chargedPrices).payload.toString()) as MarketPrices;
    // The test street's clock starts at 18:00: the red band.
    expect(prices.networkBand).toBe('red');
    expect(prices.networkChargeGbpPerKwh).toBeGreaterThan(0);

    // The resident agent (a function node) sends home-2's preferences once it has a price and a clock.
    expect(await preferences).toMatchObject({ accepted: true, role: 'resident:home-2' });

    const assembly = nextAnswer('assembly', 'assembly-battery-rules');
    await adminApi(editor, 'inject/assembly-medical-first', {});
    expect(await assembly).toMatchObject({ accepted: true, role: 'assembly' });
  });

  it('refuses bad flags and a wrong password with exit code 2 and a clear message', async () => {
    const url = hub.mqttUrl;
    const cases: [string[], Record<string, string>, RegExp][] = [
      [['--port', 'abc'], {}, /error: --port: "abc" is not a port number/],
      [['--broker', 'localhost'], {}, /error: --broker: "localhost" is not an mqtt:\/\/host:port URL/],
      [['--broker', url, '--user', 'node-red'], {}, /error: --user: needs a password: set GRIDFLEX_PASSWORD/],
      [['--broker', url, '--password-file', 'pw'], {}, /error: --password-file: needs --user/],
      [
        ['--broker', url, '--user', 'node-red', '--data-dir', data.dir],
        { GRIDFLEX_PASSWORD: 'wrong' },
        /error: --user: the hub at mqtt:\/\/127\.0\.0\.1:\d+ refused user node-red/,
      ],
    ];
    // A port something else listens on.
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', () => resolve()));
    const takenPort = String((taken.address() as AddressInfo).port);
    cases.push([
      ['--broker', url, '--port', takenPort, '--data-dir', data.dir],
      {},
      new RegExp(`error: --port: 127\\.0\\.0\\.1:${takenPort} is already in use .*choose another port`),
    ]);
    try {
      for (const [flags, env, message] of cases) {
        const result = await failingFlows(flags, env);
        expect({ flags, code: result.code }).toEqual({ flags, code: 2 });
        expect(result.stderr).toMatch(message);
      }
    } finally {
      taken.close();
    }
  });

  it('stops cleanly on SIGINT', async () => {
    expect(await flows?.interrupt()).toBe(0);
    expect(flows?.stderr()).not.toMatch(/error/i);
    flows = undefined;
  });
});
