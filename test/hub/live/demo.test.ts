import { afterAll, describe, expect, it } from 'vitest';
import type { TableMap } from '../../../protocol/gridflex.js';
import { connectClient, nextMessage, subscribe, tempDir } from '../mqtt-helpers.js';
import { type HubProcess, startHub } from './hub-process.js';

const data = tempDir('gridflex-demo-');
let hub: HubProcess | undefined;

afterAll(async () => {
  await hub?.stop();
  data.remove();
});

describe('gridflex hub --demo (what npm start runs)', () => {
  it('brings every asset of the default table to life as a real device agent, and stops them all', async () => {
    hub = await startHub(['--demo', '--data-dir', data.dir]);
    const viewer = await connectClient(hub.wsUrl, { clientId: 'demo-viewer' });
    const allOnline = nextMessage(
      viewer,
      (topic) => topic === 'gridflex/v1/table/map',
      (payload) => (JSON.parse(payload.toString()) as TableMap).assets.every((asset) => asset.online),
    );
    await subscribe(viewer, 'gridflex/v1/table/map');
    const map = JSON.parse((await allOnline).payload.toString()) as TableMap;
    expect(map.assets.map((asset) => asset.asset).sort()).toEqual(
      ['battery-1', 'ev-1', 'ev-2', 'heat-pump-1', 'pv-1', 'pv-2'].sort(),
    );
    expect(map.assets.find((asset) => asset.asset === 'ev-1')?.plot).toBe('plot-3');
    viewer.end(true);
    expect(await hub.stop()).toBe(0);
    hub = undefined;
  });
});
