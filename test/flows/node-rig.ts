/**
 * Test rig for the GridFlex Node-RED nodes: node-red-node-test-helper (the real Node-RED runtime's node API)
 * with the nodes connected to a real Aedes broker on a free loopback port, and an MQTT client that plays the
 * hub (records what the nodes publish, answers on the audit topic). Everything waits on events.
 */
import { createRequire } from 'node:module';
import { type AddressInfo, createServer, type Socket } from 'node:net';
import { Aedes } from 'aedes';
import type { MqttClient } from 'mqtt';
import { connectClient } from '../hub/mqtt-helpers.js';

const require = createRequire(import.meta.url);

/** The node package's node modules (CommonJS), by type. */
export const NODE_MODULES = Object.fromEntries(
  [
    'gridflex-hub',
    'gridflex-device',
    'gridflex-plot',
    'gridflex-tariff',
    'gridflex-rule',
    'gridflex-resident',
    'gridflex-clock',
    'gridflex-watch',
  ].map((type) => [type, require(`../../flows/node-red-contrib-gridflex/nodes/${type}.js`)]),
) as Record<string, unknown>;

export interface TestHelper {
  init(runtimePath: string, settings?: Record<string, unknown>): void;
  load(
    nodes: unknown[],
    flow: Record<string, unknown>[],
    credentials?: Record<string, unknown>,
  ): Promise<void>;
  unload(): Promise<void>;
  getNode(id: string): RedNode;
}

/** The parts of a running Node-RED node the tests use (the helper emits `call:<method>` for its spies). */
export interface RedNode {
  receive(msg: Record<string, unknown>): void;
  on(event: string, listener: (...args: never[]) => void): void;
  off(event: string, listener: (...args: never[]) => void): void;
}

export const helper = require('node-red-node-test-helper') as TestHelper;
helper.init(require.resolve('node-red'));

export interface Status {
  fill?: string;
  shape?: string;
  text?: string;
}

/** Resolves with the first status the node shows from now on that passes `accept`. */
export function nextStatus(node: RedNode, accept: (status: Status) => boolean): Promise<Status> {
  return new Promise((resolve) => {
    const listener = (call: { args: [Status] }) => {
      if (!accept(call.args[0])) return;
      node.off('call:status', listener);
      resolve(call.args[0]);
    };
    node.on('call:status', listener);
  });
}

/** Resolves with a status the node has shown (already, or from now on) that passes `accept`. */
export function statusShown(node: RedNode, accept: (status: Status) => boolean): Promise<Status> {
  const spy = (node as unknown as { status: { getCalls(): { thisValue: unknown; args: [Status] }[] } })
    .status;
  const past = spy.getCalls().find((call) => call.thisValue === node && accept(call.args[0]));
  return past ? Promise.resolve(past.args[0]) : nextStatus(node, accept);
}

/** Resolves with the first node.error(text, msg) of the node from now on. */
export function nextError(node: RedNode): Promise<{ text: string; msg: unknown }> {
  return new Promise((resolve) => {
    const listener = (call: { args: [unknown, unknown] }) => {
      node.off('call:error', listener);
      resolve({ text: String(call.args[0]), msg: call.args[1] });
    };
    node.on('call:error', listener);
  });
}

/** Resolves with the first node.warn(text) of the node from now on. */
export function nextWarning(node: RedNode): Promise<string> {
  return new Promise((resolve) => {
    const listener = (call: { args: [unknown] }) => {
      node.off('call:warn', listener);
      resolve(String(call.args[0]));
    };
    node.on('call:warn', listener);
  });
}

/** Resolves with the next message a helper node receives. */
export function nextInput(node: RedNode): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    const listener = (msg: Record<string, unknown>) => {
      node.off('input', listener);
      resolve(msg);
    };
    node.on('input', listener);
  });
}

/** Options of {@link RigBroker.start}. */
export interface RigBrokerOptions {
  /** The only user name and password accepted (default: anyone). */
  login?: { username: string; password: string };
  /** Topics whose publishes are refused: the broker closes the connection, as the hub does. */
  refusePublishOn?: (topic: string) => boolean;
  /** Listen on this port (default: a free one). */
  port?: number;
}

/** A real MQTT broker on a loopback port, optionally with one login and topics it refuses. */
export class RigBroker {
  private readonly sockets = new Set<Socket>();
  /** Publishes refused so far. */
  refusedPublishes = 0;

  private constructor(
    private readonly aedes: Aedes,
    private readonly server: ReturnType<typeof createServer>,
  ) {}

  static async start(options: RigBrokerOptions = {}): Promise<RigBroker> {
    const { login, refusePublishOn } = options;
    let rig: RigBroker | undefined;
    const aedes = await Aedes.createBroker({
      authenticate: (_client, username, password, done) => {
        if (!login) return done(null, true);
        const ok = username === login.username && password?.toString() === login.password;
        if (ok) return done(null, true);
        const error = Object.assign(new Error('bad user name or password'), { returnCode: 4 });
        return done(error as never, false);
      },
      authorizePublish: (_client, packet, done) => {
        if (!refusePublishOn?.(packet.topic)) return done(null);
        if (rig) rig.refusedPublishes += 1;
        return done(new Error('not allowed here'));
      },
    });
    const server = createServer((socket) => aedes.handle(socket));
    rig = new RigBroker(aedes, server);
    const started = rig;
    server.on('connection', (socket) => {
      started.sockets.add(socket);
      socket.on('close', () => started.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
    });
    return rig;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  /** Stops abruptly, as a crashed hub would: connections drop, retained messages are gone. */
  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    await new Promise<void>((resolve) => this.aedes.close(() => resolve()));
  }
}

/** An MQTT client in the hub's place: records what arrives on `filter`s and publishes the hub's side. */
export class FakeHub {
  readonly received: { topic: string; payload: string }[] = [];
  private waiters: { topic: string; resolve: (payload: string) => void }[] = [];

  private constructor(readonly client: MqttClient) {
    client.on('message', (topic, payload) => {
      const text = payload.toString();
      this.received.push({ topic, payload: text });
      this.waiters = this.waiters.filter((waiter) => {
        if (waiter.topic !== topic) return true;
        waiter.resolve(text);
        return false;
      });
    });
  }

  static async connect(url: string, login?: { username: string; password: string }): Promise<FakeHub> {
    const client = await connectClient(url, { clientId: 'fake-hub', ...login });
    await client.subscribeAsync(['gridflex/control/v1/#', 'homie/5/+/+/+/set'], { qos: 1 });
    return new FakeHub(client);
  }

  /** The next payload on `topic` from now on. */
  next(topic: string): Promise<string> {
    return new Promise((resolve) => this.waiters.push({ topic, resolve }));
  }

  /** Payloads received on `topic` so far. */
  on(topic: string): string[] {
    return this.received.filter((entry) => entry.topic === topic).map((entry) => entry.payload);
  }

  async publish(topic: string, body: unknown, retain = false): Promise<void> {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    await this.client.publishAsync(topic, text, { qos: 1, retain });
  }

  /** The hub's answer to a control message (an audit entry echoing its request ID). */
  async answer(topic: string, sent: string, accepted: boolean, reason: string): Promise<void> {
    const { requestId } = JSON.parse(sent) as { requestId?: string };
    await this.publish('gridflex/v1/audit', {
      seq: 1,
      at: new Date().toISOString(),
      simTime: '2026-01-15T18:00:00.000Z',
      username: 'node-red',
      role: 'operator',
      topic,
      action: 'table-place',
      accepted,
      reason,
      ...(requestId === undefined ? {} : { requestId }),
    });
  }

  close(): void {
    this.client.end(true);
  }
}
