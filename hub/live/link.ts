import type { Aedes, AedesPublishPacket, Client } from 'aedes';
import type { MqttClient } from 'mqtt';
import { gridflexTopics, type HubState } from '../../protocol/gridflex.js';
import { topicMatches } from '../auth/acl.js';
import { principalOfClient } from '../broker/embedded-broker.js';

/** Publish options of the hub's messages. */
export interface PublishOptions {
  retain: boolean;
  qos: 0 | 1;
}

export type MessageHandler = (topic: string, payload: Buffer) => void;

/** Who sent a message, when the broker can tell (the embedded one can; an external one cannot). */
export interface Sender {
  clientId: string;
  /** Null for an anonymous client. */
  username: string | null;
  role: string;
}

export type SenderMessageHandler = (topic: string, payload: Buffer, sender: Sender | null) => void;

/** How the hub talks MQTT: in-process to its embedded broker, or as a client of an external broker. */
export interface HubLink {
  readonly kind: 'embedded' | 'external';
  /** Calls `handler` after the link came back from an outage (external brokers only). */
  onReconnect(handler: () => void): void;
  /** Calls `handler` when the link to the broker is lost (external brokers only). */
  onOffline(handler: () => void): void;
  publish(topic: string, payload: string | Buffer, options: PublishOptions): Promise<void>;
  subscribe(filter: string, handler: MessageHandler): Promise<void>;
  /** Like {@link subscribe}, with the sender when the broker knows it (for the audit of control messages). */
  subscribeWithSender(filter: string, handler: SenderMessageHandler): Promise<void>;
  /**
   * A connection of its own whose last will is `will`, for a Homie device the hub publishes (MQTT has one will per
   * connection, Homie 5 one `lost` per device). Absent in-process: the embedded broker goes with the hub.
   */
  withWill?(clientId: string, will: { topic: string; payload: string }): Promise<HubLink>;
  close(): Promise<void>;
}

/** The hub inside its own Aedes: publishes and subscribes without a socket. */
export class InProcessLink implements HubLink {
  readonly kind = 'embedded';
  private publishing: Promise<void> = Promise.resolve();
  private readonly senderSubscriptions: { filter: string; prefix: string; handler: SenderMessageHandler }[] =
    [];

  constructor(private readonly aedes: Aedes) {}

  onReconnect(): void {}

  onOffline(): void {}

  /**
   * Publishes one at a time: Aedes 1.2 loses retained messages published concurrently (they are stored but
   * not delivered to live subscribers), so each publish waits for the one before it.
   */
  publish(topic: string, payload: string | Buffer, options: PublishOptions): Promise<void> {
    const next = this.publishing.then(
      () =>
        new Promise<void>((resolve, reject) => {
          this.aedes.publish(
            {
              cmd: 'publish',
              topic,
              payload: Buffer.from(payload),
              qos: options.qos,
              retain: options.retain,
              dup: false,
            },
            (error) => (error ? reject(error) : resolve()),
          );
        }),
    );
    this.publishing = next.catch(() => {});
    return next;
  }

  subscribe(filter: string, handler: MessageHandler): Promise<void> {
    return new Promise((resolve) => {
      this.aedes.subscribe(
        filter,
        (packet: AedesPublishPacket, done: () => void) => {
          try {
            handler(
              packet.topic,
              Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload),
            );
          } finally {
            done();
          }
        },
        () => resolve(),
      );
    });
  }

  /** Messages clients publish (not the hub's own), as the broker accepts them, with who sent them. */
  async subscribeWithSender(filter: string, handler: SenderMessageHandler): Promise<void> {
    if (this.senderSubscriptions.length === 0) {
      this.aedes.on('publish', (packet: AedesPublishPacket, client: Client | null) => {
        if (client !== null) this.fromClient(packet, client);
      });
    }
    this.senderSubscriptions.push({ filter, prefix: literalPrefix(filter), handler });
  }

  /**
   * One listener for every subscription with the sender, called for every message a client publishes: most are
   * boards' readings, which no such filter takes, told apart by the filter's literal prefix first.
   */
  private fromClient(packet: AedesPublishPacket, client: Client): void {
    const topic = packet.topic;
    for (const { filter, prefix, handler } of this.senderSubscriptions) {
      if (!topic.startsWith(prefix) || !topicMatches(filter, topic)) continue;
      const principal = principalOfClient(client);
      const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
      const sender = {
        clientId: client.id,
        username: principal?.username ?? null,
        role: principal?.role ?? 'unknown',
      };
      // Outside Aedes' own publish pipeline: what the handler publishes in turn must not re-enter it.
      setImmediate(() => handler(topic, payload, sender));
    }
  }

  async close(): Promise<void> {}
}

/** A filter's levels before its first wildcard: every topic it matches starts with them. */
function literalPrefix(filter: string): string {
  const wildcard = filter.search(/[+#]/);
  return wildcard === -1 ? filter : filter.slice(0, wildcard);
}

/** Options of {@link ExternalLink.connect}. */
export interface ExternalLinkOptions {
  url: string;
  username: string;
  password: string;
  /** Client ID on the broker. Default `gridflex-hub`. */
  clientId?: string;
  /** Retained last will. Default: `gridflex/v1/hub/state` is lost. */
  will?: { topic: string; payload: string };
  log: (message: string) => void;
}

/** Longest the hub waits for an external broker's acknowledgement before it carries on. */
const ACK_WAIT_MS = 2000;

/** The hub as a client of an external broker (Mosquitto), with `gridflex/v1/hub/state` = lost as its last will. */
export class ExternalLink implements HubLink {
  readonly kind = 'external';
  private readonly handlers: { filter: string; handler: MessageHandler }[] = [];
  private readonly reconnectHandlers: (() => void)[] = [];
  private readonly offlineHandlers: (() => void)[] = [];

  private constructor(
    private readonly client: MqttClient,
    private readonly options: ExternalLinkOptions,
  ) {
    client.on('message', (topic, payload) => {
      for (const entry of this.handlers) if (topicMatches(entry.filter, topic)) entry.handler(topic, payload);
    });
    // mqtt.js resubscribes by itself; the hub must put back what its last will overwrote.
    client.on('connect', () => {
      for (const handler of this.reconnectHandlers) handler();
    });
    client.on('offline', () => {
      for (const handler of this.offlineHandlers) handler();
    });
  }

  onReconnect(handler: () => void): void {
    this.reconnectHandlers.push(handler);
  }

  onOffline(handler: () => void): void {
    this.offlineHandlers.push(handler);
  }

  static async connect(options: ExternalLinkOptions): Promise<ExternalLink> {
    // Imported here: a hub on its embedded broker never loads the MQTT client (memory, docs/architecture.md).
    const { default: mqtt } = await import('mqtt');
    const lost: HubState = { state: 'lost', broker: 'external' };
    const client = mqtt.connect(options.url, {
      protocolVersion: 4,
      clientId: options.clientId ?? 'gridflex-hub',
      username: options.username,
      password: options.password,
      reconnectPeriod: 1000,
      connectTimeout: 10_000,
      will: {
        ...(options.will ?? { topic: gridflexTopics.hubState(), payload: JSON.stringify(lost) }),
        qos: 1,
        retain: true,
      },
    });
    return new Promise((resolve, reject) => {
      const onError = (error: Error) => {
        client.end(true);
        reject(error);
      };
      client.once('error', onError);
      client.once('connect', () => {
        client.off('error', onError);
        client.on('error', (error) => options.log(`broker ${options.url}: ${error.message}`));
        client.on('offline', () => options.log(`broker ${options.url}: connection lost, reconnecting`));
        client.on('reconnect', () => options.log(`broker ${options.url}: reconnecting`));
        resolve(new ExternalLink(client, options));
      });
    });
  }

  /**
   * Resolves when the broker acknowledged the message, or after {@link ACK_WAIT_MS} at most: across a broker
   * outage mqtt.js keeps the message queued and sends it after reconnecting, and the hub's clock must not
   * stop waiting for it (a QoS 1 acknowledgement can be lost with the connection).
   */
  async publish(topic: string, payload: string | Buffer, options: PublishOptions): Promise<void> {
    if (!this.client.connected) {
      // Queued by mqtt.js and sent after the reconnect; waiting for an acknowledgement would only stall the hub.
      this.client.publish(topic, payload, options);
      return;
    }
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ACK_WAIT_MS);
    });
    try {
      await Promise.race([this.client.publishAsync(topic, payload, options), waited]);
    } finally {
      clearTimeout(timer);
    }
  }

  async subscribe(filter: string, handler: MessageHandler): Promise<void> {
    this.handlers.push({ filter, handler });
    await this.client.subscribeAsync(filter, { qos: 1 });
  }

  withWill(clientId: string, will: { topic: string; payload: string }): Promise<HubLink> {
    return ExternalLink.connect({ ...this.options, clientId, will });
  }

  /** An external broker does not say who published: the sender is null (the ACL still decided who could). */
  subscribeWithSender(filter: string, handler: SenderMessageHandler): Promise<void> {
    return this.subscribe(filter, (topic, payload) => handler(topic, payload, null));
  }

  async close(): Promise<void> {
    // While the broker is down nothing queued can go out: waiting for it would keep the hub from stopping.
    await this.client.endAsync(!this.client.connected);
  }
}
