/**
 * Device kinds on the sim backend: calibration, integration, tag → ID mapping, LED levels, and the
 * `$description` an agent builds from them.
 */
import { describe, expect, it } from 'vitest';
import { describeDevice } from '../../devices/agent.js';
import { validateDeviceConfig } from '../../devices/config.js';
import { SimWorld } from '../../devices/drivers/sim.js';
import { createNode } from '../../devices/kinds/index.js';
import { ledsLit } from '../../devices/kinds/node.js';
import { HomieDescriptionSchema } from '../../protocol/homie.js';

const quiet = () => {};

describe('device kinds on the sim backend', () => {
  it('meter: calibrates the current sensor and integrates imported energy', async () => {
    const world = new SimWorld([{ atS: 0, do: 'set-input', node: 'meter', input: 'sensor', value: 0.3 }]);
    world.advanceTo(0);
    const meter = createNode({ kind: 'meter', sensor: { type: 'analog', pin: 'A0', fullScale: 10 } }, quiet);
    await meter.attach(world.openBoard());
    expect(await meter.sample(1800)).toEqual({ 'power-kw': 3, 'energy-kwh': 1.5 });
    expect(await meter.sample(1800)).toEqual({ 'power-kw': 3, 'energy-kwh': 3 });
  });

  it('plot: maps the tag under the board to a plot, empty off the table', async () => {
    const world = new SimWorld([
      { atS: 1, do: 'place-tag', node: 'plot', tagUid: '04A1B2C9' },
      { atS: 2, do: 'place-tag', node: 'plot', tagUid: 'DEADBEEF' },
    ]);
    const logs: string[] = [];
    const plot = createNode(
      { kind: 'plot', reader: { type: 'serial', reader: 0 }, tags: { '04A1B2C9': 'plot-9' } },
      (level, message) => logs.push(`${level} ${message}`),
    );
    await plot.attach(world.openBoard());
    expect(await plot.sample(1)).toEqual({ 'plot-id': '' });
    world.advanceTo(1);
    expect(await plot.sample(1)).toEqual({ 'plot-id': 'plot-9' });
    world.advanceTo(2);
    expect(await plot.sample(1)).toEqual({ 'plot-id': '' });
    expect(logs).toEqual([
      'info plot: off the table',
      'info plot: on plot-9',
      'warn plot: unknown plot tag DEADBEEF',
      'info plot: off the table',
    ]);
  });

  it('battery: discharges to empty, then stops; LEDs follow the charge', async () => {
    const world = new SimWorld([]);
    const battery = createNode(
      { kind: 'battery', capacityKwh: 4, maxPowerKw: 2, initialSocPct: 25, ledPins: [1, 2, 3, 4] },
      quiet,
    );
    await battery.attach(world.openBoard());
    expect([1, 2, 3, 4].map((pin) => world.outputs.get(`pin:${pin}`))).toEqual([1, 0, 0, 0]);
    await battery.set('power-kw', -2);
    expect(await battery.sample(900)).toEqual({ 'power-kw': -2, 'soc-pct': 12.5 });
    expect(await battery.sample(3600)).toEqual({ 'power-kw': 0, 'soc-pct': 0 });
    expect([1, 2, 3, 4].map((pin) => world.outputs.get(`pin:${pin}`))).toEqual([0, 0, 0, 0]);
  });

  it('lights at least one LED for any charge above zero', () => {
    expect([0, 1, 24, 50, 100].map((pct) => ledsLit(pct, 4))).toEqual([0, 1, 1, 2, 4]);
  });

  it('a hung sim driver answers again only on a fresh board (the watchdog restart)', async () => {
    // After all pending microtasks: a read that can answer has answered by then.
    const settles = (promise: Promise<number>) =>
      Promise.race([
        promise.then(() => 'answered'),
        new Promise((resolve) => setImmediate(() => resolve('hung'))),
      ]);
    const world = new SimWorld([{ atS: 1, do: 'hang-driver' }]);
    const hung = world.openBoard();
    const input = await hung.analogIn({ type: 'analog', pin: 'A0' }, 'pv/sensor');
    expect(await settles(input.read())).toBe('answered');
    world.advanceTo(1);
    expect(await settles(input.read())).toBe('hung');
    await hung.close();
    const fresh = world.openBoard();
    expect(await (await fresh.analogIn({ type: 'analog', pin: 'A0' }, 'pv/sensor')).read()).toBe(0.5);
  });
});

describe('$description', () => {
  it('is a valid Homie 5 description whose version changes with its content', () => {
    const config = validateDeviceConfig(
      {
        deviceId: 'house-1',
        broker: { url: 'mqtt://127.0.0.1:1883' },
        nodes: [
          { kind: 'heat-pump', light: { type: 'pwm', pin: 9 }, maxPowerKw: 2.5 },
          { kind: 'plot', plot: 'plot-1' },
        ],
      },
      'house-1.yaml',
    );
    const description = describeDevice(
      config,
      config.nodes.map((node) => createNode(node, quiet)),
    );
    expect(HomieDescriptionSchema.parse(description)).toEqual(description);
    expect(description.nodes?.['heat-pump']?.properties).toEqual({
      'power-kw': { datatype: 'float', unit: 'kW', format: '0:2.5', settable: true },
    });
    const wider = {
      ...config,
      nodes: [{ ...config.nodes[0], maxPowerKw: 3 }, config.nodes[1]],
    } as typeof config;
    const other = describeDevice(
      wider,
      wider.nodes.map((node) => createNode(node, quiet)),
    );
    expect(other.version).not.toBe(description.version);
  });
});
