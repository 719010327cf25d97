import { CredentialStore } from '../../../hub/auth/credentials.js';
import { EmbeddedBroker } from '../../../hub/broker/embedded-broker.js';
import { tempDir } from '../mqtt-helpers.js';

/** An embedded broker for tests of delivery itself, and a publish inside it. */
export interface LocalBroker {
  broker: EmbeddedBroker;
  /** Its MQTT URL on 127.0.0.1. */
  url: string;
  /** Publishes inside the broker (as the hub's own link does); resolves once it is handed to the subscribers. */
  publish(topic: string, payload: string, options?: { qos?: 0 | 1; retain?: boolean }): Promise<void>;
  /** Closes the broker and removes its data dir. */
  close(): Promise<void>;
}

/** Starts an embedded broker on 127.0.0.1 (any free port, no WebSocket) with its own empty credential store. */
export async function startLocalBroker(prefix: string): Promise<LocalBroker> {
  const data = tempDir(prefix);
  const broker = await EmbeddedBroker.start({
    host: '127.0.0.1',
    mqttPort: 0,
    wsPort: null,
    credentials: CredentialStore.open(data.dir),
  });
  return {
    broker,
    url: `mqtt://127.0.0.1:${broker.mqttPort}`,
    publish: (topic, payload, { qos = 0, retain = false } = {}) =>
      new Promise((resolve, reject) =>
        broker.aedes.publish(
          { cmd: 'publish', topic, payload: Buffer.from(payload), qos, retain, dup: false },
          (error) => (error ? reject(error) : resolve()),
        ),
      ),
    close: async () => {
      await broker.close();
      data.remove();
    },
  };
}
