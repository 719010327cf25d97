import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  FakeHub,
  helper,
  NODE_MODULES,
  nextError,
  nextInput,
  nextStatus,
  nextWarning,
  type RedNode,
  RigBroker,
  type Status,
  statusShown,
} from './node-rig.js';

const nodes = Object.values(NODE_MODULES);
let broker: RigBroker;
let hub: FakeHub;

beforeAll(async () => {
  broker = await RigBroker.start();
  hub = await FakeHub.connect(broker.url);
});

afterEach(async () => {
  await helper.unload();
});

afterAll(async () => {
  hub.close();
  await broker.stop();
});

const connected = (status: Status) => status.text === 'connected';
const red = (status: Status) => status.fill === 'red' && status.shape === 'ring';

/** Loads `node` (id n1) wired to a helper node (id out) and a hub config node on the rig's broker. */
async function load(node: Record<string, unknown>): Promise<{ n1: RedNode; out: RedNode }> {
  await helper.load(nodes, [
    { id: 'hub', type: 'gridflex-hub', broker: broker.url },
    { id: 'n1', hub: 'hub', wires: [['out']], ...node },
    { id: 'out', type: 'helper' },
  ]);
  const n1 = helper.getNode('n1');
  return { n1, out: helper.getNode('out') };
}

/** Loads the node and waits until its hub connection is up. */
async function loadConnected(node: Record<string, unknown>): Promise<{ n1: RedNode; out: RedNode }> {
  const loaded = await load(node);
  await statusShown(loaded.n1, connected);
  return loaded;
}

/** Sends a bad message and checks it is refused: red ring with the reason, node.error, nothing published. */
async function expectRefused(n1: RedNode, msg: Record<string, unknown>, reason: RegExp): Promise<void> {
  const published = hub.received.length;
  const status = nextStatus(n1, red);
  const error = nextError(n1);
  expect(() => n1.receive(msg)).not.toThrow();
  const reported = await error;
  expect(reported.text).toMatch(reason);
  // The status shows the same reason, shortened to fit under the node.
  expect(reported.text.startsWith((await status).text?.replace(/…$/, '') ?? '-')).toBe(true);
  expect(reported.msg).toMatchObject(msg);
  // A publish the broker handles after the refusal would have arrived by now at the fake hub: send a marker.
  await hub.publish('gridflex/control/v1/marker', 'x');
  expect(hub.received.slice(published).filter((entry) => !entry.topic.endsWith('/marker'))).toEqual([]);
}

describe('gridflex-hub (config node)', () => {
  it('logs in with its credentials; a wrong password shows "refused by the hub" on the nodes', async () => {
    const guarded = await RigBroker.start({ login: { username: 'op', password: 'secret' } });
    try {
      const flow = (password: string) => ({
        flow: [
          { id: 'hub', type: 'gridflex-hub', broker: guarded.url },
          { id: 'n1', type: 'gridflex-clock', hub: 'hub', everyMinutes: 0, wires: [[]] },
        ],
        credentials: { hub: { username: 'op', password } },
      });
      const good = flow('secret');
      await helper.load(nodes, good.flow, good.credentials);
      const hubNode = helper.getNode('hub') as unknown as { client: { connected: boolean } };
      if (!hubNode.client.connected) await nextStatus(helper.getNode('n1'), connected);
      expect(hubNode.client.connected).toBe(true);
      await helper.unload();

      const bad = flow('wrong');
      await helper.load(nodes, bad.flow, bad.credentials);
      const status = await nextStatus(helper.getNode('n1'), red);
      expect(status.text).toMatch(/refused by the hub/);
    } finally {
      await helper.unload();
      await guarded.stop();
    }
  });

  it('a publish the hub refuses (it closes the connection) is reported once, not sent again on reconnect', async () => {
    const strict = await RigBroker.start({ refusePublishOn: (topic) => topic.includes('/supplier/') });
    try {
      await helper.load(nodes, [
        { id: 'hub', type: 'gridflex-hub', broker: strict.url },
        { id: 'n1', type: 'gridflex-tariff', hub: 'hub', supplier: 'octo', tariff: '', wires: [[]] },
      ]);
      const n1 = helper.getNode('n1');
      await statusShown(n1, connected);
      const error = nextError(n1);
      n1.receive({
        payload: {
          tariffId: 'flat-24',
          kind: 'flat',
          importPriceGbpPerKwh: 0.24,
          exportPriceGbpPerKwh: 0.15,
          standingChargeGbpPerDay: 0.55,
        },
      });
      expect((await error).text).toMatch(
        /tariff flat-24 not sent: the hub closed the connection instead of taking it: may an anonymous client publish on gridflex\/control\/v1\/supplier\/octo\/tariff\?/,
      );
      // The connection comes back (after the 2 s reconnect period) without the refused message.
      await nextStatus(n1, connected);
      expect(strict.refusedPublishes).toBe(1);
    } finally {
      await helper.unload();
      await strict.stop();
    }
  });

  it('follows the hub through a restart: refuses while it is down, subscribes again when it is back', async () => {
    const restarting = await RigBroker.start();
    let again: RigBroker | undefined;
    try {
      await helper.load(nodes, [
        { id: 'hub', type: 'gridflex-hub', broker: restarting.url },
        {
          id: 'n1',
          type: 'gridflex-watch',
          hub: 'hub',
          topic: 'gridflex/v1/metrics',
          home: '',
          wires: [['out']],
        },
        { id: 'n2', type: 'gridflex-plot', hub: 'hub', asset: 'pv-1', plot: '', wires: [[]] },
        { id: 'out', type: 'helper' },
      ]);
      const [n1, n2, out] = [helper.getNode('n1'), helper.getNode('n2'), helper.getNode('out')];
      await statusShown(n1, connected);
      const down = nextStatus(n1, red);
      const port = restarting.port;
      await restarting.stop();
      expect((await down).text).toMatch(/disconnected/);
      const error = nextError(n2);
      n2.receive({ payload: 'plot-6' });
      expect((await error).text).toMatch(/placement pv-1 → plot-6 not sent: not connected to the hub/);

      const back = nextStatus(n1, connected);
      again = await RigBroker.start({ port });
      await back;
      const metrics = {
        step: 9,
        simTime: '2026-01-15T18:54:00.000Z',
        importedKwh: 3,
        exportedKwh: 0,
        lossesKwh: 0.1,
        peakSubstationPKw: 30,
        peakTransformerLoadingPct: 60,
        stepsWithVoltageBreach: 0,
        minVoltsSeen: 236,
        maxVoltsSeen: 252,
      };
      // Retained: it reaches the node whether its subscription is back already or comes back later.
      const received = nextInput(out);
      const publisher = await FakeHub.connect(again.url);
      await publisher.publish('gridflex/v1/metrics', metrics, true);
      expect((await received).payload).toEqual(metrics);
      publisher.close();
    } finally {
      await helper.unload();
      await again?.stop();
    }
  });

  it('a node without a hub says so and refuses messages without throwing', async () => {
    await helper.load(nodes, [{ id: 'n1', type: 'gridflex-plot', hub: '', asset: 'pv-1', wires: [[]] }]);
    const n1 = helper.getNode('n1');
    const error = nextError(n1);
    n1.receive({ payload: 'plot-2' });
    expect((await error).text).toBe('no GridFlex hub configured');
  });
});

describe('gridflex-plot', () => {
  const tableMap = {
    feeder: 'table-street',
    plots: [
      { plot: 'plot-1', bus: '11', phase: 'A', home: 'home-1' },
      { plot: 'plot-6', bus: '16', phase: 'C', home: 'home-6' },
    ],
    assets: [{ asset: 'pv-1', kind: 'pv', plot: 'plot-1', online: true, pKw: -2 }],
    buses: ['1', '2', '11', '12', '16'],
  };

  beforeAll(async () => {
    await hub.publish('gridflex/v1/table/map', tableMap, true);
  });
  afterAll(async () => {
    await hub.publish('gridflex/v1/table/map', '', true);
  });

  it('sends a placement, then shows and outputs the hub’s answer', async () => {
    const { n1, out } = await loadConnected({ type: 'gridflex-plot', asset: 'pv-1', plot: '' });
    const sent = hub.next('gridflex/control/v1/table/place');
    n1.receive({ payload: 'plot-6', tag: 'kept' });
    const body = JSON.parse(await sent) as Record<string, unknown>;
    expect(body).toMatchObject({ asset: 'pv-1', plot: 'plot-6' });
    expect(body.requestId).toMatch(/^nr-/);

    const answer = nextInput(out);
    const green = nextStatus(n1, (status) => status.text?.startsWith('accepted') === true);
    await hub.answer('gridflex/control/v1/table/place', JSON.stringify(body), true, 'pv-1 moved to plot-6');
    const msg = await answer;
    expect(msg).toMatchObject({ topic: 'gridflex/v1/audit', accepted: true, tag: 'kept' });
    expect(msg.payload).toMatchObject({ accepted: true, requestId: body.requestId });
    expect((await green).text).toBe('accepted: pv-1 moved to plot-6');
  });

  it('a refusal from the hub turns the status red and is reported', async () => {
    const { n1 } = await loadConnected({ type: 'gridflex-plot', asset: '', plot: '' });
    const sent = hub.next('gridflex/control/v1/table/place');
    n1.receive({ payload: { asset: 'pv-1', plot: null } });
    const body = await sent;
    expect(JSON.parse(body)).toMatchObject({ asset: 'pv-1', plot: null });
    const status = nextStatus(n1, red);
    const error = nextError(n1);
    await hub.answer('gridflex/control/v1/table/place', body, false, 'operator may not lift pv-1');
    expect((await status).text).toBe('refused: operator may not lift pv-1');
    expect((await error).text).toMatch(/the hub refused .*operator may not lift pv-1/);
  });

  it('refuses unknown plots and assets (from the table map) and malformed placements', async () => {
    const { n1 } = await load({ type: 'gridflex-plot', asset: 'pv-1', plot: '' });
    await statusShown(n1, (status) => status.text === 'table: 2 plots, 1 assets');
    await expectRefused(
      n1,
      { payload: 'plot-99' },
      /unknown plot "plot-99" \(the table has plot-1, plot-6\)/,
    );
    await expectRefused(n1, { payload: { asset: 'ev-9', plot: 'plot-1' } }, /unknown asset "ev-9"/);
    await expectRefused(n1, { payload: 42 }, /invalid placement .*plot/);
    await expectRefused(n1, { payload: [1, 2] }, /invalid placement/);
    await expectRefused(n1, { payload: { plot: 'plot-6', extra: true } }, /invalid placement .*extra/);
  });

  it('in wire mode wires a plot to a bus and phase, and outputs the hub’s answer', async () => {
    const { n1, out } = await loadConnected({
      type: 'gridflex-plot',
      mode: 'wire',
      plot: 'plot-6',
      phase: 'B',
    });
    const sent = hub.next('gridflex/control/v1/table/wire');
    n1.receive({ payload: '12' });
    const body = JSON.parse(await sent) as Record<string, unknown>;
    expect(body).toMatchObject({ plot: 'plot-6', bus: '12', phase: 'B' });
    expect(body.requestId).toMatch(/^nr-/);
    expect(body).not.toHaveProperty('asset');

    const answer = nextInput(out);
    const reason = 'plot-6 (home-6) rewired from bus 16 phase C to bus 12 phase B';
    await hub.answer('gridflex/control/v1/table/wire', JSON.stringify(body), true, reason);
    expect(await answer).toMatchObject({ accepted: true, payload: { reason } });

    // Fields in the message override the node's.
    const again = hub.next('gridflex/control/v1/table/wire');
    n1.receive({ payload: { plot: 'plot-1', bus: '11', phase: 'A' } });
    expect(JSON.parse(await again)).toMatchObject({ plot: 'plot-1', bus: '11', phase: 'A' });
  });

  it('in wire mode refuses plots and buses the table map does not list, and phases that do not exist', async () => {
    const { n1 } = await load({ type: 'gridflex-plot', mode: 'wire', plot: 'plot-6', phase: 'A' });
    await statusShown(n1, (status) => status.text === 'table: 2 plots, 1 assets');
    await expectRefused(
      n1,
      { payload: '99' },
      /unknown bus "99" \(plots can be wired to buses 1, 2, 11, 12, 16\)/,
    );
    await expectRefused(n1, { payload: { plot: 'plot-9', bus: '12' } }, /unknown plot "plot-9"/);
    await expectRefused(n1, { payload: { bus: '12', phase: 'D' } }, /invalid wiring .*phase/);
    await expectRefused(n1, { payload: 42 }, /invalid wiring .*bus/);
  });
});

describe('gridflex-tariff', () => {
  const tariff = JSON.stringify({
    tariffId: 'flat-24',
    kind: 'flat',
    importPriceGbpPerKwh: 0.24,
    exportPriceGbpPerKwh: 0.15,
    standingChargeGbpPerDay: 0.55,
  });

  it('publishes the node’s tariff with msg.payload’s fields on the supplier’s topic', async () => {
    const { n1 } = await loadConnected({ type: 'gridflex-tariff', supplier: 'octo', tariff });
    const sent = hub.next('gridflex/control/v1/supplier/octo/tariff');
    n1.receive({ payload: { importPriceGbpPerKwh: 0.21 } });
    expect(JSON.parse(await sent)).toMatchObject({
      tariffId: 'flat-24',
      kind: 'flat',
      importPriceGbpPerKwh: 0.21,
      exportPriceGbpPerKwh: 0.15,
    });
    expect(await statusShown(n1, (status) => status.text?.startsWith('sent') === true)).toMatchObject({
      text: 'sent tariff flat-24, waiting for the hub',
    });
  });

  it('refuses a bad tariff, a bad supplier ID and broken defaults', async () => {
    const { n1 } = await loadConnected({ type: 'gridflex-tariff', supplier: 'octo', tariff });
    await expectRefused(n1, { payload: { importPriceGbpPerKwh: 50 } }, /importPriceGbpPerKwh/);
    await expectRefused(n1, { payload: { kind: 'spot' } }, /invalid tariff flat-24: kind/);
    await helper.unload();
    const bad = await loadConnected({ type: 'gridflex-tariff', supplier: 'Octo Energy', tariff });
    await expectRefused(bad.n1, { payload: 1 }, /supplier ID "Octo Energy"/);
    await helper.unload();
    const broken = await loadConnected({ type: 'gridflex-tariff', supplier: 'octo', tariff: '{"tariffId":' });
    await expectRefused(broken.n1, { payload: 1 }, /defaults are not valid JSON/);
  });
});

describe('gridflex-rule', () => {
  it('publishes a regulator’s rules and an assembly’s shared-battery rules on their topics', async () => {
    const { n1 } = await loadConnected({
      type: 'gridflex-rule',
      kind: 'regulator',
      rules: '{"priceCapGbpPerKwh":0.25}',
    });
    const sent = hub.next('gridflex/control/v1/regulator/rules');
    n1.receive({ payload: Date.now() });
    expect(JSON.parse(await sent)).toMatchObject({ priceCapGbpPerKwh: 0.25 });
    await helper.unload();

    const assembly = await loadConnected({ type: 'gridflex-rule', kind: 'assembly', rules: '' });
    const rules = hub.next('gridflex/control/v1/assembly/battery-rules');
    assembly.n1.receive({ payload: { reserveKwh: 10, drawWindow: { from: '16:00', to: '20:00' } } });
    expect(JSON.parse(await rules)).toMatchObject({
      reserveKwh: 10,
      drawWindow: { from: '16:00', to: '20:00' },
    });
  });

  it('refuses rules the schema does not allow', async () => {
    const { n1 } = await loadConnected({ type: 'gridflex-rule', kind: 'regulator', rules: '' });
    await expectRefused(n1, { payload: { priceCapGbpPerKwh: -1 } }, /priceCapGbpPerKwh/);
    await expectRefused(n1, { payload: { priceCap: 0.2 } }, /priceCap/);
    await expectRefused(n1, { payload: 'cap' }, /must be an object/);
    await helper.unload();
    const assembly = await loadConnected({ type: 'gridflex-rule', kind: 'assembly', rules: '' });
    await expectRefused(
      assembly.n1,
      { payload: { drawWindow: { from: '25:00', to: '20:00' } } },
      /drawWindow/,
    );
  });
});

describe('gridflex-resident', () => {
  it('sends a boost and preferences for its home; refuses out-of-range preferences', async () => {
    const { n1 } = await loadConnected({
      type: 'gridflex-resident',
      home: 'home-2',
      action: 'boost',
      defaults: '{"asset":"heat-pump-1","minutes":30}',
    });
    const boost = hub.next('gridflex/control/v1/resident/home-2/boost');
    n1.receive({ payload: { minutes: 60 } });
    expect(JSON.parse(await boost)).toMatchObject({ asset: 'heat-pump-1', minutes: 60 });
    await helper.unload();

    const prefs = await loadConnected({ type: 'gridflex-resident', home: 'home-2', action: 'preferences' });
    const sent = hub.next('gridflex/control/v1/resident/home-2/preferences');
    prefs.n1.receive({ payload: { costWeight: 0.8, evTargetSocPct: 80 } });
    expect(JSON.parse(await sent)).toMatchObject({ costWeight: 0.8, evTargetSocPct: 80 });
    await expectRefused(prefs.n1, { payload: { costWeight: 2 } }, /costWeight/);
  });

  it('sends a plan for its home (policy external); refuses one that is not numbers', async () => {
    const { n1 } = await loadConnected({ type: 'gridflex-resident', home: 'home-3', action: 'plan' });
    const plan = hub.next('gridflex/control/v1/resident/home-3/plan');
    n1.receive({ payload: { requestId: 'home-3-412', evKw: [0, 7, 7] } });
    expect(JSON.parse(await plan)).toEqual({ requestId: 'home-3-412', evKw: [0, 7, 7] });
    await expectRefused(n1, { payload: { requestId: 'home-3-413', evKw: ['fast'] } }, /evKw/);
  });
});

describe('gridflex-clock', () => {
  const clock = (step: number, minute: number) => ({
    step,
    simTime: new Date(Date.UTC(2026, 0, 15, 18, minute)).toISOString(),
    minuteOfDay: 18 * 60 + minute,
    stepMinutes: 6,
    mode: 'accelerated',
    running: true,
    stepMs: 500,
  });

  it('sends the clock once per N simulated minutes; drops a clock that breaks the schema', async () => {
    const { n1, out } = await loadConnected({ type: 'gridflex-clock', everyMinutes: 30 });
    const first = nextInput(out);
    await hub.publish('gridflex/v1/clock', clock(1, 0), true);
    expect((await first).payload).toMatchObject({ step: 1, minuteOfDay: 1080 });
    const warning = nextWarning(n1);
    await hub.publish('gridflex/v1/clock', { step: -1 }, true);
    expect(await warning).toMatch(/ignored a clock message/);
    // Steps 2–5 (18:06–18:24) are in the same 30-minute slot; step 6 (18:30) is the next message.
    const next = nextInput(out);
    for (let step = 2; step <= 6; step++)
      await hub.publish('gridflex/v1/clock', clock(step, (step - 1) * 6), true);
    expect((await next).payload).toMatchObject({ step: 6 });
    await hub.publish('gridflex/v1/clock', '', true);
  });

  it('sends clock controls; refuses unknown ones', async () => {
    const { n1 } = await loadConnected({ type: 'gridflex-clock', everyMinutes: 0 });
    const pause = hub.next('gridflex/control/v1/clock');
    n1.receive({ payload: 'pause' });
    expect(JSON.parse(await pause)).toMatchObject({ action: 'pause' });
    const speed = hub.next('gridflex/control/v1/clock');
    n1.receive({ payload: { action: 'speed', stepMs: 250 } });
    expect(JSON.parse(await speed)).toMatchObject({ action: 'speed', stepMs: 250 });
    await expectRefused(n1, { payload: 'fly' }, /invalid clock fly/);
    await expectRefused(n1, { payload: { action: 'speed', stepMs: 0 } }, /stepMs/);
  });
});

describe('gridflex-device', () => {
  const description = {
    homie: '5.0',
    version: 1,
    nodes: {
      'heat-pump': {
        type: 'gridflex-heat-pump',
        properties: {
          'power-kw': { datatype: 'float', format: '0:3', settable: true },
          'temperature-c': { datatype: 'float' },
        },
      },
    },
  };

  afterAll(async () => {
    for (const topic of ['$state', '$description', 'heat-pump/temperature-c']) {
      await hub.publish(`homie/5/hp-7/${topic}`, '', true);
    }
  });

  it('refuses a command before the device has described itself', async () => {
    const { n1 } = await loadConnected({ type: 'gridflex-device', device: 'hp-7', property: '' });
    await expectRefused(n1, { topic: 'heat-pump/power-kw', payload: 1 }, /no \$description from hp-7 yet/);
  });

  it('sends readings and state out; checks commands against the $description before /set', async () => {
    await hub.publish('homie/5/hp-7/$description', description, true);
    await hub.publish('homie/5/hp-7/$state', 'ready', true);
    const { n1, out } = await loadConnected({ type: 'gridflex-device', device: 'hp-7', property: '' });
    const reading = new Promise<Record<string, unknown>>((resolve) => {
      const listener = (msg: Record<string, unknown>) => {
        if (msg.topic === 'heat-pump/temperature-c') resolve(msg);
      };
      out.on('input', listener);
    });
    await hub.publish('homie/5/hp-7/heat-pump/temperature-c', '19.5', true);
    expect(await reading).toMatchObject({ payload: 19.5, device: 'hp-7' });

    const warning = nextWarning(n1);
    await hub.publish('homie/5/hp-7/heat-pump/temperature-c', '{"value":19.5,"ts":1764060000000}');
    expect(await warning).toMatch(
      /temperature-c: ignored a value that is not valid \(expected a number, got/,
    );

    const set = hub.next('homie/5/hp-7/heat-pump/power-kw/set');
    n1.receive({ topic: 'heat-pump/power-kw', payload: 2.5 });
    expect(await set).toBe('2.5');
    await expectRefused(n1, { topic: 'heat-pump/power-kw', payload: 7 }, /7 is outside 0:3/);
    await expectRefused(n1, { topic: 'heat-pump/temperature-c', payload: 20 }, /not settable/);
    await expectRefused(n1, { topic: 'heat-pump/fan', payload: 1 }, /hp-7 has no property heat-pump\/fan/);
    await expectRefused(n1, { topic: 'power', payload: 1 }, /must name a property as "node\/property"/);
  });

  it('shows a bad device ID and refuses commands', async () => {
    const { n1 } = await load({ type: 'gridflex-device', device: 'HP 7', property: '' });
    await expectRefused(n1, { topic: 'heat-pump/power-kw', payload: 1 }, /device ID "HP 7"/);
  });
});

describe('gridflex-watch', () => {
  it('sends feeder buses checked by their schema and refuses a message that breaks it', async () => {
    const { n1, out } = await loadConnected({
      type: 'gridflex-watch',
      topic: 'gridflex/v1/feeder/buses',
      home: '',
    });
    const buses = {
      step: 3,
      simTime: '2026-01-15T18:18:00.000Z',
      buses: [{ bus: '16', vVolts: [240, 239, 238], loadPKw: 1.2, assetPKw: -2, plots: ['plot-6'] }],
    };
    const received = nextInput(out);
    await hub.publish('gridflex/v1/feeder/buses', buses);
    expect((await received).payload).toEqual(buses);

    const status = nextStatus(n1, red);
    const error = nextError(n1);
    await hub.publish('gridflex/v1/feeder/buses', { step: 'three' });
    expect((await status).text).toMatch(/^gridflex\/v1\/feeder\/buses: /);
    expect((await error).text).toMatch(/gridflex\/v1\/feeder\/buses: .*step/);
  });

  it('follows one home when it names one', async () => {
    const { out } = await loadConnected({
      type: 'gridflex-watch',
      topic: 'gridflex/v1/homes/<home>',
      home: 'home-3',
    });
    const home = (id: string) => ({
      home: id,
      plot: 'plot-3',
      bus: '13',
      phase: 'C',
      step: 1,
      baseLoadPKw: 0.9,
      assets: [],
      netPKw: 0.9,
      vVolts: 240,
    });
    const received = nextInput(out);
    await hub.publish('gridflex/v1/homes/home-4', home('home-4'));
    await hub.publish('gridflex/v1/homes/home-3', home('home-3'));
    expect(await received).toMatchObject({ topic: 'gridflex/v1/homes/home-3', payload: { home: 'home-3' } });
  });
});
