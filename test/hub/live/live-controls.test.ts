import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HubSnapshot } from '../../../hub/live/hub-runtime.js';
import {
  type AuditEntry,
  AuditEntrySchema,
  type Clock,
  type FeedEvent,
  type Home,
  type HomeDecision,
  HomeDecisionSchema,
  MarketTariffsSchema,
  RegulatorRulesInForceSchema,
  SharedBatterySchema,
} from '../../../protocol/gridflex.js';
import {
  closed,
  connectClient,
  nextMessage,
  subscribe,
  tempDir,
  watchHubUntilAllOnline,
} from '../mqtt-helpers.js';
import { addUser, type HubProcess, startHub, writeTestMap } from './hub-process.js';

const data = tempDir('gridflex-live-');
let hub: HubProcess;
let viewer: MqttClient;
const secrets: Record<string, string> = {};
const users: [string, string][] = [
  ['octo', 'supplier:octo'],
  ['table-op', 'operator'],
  ['resident-2', 'resident:home-2'],
  ['citizens', 'assembly'],
];

const json = <T>(payload: Buffer) => JSON.parse(payload.toString()) as T;

beforeAll(async () => {
  const map = writeTestMap(data.dir);
  for (const [username, role] of users) {
    secrets[username] = addUser(data.dir, username, role);
  }
  hub = await startHub(['--demo', '--scenario', map, '--data-dir', data.dir, '--step-ms', '40']);
  viewer = await connectClient(hub.mqttUrl, { clientId: 'live-viewer' });
  await watchHubUntilAllOnline(viewer);
});

afterAll(async () => {
  viewer?.end(true);
  await hub?.stop();
  data.remove();
});

function login(username: string): Promise<MqttClient> {
  return connectClient(hub.mqttUrl, {
    clientId: `${username}-${Math.random().toString(16).slice(2, 8)}`,
    username,
    password: secrets[username],
  });
}

function audit(test: (entry: AuditEntry) => boolean): Promise<AuditEntry> {
  return nextMessage(
    viewer,
    (topic) => topic === 'gridflex/v1/audit',
    (payload) => test(json<AuditEntry>(payload)),
  ).then(({ payload }) => AuditEntrySchema.parse(json(payload)));
}

function feedEvent(test: (event: FeedEvent) => boolean): Promise<FeedEvent> {
  return nextMessage(
    viewer,
    (topic) => topic === 'gridflex/v1/events',
    (payload) => test(json<FeedEvent>(payload)),
  ).then(({ payload }) => json<FeedEvent>(payload));
}

/** The first retained value a fresh subscriber gets on `topic` (what a late joiner, or a reconnecting dashboard, sees). */
async function retained<T>(topic: string): Promise<T> {
  const late = await connectClient(hub.mqttUrl, {
    clientId: `late-${Math.random().toString(16).slice(2, 8)}`,
  });
  try {
    const message = nextMessage(late, (received) => received === topic);
    await subscribe(late, topic);
    const { payload, retain } = await message;
    expect(retain).toBe(true);
    return json<T>(payload);
  } finally {
    late.end(true);
  }
}

describe('live table controls (hub side of the dashboard)', () => {
  it('publishes each home’s agent decision, retained, with its explanation and numbers', async () => {
    const readDecision = async () =>
      HomeDecisionSchema.parse(await retained<HomeDecision>('gridflex/v1/homes/home-3/decision'));
    // The map says a board is online from the step it came; the decision retained then may still be the one
    // made before its EV was there ("nothing to plan"), so read again until the agent has planned with it.
    let decision = await readDecision();
    while (decision.assets.length === 0) decision = await readDecision();
    expect(decision).toMatchObject({ home: 'home-3', plot: 'plot-3', policy: 'selfish', horizonHours: 24 });
    // The test map's EVs are 200 kWh and empty: the agent charges flat out and says it cannot make 80 % by 07:30.
    expect(decision.explanation).toMatch(/^EV [\d.]+ kWh in \d\d:\d\d–\d\d:\d\d at [\d.]+ p\/kWh/);
    expect(decision.cannotKeep[0]).toMatch(/^EV cannot reach 80 % by 07:30: [\d.]+ kWh short/);
    expect(decision.assets).toEqual([
      // Full power as planned once the regulator's randomised start delay (up to 10 minutes) is over.
      { asset: 'ev-1', kind: 'ev', pKw: expect.any(Number), plannedPKw: 7, boosted: false },
    ]);
    expect(decision.assets[0]?.pKw).toBeLessThanOrEqual(7);
    const state = (await (await fetch(`${hub.httpUrl}/api/state`)).json()) as HubSnapshot;
    expect(Object.keys(state.decisions).sort()).toEqual(
      ['home-1', 'home-2', 'home-3', 'home-4', 'home-5', 'home-6', 'home-7', 'home-8'].sort(),
    );
  });

  it('shows a resident’s heat-pump boost in the home’s load within three steps, with its extra cost', async () => {
    const resident = await login('resident-2');
    const refused = audit((entry) => entry.requestId === 'boost-ev');
    await resident.publishAsync(
      'gridflex/control/v1/resident/home-2/boost',
      JSON.stringify({ asset: 'ev-1', minutes: 30, requestId: 'boost-ev' }),
      { qos: 1 },
    );
    expect(await refused).toMatchObject({
      username: 'resident-2',
      role: 'resident:home-2',
      action: 'resident-boost',
      accepted: false,
      reason: 'ev-1 is not on plot-2 (home-2): it is on plot-3',
    });

    // The hub applies controls between steps, so the first step to end after the answer's simulated time runs
    // the boost. Messages are kept as they come (QoS 0 steps may overtake the QoS 1 answer on the wire).
    const homes: Home[] = [];
    const decisions: HomeDecision[] = [];
    const keep = (topic: string, payload: Buffer) => {
      if (topic === 'gridflex/v1/homes/home-2') homes.push(json<Home>(payload));
      if (topic === 'gridflex/v1/homes/home-2/decision') decisions.push(json<HomeDecision>(payload));
    };
    viewer.on('message', keep);
    const accepted = audit((entry) => entry.requestId === 'boost-hp');
    const started = feedEvent((event) => event.kind === 'boost-started');
    await resident.publishAsync(
      'gridflex/control/v1/resident/home-2/boost',
      JSON.stringify({ asset: 'heat-pump-1', minutes: 30, requestId: 'boost-hp' }),
      { qos: 1 },
    );
    const answer = await accepted;
    expect(answer.accepted).toBe(true);
    expect(answer.reason).toMatch(
      /^heat-pump-1 runs at 2\.5 kW until \d\d:\d\d; expected extra cost £[\d.]+ vs the plan$/,
    );
    expect(await started).toMatchObject({ home: 'home-2', asset: 'heat-pump-1' });
    // The flow takes the heat pump's power from its board, which echoes the boosted setpoint once its /set
    // arrives: on a loaded machine a reading the board sent before it may land first. So the boost must show
    // within the first few steps after the answer, in the home's load and in the same step's decision.
    const after = () => decisions.filter((decision) => decision.simTime > answer.simTime).slice(0, 3);
    const boosted = (decision: HomeDecision) =>
      homes
        .find((home) => home.step === decision.step)
        ?.assets.some((asset) => asset.asset === 'heat-pump-1' && asset.pKw === 2.5);
    const stepsSeen = () => after().filter((decision) => homes.some((home) => home.step === decision.step));
    while (stepsSeen().length < 3 && !stepsSeen().some(boosted)) {
      await nextMessage(viewer, (topic) => topic.startsWith('gridflex/v1/homes/home-2'));
    }
    viewer.off('message', keep);
    const decision = stepsSeen().find(boosted);
    expect(decision, 'no step of the first three after the boost shows heat-pump-1 at 2.5 kW').toBeDefined();
    if (!decision) return;
    expect(decision.boost).toMatchObject({ asset: 'heat-pump-1', kind: 'heat-pump', pKw: 2.5 });
    expect(decision.boost?.extraKwh).toBeGreaterThan(0);
    expect(decision.boost?.extraCostGbp).toBeGreaterThan(0);
    resident.end(true);
  });

  it('refuses a tariff above the regulator’s cap with a clear reason; a time-of-use offer goes on offer, retained', async () => {
    const supplier = await login('octo');
    const refusedAnswer = audit((entry) => entry.action === 'supplier-tariff' && !entry.accepted);
    const refusedEvent = feedEvent((event) => event.kind === 'tariff-refused');
    await supplier.publishAsync(
      'gridflex/control/v1/supplier/octo/tariff',
      JSON.stringify({
        tariffId: 'greedy',
        kind: 'flat',
        importPriceGbpPerKwh: 0.35,
        exportPriceGbpPerKwh: 0.1,
        standingChargeGbpPerDay: 0.5,
      }),
      { qos: 1 },
    );
    expect(await refusedAnswer).toMatchObject({
      username: 'octo',
      role: 'supplier:octo',
      topic: 'gridflex/control/v1/supplier/octo/tariff',
      reason: "import price 35 p/kWh is above the regulator's cap 26.11 p/kWh",
    });
    expect((await refusedEvent).message).toBe(
      "tariff octo/greedy refused: import price 35 p/kWh is above the regulator's cap 26.11 p/kWh",
    );

    const offered = audit((entry) => entry.action === 'supplier-tariff' && entry.accepted);
    await supplier.publishAsync(
      'gridflex/control/v1/supplier/octo/tariff',
      JSON.stringify({
        tariffId: 'night-ev',
        kind: 'time-of-use',
        importPriceGbpPerKwh: 0.25,
        exportPriceGbpPerKwh: 0.15,
        standingChargeGbpPerDay: 0.55,
        bands: [{ name: 'night', from: '00:30', to: '05:30', importPriceGbpPerKwh: 0.09 }],
      }),
      { qos: 1 },
    );
    expect((await offered).reason).toMatch(/^octo\/night-ev on offer \(typical day £\d\.\d\d\)$/);
    const tariffs = MarketTariffsSchema.parse(await retained('gridflex/v1/market/tariffs'));
    expect(tariffs.offers.map((offer) => `${offer.supplier}/${offer.tariff.tariffId}`)).toEqual([
      'octo/night-ev',
    ]);
    expect(tariffs.pending?.tariff).toBe('octo/night-ev');
    const rules = RegulatorRulesInForceSchema.parse(await retained('gridflex/v1/market/rules'));
    expect(rules.priceCapGbpPerKwh).toBe(0.2611);
    supplier.end(true);
  });

  it('lets the operator pause, step, speed up and jump the clock; a resident may not', async () => {
    const operator = await login('table-op');
    const clock = (test: (clock: Clock) => boolean) =>
      nextMessage(
        viewer,
        (topic) => topic === 'gridflex/v1/clock',
        (payload) => test(json<Clock>(payload)),
      ).then(({ payload }) => json<Clock>(payload));
    const control = (body: object) =>
      operator.publishAsync('gridflex/control/v1/clock', JSON.stringify(body), { qos: 1 });

    const paused = clock((value) => !value.running);
    await control({ action: 'pause' });
    const atPause = await paused;
    const stepped = clock((value) => value.step === atPause.step + 2);
    await control({ action: 'step', count: 2 });
    expect((await stepped).running).toBe(false);

    const faster = clock((value) => value.stepMs === 20);
    await control({ action: 'speed', stepMs: 20 });
    expect((await faster).running).toBe(false);
    // Below 10 ms only in lockstep, where the participants pace the steps (this hub's clock is accelerated).
    const tooFast = audit((entry) => entry.action === 'clock' && !entry.accepted);
    await control({ action: 'speed', stepMs: 5 });
    expect((await tooFast).reason).toBe('stepMs 5: at least 10 unless the clock mode is lockstep');
    const jumped = clock((value) => value.simTime.startsWith('2026-01-20T07:00'));
    const jumpAnswer = audit((entry) => entry.action === 'clock' && entry.reason.startsWith('jumped'));
    await control({ action: 'jump', to: '2026-01-20T07:00:00Z' });
    expect((await jumpAnswer).username).toBe('table-op');
    await jumped;
    const playing = clock((value) => value.running && value.stepMs === 20);
    await control({ action: 'play' });
    await playing;

    const resident = await login('resident-2');
    const denied = audit((entry) => entry.topic === 'gridflex/control/v1/clock' && !entry.accepted);
    resident.publish('gridflex/control/v1/clock', JSON.stringify({ action: 'pause' }));
    expect(await denied).toMatchObject({
      username: 'resident-2',
      role: 'resident:home-2',
      reason: 'resident:home-2 may not publish here',
    });
    await closed(resident);
    operator.end(true);
  });

  it('applies the citizens’ assembly’s shared-battery rules live, and refuses rules that make no sense', async () => {
    const citizens = await login('citizens');
    const accepted = audit((entry) => entry.action === 'assembly-battery-rules' && entry.accepted);
    await citizens.publishAsync(
      'gridflex/control/v1/assembly/battery-rules',
      JSON.stringify({ perHomeMaxKw: 2, priorityGroups: ['medical'], groups: { 'home-2': 'medical' } }),
      { qos: 1 },
    );
    expect((await accepted).reason).toBe(
      'shared battery rules changed: perHomeMaxKw, priorityGroups, groups',
    );
    const battery = SharedBatterySchema.parse(await retained('gridflex/v1/shared-battery'));
    expect(battery).toMatchObject({ bus: '3', phase: 'ABC', setBy: 'citizens' });
    expect(battery.rules).toMatchObject({ perHomeMaxKw: 2, groups: { 'home-2': 'medical' } });

    const refused = audit((entry) => entry.action === 'assembly-battery-rules' && !entry.accepted);
    await citizens.publishAsync(
      'gridflex/control/v1/assembly/battery-rules',
      JSON.stringify({ reserveKwh: 99 }),
      { qos: 1 },
    );
    expect((await refused).reason).toBe('reserveKwh: reserveKwh must not exceed capacityKwh');
    citizens.end(true);
  });

  it('answers a malformed control on the audit topic, logs every answer to audit.log and in /api/state', async () => {
    const supplier = await login('octo');
    const refused = audit(
      (entry) => entry.action === 'supplier-tariff' && entry.reason.startsWith('control'),
    );
    supplier.publish('gridflex/control/v1/supplier/octo/tariff', JSON.stringify({ tariffId: 'half' }));
    expect(await refused).toMatchObject({ username: 'octo', role: 'supplier:octo', accepted: false });
    await closed(supplier);

    const anonymous = await connectClient(hub.mqttUrl, { clientId: 'anonymous-1' });
    const denied = audit((entry) => entry.topic === 'gridflex/control/v1/table/place');
    anonymous.publish('gridflex/control/v1/table/place', JSON.stringify({ asset: 'ev-1', plot: 'plot-1' }));
    expect(await denied).toMatchObject({
      username: null,
      role: 'anonymous',
      action: 'table-place',
      accepted: false,
      reason: 'viewer may not publish here',
    });
    await closed(anonymous);

    const lines = readFileSync(join(data.dir, 'audit.log'), 'utf8').trim().split('\n');
    const entries = lines.map((line) => AuditEntrySchema.parse(JSON.parse(line)));
    expect(entries.map((entry) => entry.seq)).toEqual(entries.map((_, index) => index + 1));
    expect(entries.some((entry) => entry.reason.includes('above the regulator'))).toBe(true);
    const state = (await (await fetch(`${hub.httpUrl}/api/state`)).json()) as HubSnapshot;
    expect(state.audit.at(-1)?.seq).toBe(entries.length);
    expect(state.events.map((event) => event.kind)).toEqual(
      expect.arrayContaining(['boost-started', 'tariff-refused', 'tariff-offered', 'clock-changed']),
    );
    expect(state.sharedBattery?.setBy).toBe('citizens');
    expect(state.tariffs.offers).toHaveLength(1);
    expect(state.marketRules.priceCapGbpPerKwh).toBe(0.2611);
  });
});
