import { once } from 'node:events';
import { generate, parser } from 'mqtt-packet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { CredentialStore } from '../../../hub/auth/credentials.js';
import { EmbeddedBroker } from '../../../hub/broker/embedded-broker.js';
import { tempDir } from '../mqtt-helpers.js';

const data = tempDir('gridflex-ws-frames-');
let broker: EmbeddedBroker;

beforeAll(async () => {
  broker = await EmbeddedBroker.start({
    host: '127.0.0.1',
    mqttPort: 0,
    wsPort: 0,
    credentials: CredentialStore.open(data.dir),
  });
});

afterAll(async () => {
  await broker.close();
  data.remove();
});

describe('the embedded broker over WebSocket', () => {
  it('sends each packet in one frame, not a frame for each piece mqtt-packet writes', async () => {
    const socket = new WebSocket(`ws://127.0.0.1:${broker.wsPort}`, 'mqtt');
    await once(socket, 'open');
    const frames: Buffer[] = [];
    const packets: string[] = [];
    const reader = parser({ protocolVersion: 4 });
    reader.on('packet', (packet) => packets.push(packet.cmd));
    socket.on('message', (frame: Buffer) => {
      frames.push(frame);
      reader.parse(frame);
    });
    const send = (packet: Parameters<typeof generate>[0]) => socket.send(generate(packet));
    send({
      cmd: 'connect',
      protocolId: 'MQTT',
      protocolVersion: 4,
      clientId: 'frames',
      clean: true,
      keepalive: 0,
    });
    while (packets.length < 1) await once(socket, 'message');
    send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'gridflex/v1/#', qos: 1 }] });
    while (packets.length < 2) await once(socket, 'message');
    // CONNACK is written in four pieces and SUBACK in three: unbatched, each piece was a frame of its own.
    expect(packets).toEqual(['connack', 'suback']);
    expect(frames.map((frame) => frame.length)).toEqual([4, 5]);
    socket.close();
  });
});
