import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CredentialStore } from '../../../hub/auth/credentials.js';
import { EmbeddedBroker } from '../../../hub/broker/embedded-broker.js';
import { connectClient, nextMessage, subscribe, tempDir } from '../mqtt-helpers.js';

const data = tempDir('gridflex-delivery-');
let broker: EmbeddedBroker;
let page: MqttClient;
const received: string[] = [];

beforeAll(async () => {
  broker = await EmbeddedBroker.start({
    host: '127.0.0.1',
    mqttPort: 0,
    wsPort: null,
    credentials: CredentialStore.open(data.dir),
  });
  // Subscribed like the dashboard: the hub's world and the boards' Homie states.
  page = await connectClient(`mqtt://127.0.0.1:${broker.mqttPort}`, { clientId: 'dashboard-test' });
  await subscribe(page, 'gridflex/v1/#');
  await subscribe(page, 'homie/5/+/$state');
  page.on('message', (topic, payload) => received.push(`${topic}=${payload.toString()}`));
});

afterAll(async () => {
  page.end(true);
  await broker.close();
  data.remove();
});

/** Publishes inside the broker (as the hub's own link does) and resolves once it is delivered to subscribers. */
function publish(topic: string, payload: string, qos: 0 | 1, retain: boolean): Promise<void> {
  return new Promise((resolve, reject) =>
    broker.aedes.publish(
      { cmd: 'publish', topic, payload: Buffer.from(payload), qos, retain, dup: false },
      (error) => (error ? reject(error) : resolve()),
    ),
  );
}

describe('embedded broker delivery', () => {
  it('delivers a board’s QoS 1 $state that a QoS 0 message published in the same tick overtook', async () => {
    // Aedes numbers messages as they arrive, but a retained QoS 1 message passes two asynchronous steps
    // before delivery and a plain QoS 0 one none: the later QoS 0 message reaches the page first. Aedes's
    // dedupe then took the $state for a duplicate and dropped it (the page showed the board as unknown).
    await Promise.all([
      publish('homie/5/house-5/$state', 'ready', 1, true),
      publish('gridflex/v1/hub/security', '{}', 0, false),
    ]);
    // Anything published after both is delivered after both: once it arrives, the $state had its chance.
    const marker = nextMessage(page, (topic) => topic === 'gridflex/v1/clock');
    await publish('gridflex/v1/clock', 'after', 1, false);
    await marker;
    expect(received).toContain('homie/5/house-5/$state=ready');
    expect(received).toContain('gridflex/v1/hub/security={}');
  });
});
