/**
 * The race behind the live pin test's time-outs (test/hub/live/pins.test.ts), reproduced with a real broker on
 * 127.0.0.1: when a home's state and the same step's pins reach a viewer in one socket read, a wait for the pins
 * started after awaiting the home never sees them, and a {@link MessageLog} read on from the home does.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalBroker, startLocalBroker } from './broker/local-broker.js';
import { MessageLog } from './message-log.js';
import { connectClient, nextMessage, subscribe } from './mqtt-helpers.js';

let broker: LocalBroker;
let viewer: MqttClient;
let log: MessageLog;

beforeAll(async () => {
  broker = await startLocalBroker('gridflex-message-log-');
  viewer = await connectClient(broker.url, { clientId: 'message-log-viewer' });
  log = new MessageLog(viewer);
  await subscribe(viewer, 'gridflex/v1/#', 0);
});

afterAll(async () => {
  viewer.end(true);
  await broker.close();
});

const HOME = 'gridflex/v1/homes/home-2';
const PINS = 'gridflex/v1/pins';
const AFTER = 'gridflex/v1/clock';

describe('a wait started after awaiting a message', () => {
  it('misses a message of the same socket read with nextMessage, and finds it in the message log', async () => {
    const from = log.mark();
    // The viewer reads nothing until both are on its socket (as when its process was busy): one read.
    viewer.stream.pause();
    await broker.publish(HOME, 'plot -2');
    await broker.publish(PINS, 'sensor');
    await nextTurn(); // anything the broker held for the turn has gone out (hub/broker/write-batch.ts)
    viewer.stream.resume();
    const home = await log.next(from, (topic) => topic === HOME);
    // mqtt.js hands over the read's next packet before this `await` resumes.
    const late = nextMessage(viewer, (topic) => topic === PINS).then(() => 'pins');
    const logged = log.next(home.index, (topic) => topic === PINS).then(() => 'pins');
    const after = nextMessage(viewer, (topic) => topic === AFTER).then(() => 'after');
    await broker.publish(AFTER, 'a later message');
    expect(await Promise.race([late, after])).toBe('after');
    expect(await Promise.race([logged, after])).toBe('pins');
    expect((await log.next(home.index, (topic) => topic === PINS)).payload.toString()).toBe('sensor');
  });
});
