import mqtt, { type MqttClient } from 'mqtt';
import type { z } from 'zod';
import { GRIDFLEX_TOPIC_SPECS, gridflexFilters } from '../../../../protocol/gridflex.ts';

/** A message from the hub's world that passed its topic's zod schema. */
export interface WorldMessage {
  topic: string;
  body: unknown;
  retained: boolean;
}

/** A Homie device message: `$state` or a property value, with the device it came from. */
export interface DeviceMessage {
  deviceId: string;
  /** `$state`, or `<node>/<property>`. */
  path: string;
  payload: string;
  retained: boolean;
}

export type ConnectionStatus =
  | { state: 'connecting' }
  | { state: 'online' }
  | { state: 'offline'; reason: string }
  | { state: 'refused'; reason: string };

/** Options of {@link HubClient}. */
export interface HubClientOptions {
  /** The hub's MQTT-over-WebSocket URL. */
  wsUrl: string;
  /** A hub user (`gridflex user add`); anonymous clients read like a viewer. */
  username?: string;
  password?: string;
  onWorld: (message: WorldMessage) => void;
  onDevice: (message: DeviceMessage) => void;
  onStatus: (status: ConnectionStatus) => void;
  /** A payload that failed its schema: shown to the user, never applied. */
  onInvalid: (topic: string, problem: string) => void;
}

const HOMIE_FILTERS = ['homie/5/+/$state', 'homie/5/+/+/+'] as const;
/** Wait before each reconnect attempt; mqtt.js resubscribes, and the broker resends every retained value. */
const RECONNECT_MS = 1000;

/** Matchers for every topic the protocol documents, so new hub topics are validated as soon as they are listed. */
const TOPIC_SCHEMAS: { pattern: RegExp; schema: z.ZodType }[] = GRIDFLEX_TOPIC_SPECS.map((spec) => ({
  pattern: new RegExp(
    `^${spec.pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/<[^>]+>/g, '[^/]+')}$`,
  ),
  schema: spec.schema,
}));

/** The schema of a hub-world topic, or undefined for a topic the protocol does not list. */
export function schemaFor(topic: string): z.ZodType | undefined {
  return TOPIC_SCHEMAS.find((entry) => entry.pattern.test(topic))?.schema;
}

/**
 * The page's MQTT-over-WebSocket connection to the hub: follows the hub's world and the devices' Homie
 * topics, validates every payload with the protocol's zod schema, reconnects when the socket drops (and
 * catches up from the retained values the broker resends), and publishes the user's controls.
 */
export class HubClient {
  private readonly client: MqttClient;
  private closed = false;

  constructor(private readonly options: HubClientOptions) {
    options.onStatus({ state: 'connecting' });
    this.client = mqtt.connect(options.wsUrl, {
      protocolVersion: 4,
      clientId: `dashboard-${crypto.randomUUID().slice(0, 8)}`,
      clean: true,
      reconnectPeriod: RECONNECT_MS,
      connectTimeout: 10_000,
      ...(options.username ? { username: options.username, password: options.password ?? '' } : {}),
    });
    this.client.on('connect', () => {
      options.onStatus({ state: 'online' });
      // clean sessions: subscribe afresh after every (re)connect; retained values come back at once.
      this.client.subscribe([gridflexFilters.world, ...HOMIE_FILTERS], { qos: 1 }, (error) => {
        if (error) options.onStatus({ state: 'offline', reason: `subscribe failed: ${error.message}` });
      });
    });
    this.client.on('reconnect', () => options.onStatus({ state: 'connecting' }));
    this.client.on('close', () => {
      if (!this.closed) options.onStatus({ state: 'offline', reason: 'connection lost, reconnecting…' });
    });
    this.client.on('error', (error) => {
      const refused = /not authori[sz]ed|bad user ?name or password|connection refused/i.test(error.message);
      if (refused) {
        this.closed = true;
        this.client.end(true);
        options.onStatus({ state: 'refused', reason: error.message });
      }
    });
    this.client.on('message', (topic, payload, packet) => this.dispatch(topic, payload, packet.retain));
  }

  /** Publishes a control as JSON (QoS 1); resolves once the broker acknowledged it. */
  async publishJson(topic: string, body: unknown): Promise<void> {
    if (!this.client.connected) throw new Error('not connected to the hub');
    await this.client.publishAsync(topic, JSON.stringify(body), { qos: 1, retain: false });
  }

  get connected(): boolean {
    return this.client.connected;
  }

  /** Resolves true once connected (at once if it is), or false after `timeoutMs` without a connection. */
  whenConnected(timeoutMs: number): Promise<boolean> {
    if (this.client.connected) return Promise.resolve(true);
    return new Promise((resolve) => {
      const onConnect = () => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        this.client.off('connect', onConnect);
        resolve(false);
      }, timeoutMs);
      this.client.once('connect', onConnect);
    });
  }

  /** Closes the connection for good (e.g. to log in as someone else). */
  end(): void {
    this.closed = true;
    this.client.end(true);
  }

  private dispatch(topic: string, payload: Uint8Array, retained: boolean): void {
    const text = new TextDecoder().decode(payload);
    if (topic.startsWith('homie/5/')) {
      const [, , deviceId, ...rest] = topic.split('/');
      if (deviceId) this.options.onDevice({ deviceId, path: rest.join('/'), payload: text, retained });
      return;
    }
    // A retained topic being cleared arrives empty: nothing to apply.
    if (text === '') return;
    const schema = schemaFor(topic);
    if (!schema) return;
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      this.options.onInvalid(topic, 'not JSON');
      return;
    }
    const parsed = schema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      this.options.onInvalid(
        topic,
        `${issue?.path.join('.') || '(payload)'}: ${issue?.message ?? 'invalid'}`,
      );
      return;
    }
    this.options.onWorld({ topic, body: parsed.data, retained });
  }
}
