import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Clock, type Home, HomeSchema } from '../../../protocol/gridflex.js';
import { connectClient, nextMessage, subscribe, tempDir } from '../mqtt-helpers.js';
import { type FakeMeter, startMeterHub } from './fake-meter.js';
import type { HubProcess } from './hub-process.js';

const data = tempDir('gridflex-meter-');
let hub: HubProcess;
let viewer: MqttClient;
let meter: FakeMeter;

const home = (homeId: string, accept: (body: Home) => boolean) =>
  nextMessage(
    viewer,
    (topic) => topic === `gridflex/v1/homes/${homeId}`,
    (payload) => accept(JSON.parse(payload.toString()) as Home),
  ).then((message) => HomeSchema.parse(JSON.parse(message.payload.toString())));

/** Home-3's payload of a step that began after now. */
const nextStepOfHome3 = async () => {
  const clock = await nextMessage(viewer, (topic) => topic === 'gridflex/v1/clock');
  const { step } = JSON.parse(clock.payload.toString()) as Clock;
  return home('home-3', (body) => body.step > step);
};

const refusal = (reason: string) =>
  hub.logLine(new RegExp(`refused meter reading on homie/5/meter-3/meter/power-kw: ${reason}`));

beforeAll(async () => {
  ({ hub, meter } = await startMeterHub(data.dir, 40));
  viewer = await connectClient(hub.mqttUrl, { clientId: 'meter-viewer' });
  await subscribe(viewer, 'gridflex/v1/#');
});

afterAll(async () => {
  meter?.end();
  viewer?.end(true);
  await hub?.stop();
  data.remove();
});

describe('a meter board on a plot', () => {
  it('puts its reading next to the model’s power on the home’s topic', async () => {
    const metered = home('home-3', (body) => body.meteredPKw === 1.234);
    await meter.reading(1.234);
    const body = await metered;
    expect(body).toMatchObject({ home: 'home-3', plot: 'plot-3', meteredPKw: 1.234 });
    expect(typeof body.netPKw).toBe('number');
    expect(Date.parse(body.meteredAt as string)).toBeGreaterThan(Date.now() - 60_000);
    const other = await home('home-4', () => true);
    expect(other.meteredPKw).toBeUndefined();
  });

  it('refuses readings out of its $format or not a number, with a logged reason, and runs on', async () => {
    await meter.reading(50);
    expect(await refusal('50 kW is outside')).toMatch(/-10…10 kW/);
    await meter.reading('NaN');
    await refusal('"NaN" is not a number of kW');
    const after = await nextStepOfHome3();
    expect(after.meteredPKw).toBe(1.234);
    expect(hub.process.exitCode).toBeNull();
  });

  it('reports only for the plot it is on: off the table its readings are refused; moved, for the new home', async () => {
    await meter.movedTo('');
    await meter.reading(2.5);
    await refusal('meter-3 is on no plot');
    expect((await nextStepOfHome3()).meteredPKw).toBeUndefined();

    const moved = home('home-5', (body) => body.meteredPKw === 0.75);
    await meter.movedTo('plot-5');
    await meter.reading(0.75);
    expect(await moved).toMatchObject({ plot: 'plot-5', meteredPKw: 0.75 });
    expect((await nextStepOfHome3()).meteredPKw).toBeUndefined();
  });
});
