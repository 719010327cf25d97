import { EventEmitter } from 'node:events';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CredentialStore } from '../../../hub/auth/credentials.js';
import { EmbeddedBroker } from '../../../hub/broker/embedded-broker.js';
import type { SecurityEvent } from '../../../protocol/gridflex.js';
import { formatHomieValue } from '../../../protocol/homie.js';
import { closed, connectClient, nextMessage, subscribe, tempDir } from '../mqtt-helpers.js';

const events = new EventEmitter();
const seen: SecurityEvent[] = [];
function nextSecurityEvent(test: (event: SecurityEvent) => boolean): Promise<SecurityEvent> {
  const found = seen.find(test);
  if (found) return Promise.resolve(found);
  return new Promise((resolve) => {
    const listener = (event: SecurityEvent) => {
      if (!test(event)) return;
      events.off('event', listener);
      resolve(event);
    };
    events.on('event', listener);
  });
}

let broker: EmbeddedBroker;
let url: string;
let wsUrl: string;
let secrets: Record<string, string>;
let watcher: MqttClient;
const data = tempDir('gridflex-broker-');

beforeAll(async () => {
  const credentials = CredentialStore.open(data.dir);
  secrets = {
    'pv-1': await credentials.add('pv-1', { role: 'device', deviceId: 'pv-1' }),
    'pv-2': await credentials.add('pv-2', { role: 'device', deviceId: 'pv-2' }),
    regulator: await credentials.add('regulator', { role: 'regulator' }),
    flooder: await credentials.add('flooder', { role: 'device', deviceId: 'flooder' }),
  };
  broker = await EmbeddedBroker.start({
    host: '127.0.0.1',
    mqttPort: 0,
    wsPort: 0,
    credentials,
    maxPacketBytes: 4096,
    rateLimit: { perSecond: 5, burst: 20 },
    onSecurityEvent: (event) => {
      seen.push(event);
      events.emit('event', event);
    },
  });
  url = `mqtt://127.0.0.1:${broker.mqttPort}`;
  wsUrl = `ws://127.0.0.1:${broker.wsPort}`;
  // A viewer that watches every device: it must never see what the broker refused.
  watcher = await connectClient(url, { clientId: 'watcher' });
  await subscribe(watcher, 'homie/5/#');
});

afterAll(async () => {
  watcher.end(true);
  await broker.close();
  data.remove();
});

const device = (id: string, clientId = id) =>
  connectClient(url, { clientId, username: id, password: secrets[id] });

describe('embedded broker', () => {
  it('lets a device publish its own Homie topics, seen by an anonymous viewer over WebSocket too', async () => {
    const browser = await connectClient(wsUrl, { clientId: 'browser-1' });
    await subscribe(browser, 'homie/5/pv-1/#');
    const pv = await device('pv-1');
    const got = nextMessage(browser, (topic) => topic === 'homie/5/pv-1/pv/power-kw');
    await pv.publishAsync('homie/5/pv-1/pv/power-kw', formatHomieValue(-1.5), { qos: 1 });
    expect((await got).payload.toString()).toBe('-1.5');
    pv.end(true);
    browser.end(true);
  });

  it('refuses a wrong password and an unknown user', async () => {
    await expect(connectClient(url, { clientId: 'x', username: 'pv-1', password: 'wrong' })).rejects.toThrow(
      /Bad username or password/,
    );
    await expect(connectClient(url, { clientId: 'y', username: 'nobody', password: 'x' })).rejects.toThrow(
      /Bad username or password/,
    );
    expect((await nextSecurityEvent((event) => event.username === 'nobody')).kind).toBe('refused-connection');
  });

  it('denies a device writing another device’s topics or the hub’s world, and nobody sees it', async () => {
    for (const topic of ['homie/5/pv-2/pv/power-kw', 'gridflex/v1/clock', 'homie/5/pv-2/pv/power-kw/set']) {
      const pv = await device('pv-1');
      const gone = closed(pv);
      pv.publish(topic, formatHomieValue(9), { qos: 0 });
      await gone;
      const event = await nextSecurityEvent(
        (entry) => entry.kind === 'denied-publish' && entry.topic === topic,
      );
      expect(event.username).toBe('pv-1');
    }
    // The victim still works, and the watcher gets its value, not the forged one.
    const pv2 = await device('pv-2');
    const got = nextMessage(watcher, (topic) => topic === 'homie/5/pv-2/pv/power-kw');
    await pv2.publishAsync('homie/5/pv-2/pv/power-kw', formatHomieValue(-0.5), { qos: 1 });
    expect((await got).payload.toString()).toBe('-0.5');
    pv2.end(true);
  });

  it('never lets an anonymous client publish, and keeps subscriptions to what a role may read', async () => {
    const anonymous = await connectClient(url, { clientId: 'anon-1' });
    expect(await subscribe(anonymous, 'gridflex/v1/#')).toBe(1);
    expect(await subscribe(anonymous, '#')).toBe(128);
    expect(await subscribe(anonymous, 'gridflex/control/v1/#')).toBe(128);
    const gone = closed(anonymous);
    anonymous.publish('gridflex/control/v1/regulator/rules', JSON.stringify({ priceCapGbpPerKwh: 0.1 }));
    await gone;
    expect(
      (await nextSecurityEvent((event) => event.clientId === 'anon-1' && event.kind === 'denied-publish'))
        .topic,
    ).toBe('gridflex/control/v1/regulator/rules');

    const pv = await device('pv-1');
    expect(await subscribe(pv, 'homie/5/pv-1/+/+/set')).toBe(1);
    expect(await subscribe(pv, 'homie/5/pv-2/#')).toBe(128);
    expect(await subscribe(pv, 'homie/5/+/+/+/set')).toBe(128);
    pv.end(true);

    const regulator = await connectClient(url, {
      clientId: 'reg',
      username: 'regulator',
      password: secrets.regulator,
    });
    await regulator.publishAsync(
      'gridflex/control/v1/regulator/rules',
      JSON.stringify({ priceCapGbpPerKwh: 0.3 }),
      {
        qos: 1,
      },
    );
    const goneRegulator = closed(regulator);
    regulator.publish('gridflex/control/v1/supplier/octo/tariff', '{}');
    await goneRegulator;
  });

  it('refuses a client ID in use to another identity and keeps the first connection', async () => {
    const first = await device('pv-1', 'board-pv-1');
    await expect(device('pv-2', 'board-pv-1')).rejects.toThrow(/Identifier rejected/);
    expect((await nextSecurityEvent((event) => event.kind === 'duplicate-client-id')).clientId).toBe(
      'board-pv-1',
    );
    const got = nextMessage(watcher, (topic) => topic === 'homie/5/pv-1/pv/light-pct');
    await first.publishAsync('homie/5/pv-1/pv/light-pct', formatHomieValue(42), { qos: 1 });
    expect((await got).payload.toString()).toBe('42');
    first.end(true);
  });

  it('keeps a board’s client ID for that board: nobody else can squat it while the board is away', async () => {
    await expect(connectClient(url, { clientId: 'pv-2' })).rejects.toThrow(/Identifier rejected/);
    await expect(
      connectClient(url, { clientId: 'pv-2', username: 'pv-1', password: secrets['pv-1'] }),
    ).rejects.toThrow(/Identifier rejected/);
    expect((await nextSecurityEvent((event) => /reserved/.test(event.reason))).clientId).toBe('pv-2');
    const pv2 = await device('pv-2');
    pv2.end(true);
  });

  it('cuts off an oversized packet before buffering it and keeps serving others', async () => {
    const bystander = await device('pv-2');
    const pv = await device('pv-1');
    const gone = closed(pv);
    pv.publish('homie/5/pv-1/$log/info', Buffer.alloc(100_000, 'a'));
    await gone;
    const event = await nextSecurityEvent((entry) => entry.kind === 'oversized-payload');
    expect(event.reason).toMatch(/over the 4096-byte limit/);
    const got = nextMessage(watcher, (topic) => topic === 'homie/5/pv-2/pv/light-pct');
    await bystander.publishAsync('homie/5/pv-2/pv/light-pct', formatHomieValue(7), { qos: 1 });
    expect((await got).payload.toString()).toBe('7');
    bystander.end(true);
  });

  it('rejects malformed payloads with the reason', async () => {
    const cases: [string, string | Buffer, RegExp][] = [
      ['homie/5/pv-1/$state', 'banana', /\$state must be one of/],
      ['homie/5/pv-1/pv/power-kw', Buffer.from([0xff, 0xfe]), /UTF-8/],
      ['homie/5/pv-1/$readings', '{"value": 1}', /\$readings/],
      ['homie/5/pv-1/$description', '{"homie":"4.0","version":1}', /homie/],
    ];
    for (const [topic, payload, reason] of cases) {
      const pv = await device('pv-1');
      const gone = closed(pv);
      pv.publish(topic, payload);
      await gone;
      const event = await nextSecurityEvent(
        (entry) => entry.kind === 'rejected-payload' && entry.topic === topic && reason.test(entry.reason),
      );
      expect(event.username).toBe('pv-1');
    }
    const regulator = await connectClient(url, {
      clientId: 'reg-2',
      username: 'regulator',
      password: secrets.regulator,
    });
    const gone = closed(regulator);
    regulator.publish('gridflex/control/v1/regulator/rules', JSON.stringify({ priceCapGbpPerKwh: -1 }));
    await gone;
    expect((await nextSecurityEvent((entry) => entry.clientId === 'reg-2')).kind).toBe('rejected-payload');
  });

  it('disconnects a flooding client, reports it once, and others carry on', async () => {
    const bystander = await device('pv-2');
    const flooder = await device('flooder');
    const gone = closed(flooder);
    for (let index = 0; index < 200; index++)
      flooder.publish('homie/5/flooder/agent/queued-readings', formatHomieValue(index));
    await gone;
    await nextSecurityEvent((entry) => entry.kind === 'rate-limited');
    expect(seen.filter((entry) => entry.kind === 'rate-limited')).toHaveLength(1);
    const got = nextMessage(
      watcher,
      (topic) => topic === 'homie/5/pv-2/pv/light-pct',
      (p) => p.toString() === '8',
    );
    await bystander.publishAsync('homie/5/pv-2/pv/light-pct', formatHomieValue(8), { qos: 1 });
    await got;
    bystander.end(true);
  });

  it('paces a burst within the rate (5 at once, then 50/s here) and delivers all of it, in order', async () => {
    const board = await device('pv-2', 'pv-2-burst');
    const values: string[] = [];
    const topic = 'homie/5/pv-2/agent/queued-readings';
    const all = new Promise<void>((resolve) => {
      watcher.on('message', (got, payload) => {
        if (got === topic && values.push(payload.toString()) === 15) resolve();
      });
    });
    for (let index = 0; index < 15; index++) board.publish(topic, formatHomieValue(index));
    await all;
    expect(values).toEqual(Array.from({ length: 15 }, (_, index) => String(index)));
    expect(board.connected).toBe(true);
    board.end(true);
  });
});

describe('credentials changed while the broker runs', () => {
  it('accepts a board added by another process and refuses one removed', async () => {
    const other = CredentialStore.open(data.dir);
    const secret = await other.add('pv-7', { role: 'device', deviceId: 'pv-7' });
    const pv7 = await connectClient(url, { clientId: 'pv-7', username: 'pv-7', password: secret });
    pv7.end(true);
    other.remove('pv-7');
    await expect(
      connectClient(url, { clientId: 'pv-7b', username: 'pv-7', password: secret }),
    ).rejects.toThrow(/Bad username or password/);
  });
});

describe('connection floods', () => {
  it('refuses a client reconnecting too often, before any authentication, and logs it', async () => {
    const refused: SecurityEvent[] = [];
    const store = CredentialStore.open(data.dir);
    const small = await EmbeddedBroker.start({
      host: '127.0.0.1',
      mqttPort: 0,
      wsPort: null,
      credentials: store,
      // No refill to speak of: the sixth connection from this address is over the limit.
      connectRateLimit: { perSecond: 0.0001, burst: 5 },
      onSecurityEvent: (event) => refused.push(event),
    });
    try {
      const smallUrl = `mqtt://127.0.0.1:${small.mqttPort}`;
      for (let index = 0; index < 5; index++)
        (await connectClient(smallUrl, { clientId: `c-${index}` })).end(true);
      await expect(connectClient(smallUrl, { clientId: 'c-5' })).rejects.toThrow(/Server unavailable/);
      expect(refused).toEqual([expect.objectContaining({ kind: 'rate-limited', clientId: 'c-5' })]);
    } finally {
      await small.close();
    }
  });

  it("turns a held-off board away before its password and its address's budget: a board beside it connects", async () => {
    const store = CredentialStore.open(data.dir);
    const small = await EmbeddedBroker.start({
      host: '127.0.0.1',
      mqttPort: 0,
      wsPort: null,
      credentials: store,
      rateLimit: { perSecond: 1, burst: 2 },
      holdOff: { firstMs: 60_000, maxMs: 60_000, forgetAfterMs: 600_000 },
      connectRateLimit: { perSecond: 0.0001, burst: 5 },
    });
    try {
      const smallUrl = `mqtt://127.0.0.1:${small.mqttPort}`;
      const connect = (id: string, password = secrets[id]) =>
        connectClient(smallUrl, { clientId: id, username: id, password });
      const flooder = await connect('flooder');
      const gone = closed(flooder);
      for (let index = 0; index < 5; index++) flooder.publish('homie/5/flooder/$log/info', `line ${index}`);
      await gone;
      // Its reconnect loop, with the right password and a wrong one: held off, not "bad password".
      for (let index = 0; index < 8; index++) {
        await expect(connect('flooder', index % 2 ? 'wrong' : secrets.flooder)).rejects.toThrow(
          /Server unavailable/,
        );
      }
      (await connect('pv-1')).end(true);
    } finally {
      await small.close();
    }
  });
});
