/**
 * One MQTT connection to the GridFlex hub, shared by every node that uses the same config node.
 * Nodes subscribe with a handler (a late subscriber still gets the retained value it missed) and publish
 * validated JSON; the connection state is broadcast so each node can show it.
 */
const { EventEmitter } = require('node:events');
const mqtt = require('mqtt');
const { topicMatches } = require('./protocol.js');

/** Seconds between reconnect attempts: quick enough for a hub restart at a workshop. */
const RECONNECT_MS = 2000;

class HubClient extends EventEmitter {
  /**
   * @param {{ url: string, username?: string, password?: string, clientId: string }} options
   */
  constructor(options) {
    super();
    this.options = options;
    /** 'connecting' | 'connected' | 'disconnected' | 'refused' */
    this.state = 'connecting';
    this.reason = '';
    this.handlers = new Map();
    /** The last retained payload per topic, replayed to handlers that subscribe later. */
    this.retained = new Map();
    this.client = null;
    this.everConnected = false;
  }

  /** Connects on first use, so a config node nobody uses opens no connection. */
  ensureConnected() {
    if (this.client) return;
    const { url, username, password, clientId } = this.options;
    const client = mqtt.connect(url, {
      protocolVersion: 4,
      clientId,
      clean: true,
      reconnectPeriod: RECONNECT_MS,
      connectTimeout: 10_000,
      ...(username ? { username, password: password ?? '' } : {}),
    });
    this.client = client;
    client.on('connect', () => {
      this.everConnected = true;
      this.setState('connected', '');
    });
    client.on('reconnect', () => {
      if (this.state !== 'refused') this.setState('connecting', '');
    });
    client.on('close', () => {
      dropUnconfirmedPublishes(client);
      if (this.state === 'connected') this.setState('disconnected', 'connection closed');
    });
    client.on('error', (error) => {
      // CONNACK 4/5: bad user name or password / not authorised; the hub will not let this user in.
      const refused = error.code === 4 || error.code === 5;
      this.setState(refused ? 'refused' : 'disconnected', error.message);
    });
    client.on('message', (topic, payload, packet) => this.dispatch(topic, payload, packet.retain));
  }

  setState(state, reason) {
    this.state = state;
    this.reason = reason;
    this.emit('state', state, reason);
  }

  get connected() {
    return this.state === 'connected';
  }

  /** Calls `handler(topic, payload)` for every message matching `filter`; returns the unsubscribe function. */
  subscribe(filter, handler) {
    this.ensureConnected();
    let set = this.handlers.get(filter);
    if (!set) {
      set = new Set();
      this.handlers.set(filter, set);
      this.client.subscribe(filter, { qos: 1 });
    }
    set.add(handler);
    for (const [topic, payload] of this.retained) {
      if (topicMatches(filter, topic)) handler(topic, payload);
    }
    return () => {
      set.delete(handler);
      if (set.size === 0 && this.handlers.get(filter) === set) {
        this.handlers.delete(filter);
        this.client?.unsubscribe(filter);
      }
    };
  }

  dispatch(topic, payload, retain) {
    if (retain) {
      if (payload.length === 0) this.retained.delete(topic);
      else this.retained.set(topic, payload);
    }
    for (const [filter, set] of this.handlers) {
      if (!topicMatches(filter, topic)) continue;
      for (const handler of set) handler(topic, payload);
    }
  }

  /**
   * Publishes (QoS 1, not retained). While the first connection is being made the message waits for it
   * (a flow's inject can fire as it starts); once the hub was lost or refused, it is rejected at once
   * rather than delivered late.
   */
  publish(topic, text) {
    this.ensureConnected();
    const firstConnect = this.state === 'connecting' && !this.everConnected;
    if (!this.connected && !firstConnect) {
      return Promise.reject(
        new Error(`not connected to the hub at ${this.options.url} (${this.describe()})`),
      );
    }
    return this.client.publishAsync(topic, text, { qos: 1, retain: false }).catch((error) => {
      if (error.message !== 'Message removed') throw error;
      const who = this.options.username ? `user ${this.options.username}` : 'an anonymous client';
      throw new Error(`the hub closed the connection instead of taking it: may ${who} publish on ${topic}?`);
    });
  }

  /** The connection state in words, for a node's status. */
  describe() {
    return this.reason ? `${this.state}: ${this.reason}` : this.state;
  }

  close() {
    const client = this.client;
    this.client = null;
    this.handlers.clear();
    this.removeAllListeners();
    if (!client) return Promise.resolve();
    return client.endAsync(true).catch(() => {});
  }
}

/**
 * The hub closes the connection on a publish this user's role may not make. MQTT would send the
 * unconfirmed message again on every reconnect (and be thrown out again), so it is dropped instead and its
 * sender told (its publish promise rejects with "Message removed").
 */
function dropUnconfirmedPublishes(client) {
  for (const messageId of Object.keys(client.outgoing).map(Number)) {
    client.outgoingStore.get({ messageId }, (error, packet) => {
      if (!error && packet?.cmd === 'publish') client.removeOutgoingMessage(messageId);
    });
  }
}

module.exports = { HubClient };
