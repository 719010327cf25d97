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
  it('the new process logs why the broker says "Identifier rejected" and what to do; so does the hub', async () => {
    hub = await startHub(['--data-dir', data.dir]);
    const { file } = addDevice(data.dir, 'pv-9', 'pv', 'plot-1', hub.mqttUrl);
    const first = AgentProcess.spawn(['--config', file, '--log-level', 'info']);
    agents.push(first);
    await first.waitForLine(/connected to mqtt:/);
    const second = AgentProcess.spawn(['--config', file, '--log-level', 'info']);
    agents.push(second);
    const line = await second.waitForLine(/Identifier rejected/);
    expect(line).toMatch(
      /error pv-9: broker mqtt:\S+: Connection refused: Identifier rejected: the broker already has a connection with client ID "pv-9" and keeps one per board\. Usually an earlier agent process of this board is still running .*`pgrep -af pv-9`/,
    );
    expect(await hub.logLine(/duplicate-client-id/)).toMatch(
      /an earlier process of this board still running, or two boards with one ID/,
    );
  });
});
