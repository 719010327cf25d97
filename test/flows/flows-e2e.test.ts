import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry, FeederBuses } from '../../protocol/gridflex.js';
import { addDevice, CLI, type HubProcess, startHub, writeTestMap } from '../hub/live/hub-process.js';
import { connectClient, nextMessage, subscribe, tempDir } from '../hub/mqtt-helpers.js';
import { adminApi, connectPvBoard, type FlowsProcess, failingFlows, startFlows } from './flows-process.js';

const PV_KW = -2.5;
const data = tempDir('gridflex-flows-');
let hub: HubProcess | undefined;
let flows: FlowsProcess | undefined;
let board: MqttClient | undefined;
let viewer: MqttClient | undefined;
let operatorPassword = '';

const busAssetKw = (buses: FeederBuses, name: string) =>
  buses.buses.find((bus) => bus.bus === name)?.assetPKw;
const nextBuses = (client: MqttClient, accept: (buses: FeederBuses) => boolean) =>
  nextMessage(
    client,
    (topic) => topic === 'gridflex/v1/feeder/buses',
    (payload) => accept(JSON.parse(payload.toString()) as FeederBuses),
  ).then((message) => JSON.parse(message.payload.toString()) as FeederBuses);

beforeAll(async () => {
  const added = execFileSync(
    process.execPath,
    [CLI, 'user', 'add', 'node-red', '--role', 'operator', '--data-dir', data.dir],
    { encoding: 'utf8' },
  );
  operatorPassword = /password: (\S+)/.exec(added)?.[1] ?? '';
  // The board's credentials first (its config names a broker URL it does not use here).
  const pv = addDevice(data.dir, 'pv-1', 'pv', 'plot-1', 'mqtt://127.0.0.1:1');
  hub = await startHub([
    '--scenario',
    writeTestMap(data.dir),
    '--data-dir',
    data.dir,
    '--mqtt-port',
    '0',
    '--ws-port',
    '0',
    '--http-port',
    '0',
  ]);
  viewer = await connectClient(hub.mqttUrl, { clientId: 'flows-viewer' });
  const pvOnPlot1 = nextBuses(viewer, (buses) => busAssetKw(buses, '11') === PV_KW);
  await subscribe(viewer, 'gridflex/v1/#');
  board = await connectPvBoard(hub.mqttUrl, 'pv-1', pv.password, PV_KW);
  await pvOnPlot1;
});

afterAll(async () => {
  await flows?.interrupt();
  board?.end(true);
  viewer?.end(true);
  await hub?.stop();
  data.remove();
});

describe('npm run flows (gridflex flows) against a running hub', () => {
  it('deploying the rewiring example and pressing its button moves the PV’s load from bus 11 to bus 16', async () => {
    const running = await startFlows(
      ['--broker', hub?.mqttUrl ?? '', '--user', 'node-red', '--data-dir', data.dir],
      {
        GRIDFLEX_PASSWORD: operatorPassword,
      },
    );
    flows = running;
    process.stdout.write(`gridflex flows ready in ${Math.round(running.readyMs)} ms\n`);

    // A new user dir starts with the hub config node the examples name.
    expect(await adminApi(running.editorUrl, 'flows')).toEqual([
      { id: 'gridflex-hub-local', type: 'gridflex-hub', name: 'GridFlex hub', broker: '' },
    ]);
    // The palette lists the examples (editor menu → Import → Examples).
    expect(await adminApi(running.editorUrl, 'library/examples/flows/node-red-contrib-gridflex')).toEqual(
      expect.arrayContaining([{ fn: 'rewire-the-table' }, { fn: 'resident-agent-function' }]),
    );
    const example = await adminApi(
      running.editorUrl,
      'library/examples/flows/node-red-contrib-gridflex/rewire-the-table',
    );
    expect(example).toEqual(
      JSON.parse(readFileSync(join('flows', 'examples', 'rewire-the-table.json'), 'utf8')),
    );

    await adminApi(running.editorUrl, 'flows', example);
    const moved = nextMessage(
      viewer as MqttClient,
      (topic) => topic === 'gridflex/v1/table/event',
      (payload) => payload.toString().includes('"toPlot":"plot-6"'),
    );
    const answered = nextMessage(
      viewer as MqttClient,
      (topic) => topic === 'gridflex/v1/audit',
      (payload) => (JSON.parse(payload.toString()) as AuditEntry).action === 'table-place',
    );
    await adminApi(running.editorUrl, 'inject/rewire-pv-1-to-plot-6', {});

    const event = JSON.parse((await moved).payload.toString());
    expect(event).toMatchObject({ asset: 'pv-1', fromPlot: 'plot-1', toPlot: 'plot-6', source: 'control' });
    const answer = JSON.parse((await answered).payload.toString()) as AuditEntry;
    expect(answer).toMatchObject({ username: 'node-red', role: 'operator', accepted: true });
    expect(answer.requestId).toMatch(/^nr-/);

    const after = await nextBuses(viewer as MqttClient, (buses) => busAssetKw(buses, '16') === PV_KW);
    expect(busAssetKw(after, '11')).toBe(0);
    expect(busAssetKw(after, '16')).toBe(PV_KW);

    expect(await running.interrupt()).toBe(0);
    flows = undefined;
  });

  it('refuses bad flags and a wrong password with exit code 2 and a clear message', async () => {
    const url = hub?.mqttUrl ?? '';
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
    for (const [flags, env, message] of cases) {
      const result = await failingFlows(flags, env);
      expect({ flags, code: result.code }).toEqual({ flags, code: 2 });
      expect(result.stderr).toMatch(message);
    }
  });
});
