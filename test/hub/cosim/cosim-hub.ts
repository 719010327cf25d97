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
import { type LoggedMessage, MessageLog } from '../message-log.js';
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

/** Every message on the filters as parsed JSON (text where it is not JSON), over a {@link MessageLog}. */
export class Recorder {
  private readonly log: MessageLog;
  private readonly bodies: unknown[] = [];

  private constructor(client: MqttClient) {
    this.log = new MessageLog(client);
  }

  static async on(client: MqttClient, ...filters: string[]): Promise<Recorder> {
    const recorder = new Recorder(client);
    for (const filter of filters) await subscribe(client, filter);
    return recorder;
  }

  /** What has come so far, in arrival order. */
  get messages(): { topic: string; body: unknown }[] {
    return this.log.since(0).map((message) => ({ topic: message.topic, body: this.body(message) }));
  }

  /** The first message (from now on) on `topic` whose body passes `test`. */
  next<T>(topic: string, test: (body: T) => boolean = () => true): Promise<T> {
    return this.firstFrom(this.log.mark(), topic, test);
  }

  /** The first message on `topic` passing `test`, already recorded or still to come. */
  find<T>(topic: string, test: (body: T) => boolean = () => true): Promise<T> {
    return this.firstFrom(0, topic, test);
  }

  /** Index of the first recorded message matching, or -1. */
  indexOf(topic: string, test: (body: unknown) => boolean = () => true): number {
    return this.log.since(0).findIndex((message) => message.topic === topic && test(this.body(message)));
  }

  private async firstFrom<T>(from: number, topic: string, test: (body: T) => boolean): Promise<T> {
    const found = await this.log.first(
      from,
      (message) => message.topic === topic && test(this.body(message) as T),
    );
    return this.body(found) as T;
  }

  private body(message: LoggedMessage): unknown {
    if (!(message.index in this.bodies)) this.bodies[message.index] = parseBody(message.payload);
    return this.bodies[message.index];
  }
}

function parseBody(payload: Buffer): unknown {
  try {
    return JSON.parse(payload.toString());
  } catch {
    return payload.toString();
  }
}
