import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectClient, nextMessage, subscribe } from '../mqtt-helpers.js';
import { type LocalBroker, startLocalBroker } from './local-broker.js';

let broker: LocalBroker;
let page: MqttClient;
const received: string[] = [];

beforeAll(async () => {
  broker = await startLocalBroker('gridflex-delivery-');
  // Subscribed like the dashboard: the hub's world and the boards' Homie states.
  page = await connectClient(broker.url, { clientId: 'dashboard-test' });
  await subscribe(page, 'gridflex/v1/#');
  await subscribe(page, 'homie/5/+/$state');
  page.on('message', (topic, payload) => received.push(`${topic}=${payload.toString()}`));
});

afterAll(async () => {
  page.end(true);
  await broker.close();
});

describe('embedded broker delivery', () => {
  it('delivers a board’s QoS 1 $state that a QoS 0 message published in the same tick overtook', async () => {
    // Aedes numbers messages as they arrive, but a retained QoS 1 message passes two asynchronous steps
    // before delivery and a plain QoS 0 one none: the later QoS 0 message reaches the page first. Aedes's
    // dedupe then took the $state for a duplicate and dropped it (the page showed the board as unknown).
    await Promise.all([
      broker.publish('homie/5/house-5/$state', 'ready', { qos: 1, retain: true }),
      broker.publish('gridflex/v1/hub/security', '{}'),
    ]);
    // Anything published after both is delivered after both: once it arrives, the $state had its chance.
    const marker = nextMessage(page, (topic) => topic === 'gridflex/v1/clock');
    await broker.publish('gridflex/v1/clock', 'after', { qos: 1 });
    await marker;
    expect(received).toContain('homie/5/house-5/$state=ready');
    expect(received).toContain('gridflex/v1/hub/security={}');
  });
});
