/**
 * A meter board's reading time through a real hub: `meteredAt` is when the board took the reading, from its
 * `$readings` (extension org.gridflex.readings), whether the record comes after the property value (live) or
 * before it (a replay after an outage); a time in the future or older than the replay window is logged and the
 * hub's receive time stands.
 */
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Home, HomeSchema } from '../../../protocol/gridflex.js';
import { connectClient, nextMessage, subscribe, tempDir } from '../mqtt-helpers.js';
import { type FakeMeter, startMeterHub } from './fake-meter.js';
import type { HubProcess } from './hub-process.js';

const data = tempDir('gridflex-meter-time-');
let hub: HubProcess;
let viewer: MqttClient;
let meter: FakeMeter;
let seq = 0;

/** Home-3's next payload with this metered power. */
const metered = (pKw: number) =>
  nextMessage(
    viewer,
    (topic) => topic === 'gridflex/v1/homes/home-3',
    (payload) => (JSON.parse(payload.toString()) as Home).meteredPKw === pKw,
  ).then((message) => HomeSchema.parse(JSON.parse(message.payload.toString())));

/** The `meteredAt` home-3 settles on once `send` has sent a reading of `pKw` (and its record). */
async function meteredAtOf(pKw: number, send: () => Promise<void>): Promise<string> {
  const seen = metered(pKw);
  await send();
  let body = await seen;
  // The record dates the reading once it arrives; a step that ran between the two shows the receive time.
  for (let steps = 0; steps < 3; steps++) {
    const next = await metered(pKw);
    if (next.meteredAt === body.meteredAt) break;
    body = next;
  }
  return body.meteredAt as string;
}

beforeAll(async () => {
  ({ hub, meter } = await startMeterHub(data.dir, 40));
  viewer = await connectClient(hub.mqttUrl, { clientId: 'meter-time-viewer' });
  await subscribe(viewer, 'gridflex/v1/homes/+');
});

afterAll(async () => {
  meter?.end();
  viewer?.end(true);
  await hub?.stop();
  data.remove();
});

describe('a meter reading’s time', () => {
  it('is the board’s time from $readings, live (record after the value) and replayed (record first)', async () => {
    const liveTs = Date.now() - 2_000;
    const live = await meteredAtOf(1.5, async () => {
      await meter.reading(1.5);
      await meter.record(1.5, liveTs, seq++);
    });
    expect(live).toBe(new Date(liveTs).toISOString());

    const replayedTs = Date.now() - 20 * 60_000;
    const replayed = await meteredAtOf(0.25, async () => {
      await meter.record(0.25, replayedTs, seq++);
      await meter.reading(0.25);
    });
    expect(replayed).toBe(new Date(replayedTs).toISOString());
  });

  it('logs a time in the future or older than the replay window and keeps the receive time', async () => {
    const before = Date.now();
    const future = await meteredAtOf(2.5, async () => {
      await meter.reading(2.5);
      await meter.record(2.5, Date.now() + 3_600_000, seq++);
    });
    await hub.logLine(
      /meter-3\/\$readings: its reading time is more than 5 s in the future \(the receive time stands\)/,
    );
    expect(Date.parse(future)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(future)).toBeLessThanOrEqual(Date.now());

    const old = await meteredAtOf(0.75, async () => {
      await meter.record(0.75, Date.now() - 2 * 3_600_000, seq++);
      await meter.reading(0.75);
    });
    await hub.logLine(/meter-3\/\$readings: its reading time is older than the 60 min replay window/);
    expect(Date.parse(old)).toBeGreaterThanOrEqual(before);

    // QoS 0: the broker may close the connection of a board that sends it, so no acknowledgement would come.
    meter.client.publish('homie/5/meter-3/$readings', '{"node":"meter","ts":"yesterday"}', { qos: 0 });
    // The embedded broker refuses a record that is not one before the hub sees it (an external one leaves it to the hub).
    await hub.logLine(/rejected-payload: meter-3 .* on homie\/5\/meter-3\/\$readings/);
    expect(hub.process.exitCode).toBeNull();
  });
});
