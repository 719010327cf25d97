import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { AgentProcess } from '../../devices/helpers.js';
import { tempDir } from '../mqtt-helpers.js';
import { addDevice, type HubProcess, startHub } from './hub-process.js';

const data = tempDir('gridflex-duplicate-board-');
let hub: HubProcess | undefined;
const agents: AgentProcess[] = [];

afterAll(async () => {
  await Promise.all(agents.map((agent) => agent.kill()));
  await hub?.stop();
  data.remove();
});

describe('a board restarted while its old agent process is still connected', () => {
  it('the new process takes the board’s session over at once (MQTT 3.1.4-2), with no refusal', async () => {
    hub = await startHub(['--data-dir', data.dir]);
    const { file } = addDevice(data.dir, 'pv-9', 'pv', 'plot-1', hub.mqttUrl);
    const first = AgentProcess.spawn(['--config', file, '--log-level', 'info']);
    agents.push(first);
    await first.waitForLine(/connected to mqtt:/);
    const second = AgentProcess.spawn(['--config', file, '--log-level', 'info']);
    agents.push(second);
    expect(await second.waitForLine(/connected to mqtt:|Identifier rejected/)).toMatch(/connected to mqtt:/);
    expect(hub.log.filter((line) => /duplicate-client-id/.test(line))).toEqual([]);
  });

  it('a config whose deviceId is another board’s name is told the ID belongs to another identity', async () => {
    const hubUrl = hub?.mqttUrl ?? '';
    const { file } = addDevice(data.dir, 'pv-8', 'pv', 'plot-2', hubUrl);
    // Logs in as pv-8 with pv-9's ID: the hub keeps a registered name's ID for that login.
    writeFileSync(file, readFileSync(file, 'utf8').replace(/^deviceId: pv-8$/m, 'deviceId: pv-9'));
    const impostor = AgentProcess.spawn(['--config', file, '--log-level', 'info']);
    agents.push(impostor);
    expect(await impostor.waitForLine(/Identifier rejected/)).toMatch(
      /client ID "pv-9" belongs to another identity/,
    );
  });
});
