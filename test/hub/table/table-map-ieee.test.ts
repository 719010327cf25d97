import type { MqttClient } from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_LIVE_SHADOWS } from '../../../hub/agents/registry.js';
import { loadFeeder } from '../../../hub/feeder/index.js';
import { loadScenario } from '../../../hub/scenarios/index.js';
import { checkMapAgainstFeeder, loadTableMap } from '../../../hub/table/map-config.js';
import {
  type FeederSummary,
  gridflexTopics,
  type LiveComparison,
  type LivePolicy,
  type TableMap,
} from '../../../protocol/gridflex.js';
import { type HubProcess, startHub } from '../live/hub-process.js';
import { connectClient, nextMessage, subscribe, tempDir } from '../mqtt-helpers.js';

const MAP_FILE = 'scenarios/table-map-ieee.yaml';
const json = <T>(payload: Buffer) => JSON.parse(payload.toString()) as T;

describe('scenarios/table-map-ieee.yaml (the IEEE street on the live table)', () => {
  const map = loadTableMap(MAP_FILE);
  const network = loadFeeder(map.feederDir);

  it('has one home plot per feeder load, on the load’s bus and phase, stepping every second', () => {
    expect(() => checkMapAgainstFeeder(map, network)).not.toThrow();
    expect(map.plots).toHaveLength(55);
    expect(network.loads).toHaveLength(55);
    for (const load of network.loads) {
      const plot = map.plots.find((candidate) => candidate.baseLoad === load.name);
      expect(plot, load.name).toMatchObject({ bus: load.bus, phase: load.phases[0] });
    }
    expect(new Set(map.plots.map((plot) => plot.home)).size).toBe(55);
    expect(map.clock.stepMs).toBe(1000);
    expect(map.live.policy).toBe('cooperative');
  });

  it('puts on each plot the assets its home has in the batch street at 30 % adoption', () => {
    const { scenario } = loadScenario('scenarios/ieee-eu-lv-30.yaml');
    const kinds = { pv: 'pv', ev: 'ev', heatPump: 'heat-pump', battery: 'battery' } as const;
    for (const home of scenario.homes) {
      const plot = map.plots.find((candidate) => candidate.baseLoad === home.feederLoad);
      const onPlot = map.assets.filter((asset) => asset.plot === plot?.plot).map((asset) => asset.kind);
      const expected = (Object.keys(kinds) as (keyof typeof kinds)[])
        .filter((key) => home.spec[key] !== undefined)
        .map((key) => kinds[key]);
      expect(onPlot.sort(), home.feederLoad).toEqual(expected.sort());
      const ev = map.assets.find((asset) => asset.plot === plot?.plot && asset.kind === 'ev');
      if (home.spec.ev) {
        expect(ev).toMatchObject({
          capacityKwh: home.spec.ev.capacityKwh,
          chargeKw: home.spec.ev.maxChargeKw,
        });
      }
    }
    // An EV is on the street when its plot's pad reads its tag (the demo's pads too).
    expect(map.assets.filter((asset) => asset.kind === 'ev' && asset.nfcTag === undefined)).toEqual([]);
    const count = (kind: string) => map.assets.filter((asset) => asset.kind === kind).length;
    expect([count('pv'), count('ev'), count('heat-pump'), count('battery')]).toEqual([17, 17, 17, 6]);
  });
});

describe('gridflex hub on scenarios/table-map-ieee.yaml', () => {
  const data = tempDir('gridflex-ieee-map-');
  let hub: HubProcess | undefined;
  let viewer: MqttClient | undefined;

  afterAll(async () => {
    viewer?.end(true);
    await hub?.stop();
    data.remove();
  });

  it('starts, solves the IEEE feeder each step and runs cooperative with the default shadow runs', async () => {
    hub = await startHub(['--scenario', MAP_FILE, '--data-dir', data.dir, '--step-ms', '200']);
    viewer = await connectClient(hub.mqttUrl, { clientId: 'ieee-viewer' });
    const client = viewer;
    const solved = nextMessage(
      client,
      (topic) => topic === gridflexTopics.feederSummary(),
      (payload) => json<FeederSummary>(payload).step >= 2,
    );
    const comparison = nextMessage(
      client,
      (topic) => topic === gridflexTopics.liveComparison(),
      (payload) => json<LiveComparison>(payload).step >= 2,
    );
    const policy = nextMessage(client, (topic) => topic === gridflexTopics.livePolicy());
    const tableMap = nextMessage(client, (topic) => topic === gridflexTopics.tableMap());
    await subscribe(client, 'gridflex/v1/#');

    const summary = json<FeederSummary>((await solved).payload);
    expect(summary.converged).toBe(true);
    expect(summary.substationPKw).toBeGreaterThan(0);
    expect(json<TableMap>((await tableMap).payload).plots).toHaveLength(55);
    expect(json<LivePolicy>((await policy).payload)).toMatchObject({ running: 'cooperative' });
    const figures = json<LiveComparison>((await comparison).payload);
    expect(figures.running.policy).toBe('cooperative');
    expect(figures.shadows.map((shadow) => shadow.policy)).toEqual([...DEFAULT_LIVE_SHADOWS]);
  }, 60_000);
});
