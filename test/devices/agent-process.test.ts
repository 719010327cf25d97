/**
 * The real `gridflex-device` process against a real Aedes broker on a random loopback port.
 */
import mqtt from 'mqtt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  HOMIE_EMPTY_STRING,
  HomieDescriptionSchema,
  homieTopics,
  type ReadingRecord,
  ReadingRecordSchema,
} from '../../protocol/homie.js';
import { AgentProcess, simBoardConfig, TestBroker, writeConfig } from './helpers.js';

const DEVICE = 'house-3';
const state = homieTopics.state(DEVICE);
const readingsTopic = homieTopics.readings(DEVICE);
const record = (payload: string) => ReadingRecordSchema.parse(JSON.parse(payload));
/** Every `$readings` record the broker has received, in arrival order. */
const records = () => broker.on(readingsTopic).map((m) => record(m.payload));

/** The next `$readings` record of `node/property` that `accept` takes. */
async function nextReading(
  node: string,
  property: string,
  accept: (reading: ReadingRecord) => boolean = () => true,
): Promise<ReadingRecord> {
  const message = await broker.next(readingsTopic, (payload) => {
    const reading = record(payload);
    return reading.node === node && reading.property === property && accept(reading);
  });
  return record(message.payload);
}

let broker: TestBroker;
const agents: AgentProcess[] = [];

function startAgent(config: Record<string, unknown>, extraArgs: string[] = []): AgentProcess {
  const agent = AgentProcess.spawn(['--config', writeConfig(config), ...extraArgs]);
  agents.push(agent);
  return agent;
}

beforeEach(async () => {
  broker = new TestBroker();
  await broker.start(0);
});

afterEach(async () => {
  await Promise.all(agents.splice(0).map((agent) => agent.kill()));
  await broker.stop();
});

describe('gridflex-device lifecycle', () => {
  it('goes init → ready with a retained Homie 5 description, plain values and timestamped $readings', async () => {
    const init = broker.next(state, 'init');
    const ready = broker.next(state, 'ready');
    const pv = broker.next(homieTopics.property(DEVICE, 'pv', 'power-kw'));
    const pvReading = nextReading('pv', 'power-kw');
    startAgent(simBoardConfig(broker.url));
    const [initMessage] = await Promise.all([init, ready]);
    expect(initMessage.retain).toBe(true);
    const [description] = broker.on(homieTopics.description(DEVICE));
    expect(description?.retain).toBe(true);
    const parsed = HomieDescriptionSchema.parse(JSON.parse(description?.payload ?? ''));
    expect(parsed.homie).toBe('5.0');
    // The board's own nodes, then their Electrification Bus capabilities (devices/ebus.ts), then the agent's.
    expect(Object.keys(parsed.nodes ?? {})).toEqual([
      'pv',
      'ev-pad-7',
      'battery',
      'meter',
      'soc',
      'battery-meter',
      'battery-soc',
      'agent',
    ]);
    expect(parsed.nodes?.battery?.properties?.['power-kw']).toMatchObject({ settable: true, format: '-5:5' });
    expect(parsed.nodes?.['ev-pad-7']?.type).toBe('gridflex-ev-pad');
    // Sim default input is half scale: 0.5 × 4 kW peak, generation negative.
    const plain = await pv;
    expect(plain).toMatchObject({ payload: '-2', retain: true });
    const reading = await pvReading;
    expect(reading.value).toBe(-2);
    expect(reading.ts).toBeGreaterThan(Date.now() - 60_000);
    expect(broker.on(readingsTopic)[0]?.retain).toBe(false);
    expect(parsed.extensions).toEqual(['org.gridflex.readings:1.0.0:[5.x]']);
  });

  it('plays scripted sim events: an EV placed on pad 7 and lifted again', async () => {
    const evId = homieTopics.property(DEVICE, 'ev-pad-7', 'ev-id');
    const placed = nextReading('ev-pad-7', 'ev-id', (r) => r.value === 'ev-3');
    startAgent(
      simBoardConfig(broker.url, {
        sim: {
          events: [
            { atS: 0.3, do: 'place-tag', node: 'ev-pad-7', tagUid: '04:a1:b2:c3' },
            { atS: 0.6, do: 'lift-tag', node: 'ev-pad-7' },
          ],
        },
      }),
    );
    const placedAt = await placed;
    const liftedOnTopic = broker.next(evId, HOMIE_EMPTY_STRING);
    const lifted = await nextReading('ev-pad-7', 'ev-id', (r) => r.value === '');
    expect(lifted.seq).toBeGreaterThan(placedAt.seq);
    // Homie 5 writes the empty string as one 0x00 byte: an empty payload would delete the retained value.
    expect((await liftedOnTopic).retain).toBe(true);
    const uids = broker.on(homieTopics.property(DEVICE, 'ev-pad-7', 'tag-uid')).map((m) => m.payload);
    expect(uids).toContain('04A1B2C3');
  });

  it('kill -9 leaves the last will `lost`; a restart comes back ready', async () => {
    const config = simBoardConfig(broker.url);
    const ready = broker.next(state, 'ready');
    const first = startAgent(config);
    await ready;
    const lost = broker.next(state, 'lost');
    first.child.kill('SIGKILL');
    expect((await lost).retain).toBe(true);
    const readyAgain = broker.next(state, 'ready');
    startAgent(config);
    await readyAgain;
  });

  it('SIGTERM sets `disconnected` and exits 0', async () => {
    const ready = broker.next(state, 'ready');
    const agent = startAgent(simBoardConfig(broker.url));
    await ready;
    const disconnected = broker.next(state, 'disconnected');
    agent.child.kill('SIGTERM');
    await disconnected;
    expect(await agent.exited).toEqual({ code: 0, signal: null });
    expect(broker.on(state).map((m) => m.payload)).not.toContain('lost');
  });
});

describe('gridflex-device commands', () => {
  it('obeys a valid /set and rejects bad ones with a logged error', async () => {
    const ready = broker.next(state, 'ready');
    const agent = startAgent(simBoardConfig(broker.url));
    await ready;
    const client = await mqtt.connectAsync(broker.url, { protocolVersion: 4 });
    const rejected = (text: RegExp) => broker.next(homieTopics.log(DEVICE, 'error'), (p) => text.test(p));

    const outOfRange = rejected(/battery\/power-kw "99": 99 is outside -5:5/);
    await client.publishAsync(homieTopics.set(DEVICE, 'battery', 'power-kw'), '99');
    await outOfRange;
    for (const payload of ['lots', 'NaN', 'Infinity', '{"value": 2.5}', ' 2.5']) {
      const quoted = JSON.stringify(payload).replace(/[\\{}.]/g, '\\$&');
      const notANumber = rejected(new RegExp(`battery/power-kw .*: expected a number, got ${quoted}`));
      await client.publishAsync(homieTopics.set(DEVICE, 'battery', 'power-kw'), payload);
      await notANumber;
    }
    const notSettable = rejected(/pv\/power-kw "1": property is not settable/);
    await client.publishAsync(homieTopics.set(DEVICE, 'pv', 'power-kw'), '1');
    await notSettable;
    const noSuch = rejected(/battery\/turbo: no such property/);
    await client.publishAsync(homieTopics.set(DEVICE, 'battery', 'turbo'), 'true');
    await noSuch;

    const applied = broker.next(homieTopics.property(DEVICE, 'battery', 'power-kw'), '2.5');
    await client.publishAsync(homieTopics.set(DEVICE, 'battery', 'power-kw'), '2.5');
    await applied;
    // None of the rejected commands changed the set-point.
    const setPoints = broker.on(homieTopics.property(DEVICE, 'battery', 'power-kw')).map((m) => m.payload);
    expect(new Set(setPoints)).toEqual(new Set(['0', '2.5']));
    expect(await agent.waitForLine(/error house-3: rejected \/set battery\/power-kw "99"/)).toBeTruthy();
    await client.endAsync();
  });
});

describe('gridflex-device store-and-forward', () => {
  it('queues readings while the broker is down and sends them on $readings in order with original timestamps, none lost', async () => {
    const ready = broker.next(state, 'ready');
    const agent = startAgent(simBoardConfig(broker.url), ['--log-level', 'debug']);
    await ready;
    const port = broker.port;
    const linesBefore = agent.lines.length;
    await broker.stop();
    // Let a few ticks' readings pile up in the offline queue.
    await agent.waitForLine(/\(40 queued\)/, linesBefore);
    const readyAgain = broker.next(state, 'ready');
    const receivedBeforeRestart = broker.published.length;
    // Read before the restart: a tick's readings share its start time, which can be the restart's very
    // millisecond (seen under load), so a time read after it cannot tell them apart.
    const restartingAt = Date.now();
    await broker.start(port);
    await readyAgain;
    const flushed = await agent.waitForLine(/sent \d+ queued readings \(0 dropped/, linesBefore);
    expect(Number(/sent (\d+)/.exec(flushed)?.[1])).toBeGreaterThanOrEqual(40);

    const readings = records();
    const seqs = new Set(readings.map((r) => r.seq));
    const maxSeq = Math.max(...seqs);
    const missing = Array.from({ length: maxSeq + 1 }, (_, i) => i).filter((seq) => !seqs.has(seq));
    expect(missing).toEqual([]);
    // In order: each first arrival has a higher sequence number than the one before (QoS 1 may repeat one).
    const firstArrivals = readings.map((r) => r.seq).filter((seq, index, all) => all.indexOf(seq) === index);
    expect(firstArrivals).toEqual([...firstArrivals].sort((a, b) => a - b));
    // The queued readings arrive after the restart with the time they were taken, before the broker came back.
    const offline = broker.published
      .slice(receivedBeforeRestart)
      .filter((m) => m.topic === readingsTopic)
      .map((m) => record(m.payload))
      .filter((r) => r.ts <= restartingAt);
    expect(offline.length).toBeGreaterThanOrEqual(40);
  });

  it('drops the oldest readings when the queue is full and publishes the drop count', async () => {
    const ready = broker.next(state, 'ready');
    const agent = startAgent(simBoardConfig(broker.url, { queueSize: 20 }));
    await ready;
    const port = broker.port;
    const linesBefore = agent.lines.length;
    await broker.stop();
    await agent.waitForLine(/offline queue full \(20\): dropping the oldest readings/, linesBefore);
    const dropCount = broker.next(
      homieTopics.property(DEVICE, 'agent', 'dropped-readings'),
      (p) => p !== '0',
    );
    await broker.start(port);
    expect(Number((await dropCount).payload)).toBeGreaterThan(0);
    const flushed = await agent.waitForLine(/sent \d+ queued readings/, linesBefore);
    expect(flushed).toMatch(/sent \d+ queued readings \(\d+ dropped since start\)/);
    // The full queue's 20, and any reading taken while they went out (it joins the queue behind them).
    expect(Number(/sent (\d+)/.exec(flushed)?.[1])).toBeGreaterThanOrEqual(20);
  });
});

describe('gridflex-device watchdog', () => {
  it('restarts a hung sim driver and carries on publishing', async () => {
    const restarted = nextReading('agent', 'driver-restarts', (r) => r.value === 1);
    const agent = startAgent(
      simBoardConfig(broker.url, {
        watchdogTimeoutMs: 300,
        sim: { events: [{ atS: 0.5, do: 'hang-driver' }] },
      }),
    );
    await agent.waitForLine(/warn house-3: driver sim hung for 300 ms; restarting it/);
    await agent.waitForLine(/info house-3: driver sim restarted/);
    const restartTs = (await restarted).ts;
    await nextReading('pv', 'power-kw', (r) => r.ts > restartTs);
  });
});

describe('gridflex-device bad input', () => {
  it('exits 2 naming the file and path of each problem', async () => {
    const file = writeConfig({
      deviceId: 'house-9',
      broker: { url: 'mqtt://127.0.0.1:1' },
      nodes: [
        { kind: 'pv', sensor: { type: 'ads1115', address: 0x90, channel: 0 } },
        { kind: 'battery', ledPins: [3, 3] },
      ],
    });
    const agent = AgentProcess.spawn(['--config', file]);
    expect((await agent.exited).code).toBe(2);
    expect(agent.lines).toEqual([
      `error: ${file}: nodes.0.sensor.address: I2C addresses end at 0x77`,
      `error: ${file}: nodes.1.ledPins.1: pin 3 is already used by nodes.1.ledPins.0`,
    ]);
  });

  it('exits 2 for a missing file and a bad --broker URL', async () => {
    const missing = AgentProcess.spawn(['--config', 'no/such/board.yaml']);
    expect((await missing.exited).code).toBe(2);
    expect(missing.lines).toEqual(['error: no/such/board.yaml: cannot read: ENOENT']);
    const badBroker = AgentProcess.spawn([
      '--config',
      writeConfig(simBoardConfig(broker.url)),
      '--broker',
      'localhost',
    ]);
    expect((await badBroker.exited).code).toBe(2);
    expect(badBroker.lines).toEqual([
      'error: --broker: "localhost" is not an mqtt://, mqtts://, ws:// or wss:// URL',
    ]);
  });

  it('exits 1 with a clear message on a machine without the configured hardware', async () => {
    const file = writeConfig({
      deviceId: 'house-9',
      broker: { url: broker.url },
      driver: { backend: 'linux', gpioChip: 'gpiochip-missing' },
      nodes: [{ kind: 'battery', ledPins: [5] }],
    });
    const agent = AgentProcess.spawn(['--config', file]);
    expect((await agent.exited).code).toBe(1);
    expect(agent.lines).toEqual([
      'error: no /dev/gpiochip-missing: this machine has no GPIO character device (not a Raspberry Pi?)',
    ]);
  });
});
