/**
 * A real hub in this process for the co-simulation tests: the embedded broker on a loopback port with
 * credentials, the HubRuntime with its extensions, a table map written to a temp dir. Clients connect over
 * TCP like any board. Everything waits on messages, never on sleeps.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { MqttClient } from 'mqtt';
import { parse, stringify } from 'yaml';
import { CredentialStore } from '../../../hub/auth/credentials.js';
import { EmbeddedBroker } from '../../../hub/broker/embedded-broker.js';
import { loadFeeder } from '../../../hub/feeder/index.js';
import { HubRuntime } from '../../../hub/live/hub-runtime.js';
import { InProcessLink } from '../../../hub/live/link.js';
import { checkMapAgainstFeeder, type LoadedTableMap, loadTableMap } from '../../../hub/table/map-config.js';
import type { SecurityEvent } from '../../../protocol/gridflex.js';
import { connectClient, subscribe, tempDir } from '../mqtt-helpers.js';

export interface CosimHub {
  url: string;
  map: LoadedTableMap;
  store: CredentialStore;
  runtime: HubRuntime;
  log: string[];
  /** A client logged in as a new `device:<id>` identity (a participant or a board). */
  device(id: string): Promise<{ client: MqttClient; password: string }>;
  /** An anonymous client: reads the hub's world and every board, publishes nothing. */
  viewer(clientId: string): Promise<MqttClient>;
  /** A client with a workshop role (e.g. operator). */
  user(username: string, role: 'operator'): Promise<MqttClient>;
  stop(): Promise<void>;
}

/** Writes a table map: the default street, its clock from `clock`, no shadow runs (fast steps). */
export function writeCosimMap(dir: string, clock: Record<string, unknown>): string {
  const map = parse(readFileSync('scenarios/table-map.yaml', 'utf8')) as Record<string, unknown>;
  map.feeder = resolve('feeders/table-street');
  map.clock = clock;
  map.live = { ...((map.live as Record<string, unknown> | undefined) ?? {}), shadows: [] };
  const file = join(dir, 'table-map.yaml');
  writeFileSync(file, stringify(map));
  return file;
}

/** A lockstep clock of 6-minute steps from 11:00, where the hub waits up to 5 s for every participant. */
export const WAITING_LOCKSTEP_CLOCK = {
  start: '2026-01-15T11:00:00Z',
  stepMinutes: 6,
  stepMs: 10,
  mode: 'lockstep',
  lockstep: { policy: 'wait', timeoutMs: 5000 },
} as const;

export async function startCosimHub(clock: Record<string, unknown>): Promise<CosimHub> {
  const data = tempDir('gridflex-cosim-');
  const store = CredentialStore.open(data.dir);
  const map = loadTableMap(writeCosimMap(data.dir, clock));
  const network = loadFeeder(map.feederDir);
  checkMapAgainstFeeder(map, network);
  let reportSecurity: ((event: SecurityEvent) => void) | undefined;
  const broker = await EmbeddedBroker.start({
    host: '127.0.0.1',
    mqttPort: 0,
    wsPort: null,
    credentials: store,
    rateLimit: { perSecond: 100_000, burst: 1_000_000 },
    // As `gridflex hub` does: a refused message reaches the hub's security topic, so its sender learns why.
    onSecurityEvent: (event) => reportSecurity?.(event),
  });
  const url = `mqtt://127.0.0.1:${broker.mqttPort}`;
  const log: string[] = [];
  const link = new InProcessLink(broker.aedes);
  const runtime = new HubRuntime({
    map,
    network,
    link,
    dataDir: data.dir,
    log: (level, message) => log.push(`${level} ${message}`),
  });
  reportSecurity = (event) => runtime.reportSecurity(event);
  await runtime.start();
  const clients: MqttClient[] = [];
  const connect = async (username: string, password: string) => {
    const client = await connectClient(url, { clientId: username, username, password });
    clients.push(client);
    return client;
  };
  return {
    url,
    map,
    store,
    runtime,
    log,
    device: async (id) => {
      const password = await store.add(id, { role: 'device', deviceId: id });
      return { client: await connect(id, password), password };
    },
    viewer: async (clientId) => {
      const client = await connectClient(url, { clientId });
      clients.push(client);
      return client;
    },
    user: async (username, role) => connect(username, await store.add(username, { role })),
    stop: async () => {
      for (const client of clients) client.end(true);
      await runtime.stop();
      await link.close();
      await broker.close();
      data.remove();
    },
  };
}

/** A recorder of every message on the filters, in arrival order, with waiters. */
export class Recorder {
  readonly messages: { topic: string; body: unknown }[] = [];
  private waiters: { test: (topic: string, body: unknown) => boolean; resolve: (body: unknown) => void }[] =
    [];

  constructor(client: MqttClient) {
    client.on('message', (topic, payload) => {
      let body: unknown;
      try {
        body = JSON.parse(payload.toString());
      } catch {
        body = payload.toString();
      }
      this.messages.push({ topic, body });
      for (const waiter of [...this.waiters]) {
        if (!waiter.test(topic, body)) continue;
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        waiter.resolve(body);
      }
    });
  }

  static async on(client: MqttClient, ...filters: string[]): Promise<Recorder> {
    const recorder = new Recorder(client);
    for (const filter of filters) await subscribe(client, filter);
    return recorder;
  }

  /** The first message (from now on) on `topic` whose body passes `test`. */
  next<T>(topic: string, test: (body: T) => boolean = () => true): Promise<T> {
    return new Promise((resolve) =>
      this.waiters.push({
        test: (t, body) => t === topic && test(body as T),
        resolve: (body) => resolve(body as T),
      }),
    );
  }

  /** The first message on `topic` passing `test`, already recorded or still to come. */
  find<T>(topic: string, test: (body: T) => boolean = () => true): Promise<T> {
    const found = this.messages.find((message) => message.topic === topic && test(message.body as T));
    return found ? Promise.resolve(found.body as T) : this.next(topic, test);
  }

  /** Index of the first recorded message matching, or -1. */
  indexOf(topic: string, test: (body: unknown) => boolean = () => true): number {
    return this.messages.findIndex((message) => message.topic === topic && test(message.body));
  }
}
