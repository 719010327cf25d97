/**
 * The device agent: one board's nodes on the wire as a Homie 5 device. It publishes `$state`
 * (init → ready, last will `lost`), a retained `$description` and telemetry at its interval; obeys
 * validated `/set` commands; reconnects with exponential backoff; keeps readings in a bounded queue while
 * offline and sends them in order, with their original times, on `$readings` after reconnecting (then the
 * latest value of each property); and restarts a driver that stops answering.
 */
import { connect as netConnect } from 'node:net';
import mqtt, { type IClientOptions, MqttClient } from 'mqtt';
import { type CosimStep, CosimStepSchema, cosimTopics } from '../protocol/cosim.js';
import { ClockSchema, gridflexTopics, LinkPingSchema } from '../protocol/gridflex.js';
import {
  formatHomieValue,
  GRIDFLEX_NODE_KINDS,
  GRIDFLEX_READINGS_EXTENSION,
  gridflexNodeType,
  HOMIE_VERSION,
  type HomieDescription,
  type HomieLogLevel,
  type HomieState,
  homieFilters,
  homieTopics,
  parseHomieTopic,
  parseSetPayload,
  type ReadingRecord,
} from '../protocol/homie.js';
import { analogInputsOf, type DeviceConfig, nodeIdOf, type SimEvent } from './config.js';
import { openBoard } from './drivers/index.js';
import { SimWorld } from './drivers/sim.js';
import { type Board, HardwareError } from './drivers/types.js';
import { type EbusValue, EbusView } from './ebus.js';
import { createNode } from './kinds/index.js';
import type { DeviceNode, PropertyValue } from './kinds/node.js';
import { BoundedQueue } from './queue.js';

/** The agent's own Homie node: queue and watchdog counters. */
export const AGENT_NODE_ID = 'agent';

export type LogLevel = 'debug' | HomieLogLevel;
export type Logger = (level: LogLevel, message: string) => void;

export interface DeviceAgentOptions {
  config: DeviceConfig;
  /** Overrides `broker.url` of the config (the CLI's `--broker`). */
  brokerUrl?: string;
  /** The broker password (the CLI resolves `broker.password` / `broker.passwordFile`). */
  password?: string;
  /** Opens the board instead of the config's backend (tests pass a serial-json board on a mock port). */
  openBoard?: (driver: DeviceConfig['driver']) => Promise<Board>;
  /** Where log lines go; info and above are also published to `$log/<level>` while connected. */
  log: Logger;
}

class WatchdogTimeout extends Error {
  override readonly name = 'WatchdogTimeout';
}

/** Messages sent per batch while draining the offline queue (in flight at once, QoS 1). */
const FLUSH_BATCH = 100;

export class DeviceAgent {
  private readonly config: DeviceConfig;
  private readonly brokerUrl: string;
  private readonly log: Logger;
  private readonly password: string | undefined;
  private readonly openBoardOverride: DeviceAgentOptions['openBoard'];
  private readonly nodes: DeviceNode[];
  private readonly description: HomieDescription;
  private readonly ebus: EbusView;
  /** Each eBus property's latest payload by topic, sent again on every connect before `ready`. */
  private readonly ebusLatest = new Map<string, string>();
  private readonly simWorld: SimWorld;
  private readonly queue: BoundedQueue<ReadingRecord>;
  /** Readings handed to the client whose `$readings` publish the broker has not acknowledged yet, by seq. */
  private readonly unconfirmed = new Map<number, ReadingRecord>();
  private client: MqttClient | undefined;
  private board: Board | undefined;
  private tickTimer: NodeJS.Timeout | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private reconnectAttempt = 0;
  /** Counts connections, so a stale session setup can tell it was superseded. */
  private session = 0;
  private tickCount = 0;
  private seq = 0;
  private driverRestarts = 0;
  /** True once the queue is drained after a connect: new readings go straight out. */
  private online = false;
  private stopping = false;
  private tickRunning = false;
  /** Whether this outage's first drop was logged (once per outage, not per reading). */
  private queueFullLogged = false;
  /** Serialises driver access between ticks and `/set` commands. */
  private driverLock: Promise<unknown> = Promise.resolve();
  /** With `clock: hub`: the latest hub clock (simulated ms, mode), null until one arrives. */
  private hubClock: { simMs: number; lockstep: boolean } | null = null;
  /** With `clock: hub`: simulated ms the scripts count from. */
  private originMs: number | undefined;
  /** Script seconds at the last sample (state advances by the difference). */
  private sampledAtS = 0;
  /** The session in which this board last registered for the lockstep. */
  private registeredSession = 0;

  constructor(options: DeviceAgentOptions) {
    this.config = options.config;
    this.brokerUrl = options.brokerUrl ?? options.config.broker.url;
    this.log = options.log;
    this.password = options.password ?? options.config.broker.password;
    this.openBoardOverride = options.openBoard;
    const nodeLog = (level: 'info' | 'warn', message: string) => this.logLine(level, message);
    this.nodes = this.config.nodes.map((node) => createNode(node, nodeLog));
    this.ebus = new EbusView(this.config.deviceId, this.nodes, [AGENT_NODE_ID]);
    this.description = describeDevice(this.config, this.nodes, this.ebus);
    this.keepEbus(this.ebus.constants);
    this.simWorld = new SimWorld(withDefaultInputs(this.config), (event) =>
      this.logLine('info', `sim: ${describeSimEvent(event)}`),
    );
    this.queue = new BoundedQueue(this.config.queueSize);
    const origin = this.config.sim?.origin;
    if (origin !== undefined) this.originMs = Date.parse(origin);
  }

  /** Whether the board's time follows the hub's simulated clock. */
  private get followsHub(): boolean {
    return this.config.clock === 'hub';
  }

  /** The `$description` this agent publishes. */
  get homieDescription(): HomieDescription {
    return this.description;
  }

  /** Opens the board (throws HardwareError when it is absent), then connects and starts telemetry. */
  async start(): Promise<void> {
    this.simWorld.advanceTo(0);
    this.board = await this.openAndAttach();
    this.connect();
    void this.tick();
    this.tickTimer = setInterval(() => void this.tick(), this.config.telemetryIntervalMs);
  }

  /** Sets `$state` to `disconnected`, disconnects cleanly (so no last will) and releases the board. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.tickTimer);
    clearTimeout(this.reconnectTimer);
    const client = this.client;
    if (client?.connected) {
      await withTimeout(
        client.publishAsync(homieTopics.state(this.config.deviceId), 'disconnected', {
          qos: 1,
          retain: true,
        }),
        2000,
      ).catch(() => {});
    }
    if (client !== undefined) await withTimeout(client.endAsync(), 2000).catch(() => client.end(true));
    await withTimeout(this.board?.close() ?? Promise.resolve(), 2000).catch(() => {});
  }

  private connect(): void {
    const { deviceId, broker } = this.config;
    const client = connectClient(this.brokerUrl, {
      protocolVersion: 4,
      clientId: deviceId,
      username: broker.username,
      password: this.password,
      clean: true,
      keepalive: 30,
      connectTimeout: 10_000,
      // Reconnection is ours, with backoff; mqtt.js would retry at a fixed period.
      reconnectPeriod: 0,
      // mqtt-packet's cache of 65 536 pre-encoded message IDs costs ~6.5 MB of heap; a board sends little.
      writeCache: false,
      will: { topic: homieTopics.state(deviceId), payload: Buffer.from('lost'), qos: 1, retain: true },
    });
    this.client = client;
    client.on('connect', () => void this.onConnect(client));
    client.on('close', () => this.onClose());
    client.on('error', (error) =>
      this.log('error', `broker ${this.brokerUrl}: ${explainBrokerError(error, deviceId)}`),
    );
    client.on('message', (topic, payload) => void this.onMessage(topic, payload));
  }

  private async onConnect(client: MqttClient): Promise<void> {
    this.reconnectAttempt = 0;
    // A session left over from an earlier connection (its awaits resolve after the reconnect) stops here.
    const session = ++this.session;
    const current = () => session === this.session && client.connected;
    this.log('info', `connected to ${this.brokerUrl}`);
    const { deviceId } = this.config;
    try {
      await this.publishState('init');
      await client.publishAsync(homieTopics.description(deviceId), JSON.stringify(this.description), {
        qos: 1,
        retain: true,
      });
      await client.subscribeAsync(homieFilters.deviceSets(deviceId), { qos: 1 });
      await client.subscribeAsync(gridflexTopics.linksPing(deviceId), { qos: 0 });
      if (this.followsHub) {
        await client.subscribeAsync([gridflexTopics.clock(), cosimTopics.step()], { qos: 1 });
      }
      await this.flushQueue(client, current);
      if (!current()) return;
      this.online = true;
      this.publishAgentCounters(Date.now());
      await this.publishEbus(client);
      await this.publishState('ready');
      this.log('info', 'ready');
    } catch (error) {
      this.log('warn', `session setup interrupted: ${(error as Error).message}`);
    }
  }

  private onClose(): void {
    if (this.online && !this.stopping) this.log('warn', 'broker connection lost; queueing readings');
    this.online = false;
    this.requeueUnconfirmed();
    if (this.stopping || this.reconnectTimer !== undefined) return;
    const { initialMs, maxMs } = this.config.reconnect;
    const delayMs = Math.min(maxMs, initialMs * 2 ** this.reconnectAttempt);
    this.reconnectAttempt++;
    this.log('debug', `reconnecting in ${delayMs} ms`);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (!this.stopping) this.reconnectFresh();
    }, delayMs);
  }

  /**
   * Connects again with a new client: mqtt.js would re-send the old connection's unacknowledged messages
   * itself, ahead of the queue, out of order; they are back in the queue already ({@link requeueUnconfirmed}).
   */
  private reconnectFresh(): void {
    const old = this.client;
    old?.removeAllListeners();
    old?.on('error', () => {});
    old?.end(true);
    this.connect();
  }

  /**
   * Sends queued readings oldest first on `$readings`, then each property's latest value on its own topic;
   * stops early if the connection drops (the rest stay queued).
   */
  private async flushQueue(client: MqttClient, current: () => boolean): Promise<void> {
    let sent = 0;
    const latest = new Map<string, ReadingRecord>();
    while (this.queue.length > 0 && current()) {
      const batch: ReadingRecord[] = [];
      while (batch.length < FLUSH_BATCH && this.queue.length > 0)
        batch.push(this.queue.shift() as ReadingRecord);
      sent += batch.length;
      for (const record of batch) latest.set(`${record.node}/${record.property}`, record);
      await Promise.all(batch.map((record) => this.publishRecord(client, record)));
      if (this.queue.length > 0) continue;
      // Readings taken while these go out join the queue, so the loop checks it again afterwards.
      const values = [...latest.values()];
      latest.clear();
      await Promise.all(values.map((record) => this.publishValue(client, record)));
    }
    if (sent === 0) return;
    this.queueFullLogged = false;
    this.log('info', `sent ${sent} queued readings (${this.queue.dropped} dropped since start)`);
  }

  private publishState(state: HomieState): Promise<unknown> {
    const client = this.client as MqttClient;
    return client.publishAsync(homieTopics.state(this.config.deviceId), state, { qos: 1, retain: true });
  }

  private async tick(): Promise<void> {
    if (this.tickRunning || this.stopping) return;
    this.tickRunning = true;
    const ts = Date.now();
    try {
      await this.sampleAndPublish(this.advanceScript(), ts);
    } catch (error) {
      if (!(error instanceof WatchdogTimeout))
        this.logLine('warn', `reading failed: ${(error as Error).message}`);
    } finally {
      this.publishAgentCounters(ts);
      this.tickRunning = false;
    }
  }

  /**
   * Moves the scripted world to the board's time and returns the seconds to advance the nodes' state by:
   * one telemetry interval on the board's clock; the simulated time since the last sample on the hub's
   * (none while the hub is paused or before its clock arrived).
   */
  private advanceScript(): number {
    if (!this.followsHub) {
      const dtS = this.config.telemetryIntervalMs / 1000;
      this.simWorld.advanceTo(this.tickCount * dtS);
      this.tickCount++;
      return dtS;
    }
    const clock = this.hubClock;
    if (clock === null || this.originMs === undefined) return 0;
    const nowS = Math.max(0, (clock.simMs - this.originMs) / 1000);
    this.simWorld.advanceTo(nowS);
    const dtS = Math.max(0, nowS - this.sampledAtS);
    this.sampledAtS = Math.max(this.sampledAtS, nowS);
    return dtS;
  }

  /** Samples every node and publishes the readings; returns them as `<node>/<property>` outputs. */
  private async sampleAndPublish(dtS: number, ts: number): Promise<Record<string, PropertyValue>> {
    const readings = await this.withDriver(async () => {
      const all: [string, Record<string, PropertyValue>][] = [];
      for (const node of this.nodes) all.push([node.id, await node.sample(dtS)]);
      return all;
    });
    const outputs: Record<string, PropertyValue> = {};
    for (const [nodeId, values] of readings) {
      this.publishValues(nodeId, values, ts);
      for (const [propertyId, value] of Object.entries(values)) outputs[`${nodeId}/${propertyId}`] = value;
    }
    return outputs;
  }

  /** The hub's clock (retained, every step): the board's time; under `lockstep`, join as a participant. */
  private onHubClock(payload: Buffer): void {
    let body: unknown;
    try {
      body = JSON.parse(payload.toString());
    } catch {
      this.logLine('warn', 'hub clock: not JSON; ignored');
      return;
    }
    const parsed = ClockSchema.safeParse(body);
    if (!parsed.success) {
      this.logLine('warn', `hub clock: ${parsed.error.issues[0]?.message ?? 'invalid'}; ignored`);
      return;
    }
    const simMs = Date.parse(parsed.data.simTime);
    this.originMs ??= simMs;
    const lockstep = parsed.data.mode === 'lockstep';
    // Under lockstep the step announcements move the board's time (a step's clock goes out after it).
    if (!lockstep || this.hubClock === null) this.hubClock = { simMs, lockstep };
    this.hubClock.lockstep = lockstep;
    if (lockstep && this.registeredSession !== this.session) this.registerForLockstep();
  }

  private registerForLockstep(): void {
    const client = this.client;
    if (!client?.connected) return;
    this.registeredSession = this.session;
    client.publish(cosimTopics.register(this.config.deviceId), JSON.stringify({}), { qos: 1 });
    this.log('info', 'registered for the hub\u2019s lockstep clock');
  }

  /** A lockstep step: move to its time, sample, publish the readings, then answer with them. */
  private async onCosimStep(payload: Buffer): Promise<void> {
    let announcement: CosimStep;
    try {
      announcement = CosimStepSchema.parse(JSON.parse(payload.toString()));
    } catch (error) {
      this.logLine('warn', `lockstep step: ${(error as Error).message.slice(0, 120)}; ignored`);
      return;
    }
    if (!announcement.due.includes(this.config.deviceId)) return;
    this.hubClock = { simMs: Date.parse(announcement.simTime), lockstep: true };
    const ts = Date.now();
    let outputs: Record<string, PropertyValue> = {};
    try {
      outputs = await this.sampleAndPublish(this.advanceScript(), ts);
    } catch (error) {
      this.logLine('warn', `lockstep step ${announcement.step}: reading failed: ${(error as Error).message}`);
    }
    this.client?.publish(
      cosimTopics.answer(this.config.deviceId),
      JSON.stringify({ step: announcement.step, outputs }),
      // QoS 0 as the hub's announcement: lost only with the connection, after which the board registers again.
      { qos: 0 },
    );
  }

  /**
   * Runs `work` on the board under the watchdog. A call that does not finish in time marks the driver
   * hung: the board is closed and reopened and the nodes re-attached (their state is kept).
   */
  private withDriver<T>(work: (board: Board) => Promise<T>): Promise<T> {
    const run = this.driverLock.then(async () => {
      if (this.board === undefined) this.board = await this.openAndAttach();
      const board = this.board;
      try {
        return await withTimeout(work(board), this.config.watchdogTimeoutMs);
      } catch (error) {
        // A hung driver, or one that reports its hardware gone (a serial port unplugged), is restarted.
        if (error instanceof WatchdogTimeout || error instanceof HardwareError)
          await this.restartDriver(board, error);
        throw error;
      }
    });
    this.driverLock = run.catch(() => {});
    return run;
  }

  private async restartDriver(hung: Board, cause: Error): Promise<void> {
    this.driverRestarts++;
    const why =
      cause instanceof WatchdogTimeout ? `hung for ${this.config.watchdogTimeoutMs} ms` : cause.message;
    this.logLine('warn', `driver ${hung.backend} ${why}; restarting it`);
    this.board = undefined;
    await withTimeout(hung.close(), this.config.watchdogTimeoutMs).catch(() => {});
    try {
      this.board = await this.openAndAttach();
      this.logLine('info', `driver ${hung.backend} restarted`);
    } catch (error) {
      this.logLine('error', `driver restart failed: ${(error as Error).message}; retrying next reading`);
    }
  }

  private async openAndAttach(): Promise<Board> {
    const board = this.openBoardOverride
      ? await this.openBoardOverride(this.config.driver)
      : await openBoard(this.config.driver, {
          simWorld: this.simWorld,
          requestTimeoutMs: this.config.watchdogTimeoutMs,
        });
    try {
      await withTimeout(
        (async () => {
          for (const node of this.nodes) await node.attach(board);
        })(),
        this.config.watchdogTimeoutMs,
      );
    } catch (error) {
      await board.close().catch(() => {});
      throw error;
    }
    return board;
  }

  private async onMessage(topic: string, payload: Buffer): Promise<void> {
    if (this.followsHub && topic === gridflexTopics.clock()) return this.onHubClock(payload);
    if (this.followsHub && topic === cosimTopics.step()) return this.onCosimStep(payload);
    if (topic === gridflexTopics.linksPing(this.config.deviceId)) return this.answerPing(payload);
    const parsed = parseHomieTopic(topic);
    if (parsed?.kind !== 'set' || parsed.deviceId !== this.config.deviceId) return;
    const { nodeId, propertyId } = parsed;
    const where = `/set ${nodeId}/${propertyId}`;
    const property = this.description.nodes?.[nodeId]?.properties?.[propertyId];
    const node = this.nodes.find((candidate) => candidate.id === nodeId);
    if (property === undefined || node === undefined) {
      this.logLine('error', `rejected ${where}: no such property`);
      return;
    }
    const result = parseSetPayload(payload, property);
    if (!result.ok) {
      this.logLine(
        'error',
        `rejected ${where} ${JSON.stringify(truncate(payload.toString()))}: ${result.reason}`,
      );
      return;
    }
    try {
      const changed = await this.withDriver(() => node.set(propertyId, result.value));
      this.logLine('info', `${where} = ${JSON.stringify(result.value)}`);
      this.publishValues(nodeId, changed, Date.now());
    } catch (error) {
      const why = error instanceof WatchdogTimeout ? 'driver hung' : (error as Error).message;
      this.logLine('error', `${where} failed: ${why}`);
    }
  }

  /** Answers the hub's ping at once with its sequence number, so the hub can time the round trip. */
  private answerPing(payload: Buffer): void {
    let body: unknown;
    try {
      body = JSON.parse(payload.toString());
    } catch {
      body = undefined;
    }
    const ping = LinkPingSchema.safeParse(body);
    if (!ping.success) {
      this.log('debug', `ignored a ping that is not {"seq": <integer>}`);
      return;
    }
    this.client?.publish(gridflexTopics.linksPong(this.config.deviceId), JSON.stringify(ping.data), {
      qos: 0,
    });
  }

  private publishValues(nodeId: string, values: Record<string, PropertyValue>, ts: number): void {
    for (const [property, value] of Object.entries(values))
      this.send({ node: nodeId, property, value, ts, seq: this.seq++ });
    const ebus = this.keepEbus(this.ebus.values(nodeId, values));
    const client = this.client;
    if (this.online && client?.connected) this.publishEbus(client, ebus).catch(() => {});
  }

  /** Keeps the latest eBus payloads (derived from readings, so not queued: the readings are); returns their topics. */
  private keepEbus(values: EbusValue[]): string[] {
    return values.map(({ nodeId, propertyId, value }) => {
      const topic = homieTopics.property(this.config.deviceId, nodeId, propertyId);
      this.ebusLatest.set(topic, formatHomieValue(value));
      return topic;
    });
  }

  /** Publishes the latest eBus payloads of `topics` (default: all), retained. */
  private async publishEbus(client: MqttClient, topics = [...this.ebusLatest.keys()]): Promise<void> {
    await Promise.all(
      topics.map((topic) =>
        client.publishAsync(topic, this.ebusLatest.get(topic) as string, { qos: 1, retain: true }),
      ),
    );
  }

  /** The plain Homie 5 payload on the property's topic, retained. */
  private publishValue(client: MqttClient, record: ReadingRecord): Promise<unknown> {
    const topic = homieTopics.property(this.config.deviceId, record.node, record.property);
    return client.publishAsync(topic, formatHomieValue(record.value), { qos: 1, retain: true });
  }

  /**
   * The reading with its time and sequence number on `$readings` (a stream: not retained). Until the broker
   * acknowledges it, it is kept to be queued again if the connection drops (mqtt.js drops unacknowledged
   * messages of a clean session); a reading may so arrive twice, never not at all.
   */
  private async publishRecord(client: MqttClient, record: ReadingRecord): Promise<void> {
    this.unconfirmed.set(record.seq, record);
    await client.publishAsync(homieTopics.readings(this.config.deviceId), JSON.stringify(record), { qos: 1 });
    this.unconfirmed.delete(record.seq);
  }

  /** Puts the unacknowledged readings back in the queue, oldest first, ahead of those taken since. */
  private requeueUnconfirmed(): void {
    if (this.unconfirmed.size === 0) return;
    const pending = [...this.unconfirmed.values()];
    this.unconfirmed.clear();
    for (let queued = this.queue.shift(); queued !== undefined; queued = this.queue.shift())
      pending.push(queued);
    pending.sort((a, b) => a.seq - b.seq);
    for (const record of pending) this.queue.push(record);
  }

  private publishAgentCounters(ts: number): void {
    this.publishValues(
      AGENT_NODE_ID,
      {
        'dropped-readings': this.queue.dropped,
        'queued-readings': this.queue.length,
        'driver-restarts': this.driverRestarts,
      },
      ts,
    );
  }

  /** Publishes now when online, otherwise keeps the reading in the bounded queue. */
  private send(record: ReadingRecord): void {
    const client = this.client;
    if (this.online && client?.connected) {
      // Failures surface as the connection's close; the reading is then lost like any QoS 1 in flight.
      this.publishValue(client, record).catch(() => {});
      this.publishRecord(client, record).catch(() => {});
      return;
    }
    const dropped = this.queue.push(record);
    if (dropped !== undefined && !this.queueFullLogged) {
      this.queueFullLogged = true;
      this.log('warn', `offline queue full (${this.queue.capacity}): dropping the oldest readings`);
    }
    this.log('debug', `queued ${record.node}/${record.property} (${this.queue.length} queued)`);
  }

  /** Logs locally and, when connected, on the device's `$log/<level>` topic. */
  private logLine(level: HomieLogLevel, message: string): void {
    this.log(level, message);
    const client = this.client;
    if (client?.connected) client.publish(homieTopics.log(this.config.deviceId, level), message, { qos: 0 });
  }
}

/**
 * Builds the device's Homie 5 `$description`: the board's nodes, its eBus nodes beside them (and the eBus device
 * type when it follows a data model); its version is a hash of its content.
 */
export function describeDevice(
  config: DeviceConfig,
  nodes: readonly DeviceNode[],
  ebus = new EbusView(config.deviceId, nodes, [AGENT_NODE_ID]),
): HomieDescription {
  const nodeEntries = Object.fromEntries(nodes.map((node) => [node.id, node.describe()]));
  Object.assign(nodeEntries, ebus.nodes);
  nodeEntries[AGENT_NODE_ID] = {
    name: 'Device agent',
    type: gridflexNodeType('agent'),
    properties: { ...GRIDFLEX_NODE_KINDS.agent },
  };
  const body = {
    homie: HOMIE_VERSION,
    name: config.name ?? config.deviceId,
    type: ebus.deviceType ?? 'gridflex-board',
    nodes: nodeEntries,
    extensions: [GRIDFLEX_READINGS_EXTENSION],
  };
  return { ...body, version: fnv1a(JSON.stringify(body)) };
}

/** Fills in `input` on scripted `set-input` events for nodes whose only input is not `sensor`. */
function withDefaultInputs(config: DeviceConfig): SimEvent[] {
  return (config.sim?.events ?? []).map((event) => {
    if (event.do !== 'set-input' || event.input !== undefined) return event;
    const node = config.nodes.find((candidate) => nodeIdOf(candidate) === event.node);
    const role = node === undefined ? undefined : analogInputsOf(node)[0]?.role;
    return { ...event, input: role ?? 'sensor' };
  });
}

function describeSimEvent(event: SimEvent): string {
  switch (event.do) {
    case 'place-tag':
      return `tag ${event.tagUid} placed on ${event.node} at ${event.atS} s`;
    case 'lift-tag':
      return `tag lifted from ${event.node} at ${event.atS} s`;
    case 'set-input':
      return `${event.node}/${event.input} set to ${event.value} at ${event.atS} s`;
    case 'hang-driver':
      return `driver hangs at ${event.atS} s`;
  }
}

/**
 * Connects over plain TCP with mqtt.js's client directly: `mqtt.connect` loads its WebSocket, SOCKS and
 * TLS transports on the first connect, which costs ~8 MB of heap on a board that needs none of them.
 * Other URL schemes (mqtts, ws, wss) go through `mqtt.connect`.
 */
function connectClient(url: string, options: IClientOptions): MqttClient {
  const parsed = new URL(url);
  if (parsed.protocol !== 'mqtt:' && parsed.protocol !== 'tcp:') return mqtt.connect(url, options);
  const host = parsed.hostname;
  const port = parsed.port === '' ? 1883 : Number(parsed.port);
  return new MqttClient(() => netConnect({ host, port }), { ...options, host, port, protocol: 'mqtt' });
}

/**
 * A broker's refusal with what to do about it: MQTT's return codes alone ("Identifier rejected") do not say
 * whose the client ID is. The same login reconnecting takes its ID over (MQTT 3.1.4-2), so a refusal means
 * another identity holds it.
 */
export function explainBrokerError(error: Error, deviceId: string): string {
  const code = (error as Error & { code?: unknown }).code;
  if (code === 2) {
    return `${error.message}: client ID "${deviceId}" belongs to another identity. Either another login (another board's username, or an anonymous client) is connected with this ID, or "${deviceId}" is a registered user's name and this config logs in as someone else: the config's deviceId and broker.username should be the name \`gridflex device add\` gave the board (copy its current config from the hub's data dir). Retrying.`;
  }
  if (code === 4 || code === 5) {
    return `${error.message}: the hub does not accept this config's username and password. Was the board re-added (\`gridflex device add --force\`) or removed? Copy its current config file from the hub's data dir.`;
  }
  return error.message;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new WatchdogTimeout(`no answer in ${ms} ms`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

function truncate(text: string): string {
  return text.length > 64 ? `${text.slice(0, 64)}…` : text;
}

/** 31-bit FNV-1a hash: a stable integer for the description version. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 1;
}
