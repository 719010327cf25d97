import { describe, expect, it } from 'vitest';
import { PinnedSensor } from '../../../hub/cosim/pinned-sensor.js';
import type { PinSpec } from '../../../hub/table/pins-config.js';

const spec = (over: Partial<PinSpec>): PinSpec => ({
  pin: 'home-1/load',
  home: 'home-1',
  plot: 'plot-1',
  variable: 'load',
  device: 'gw',
  property: null,
  drift: { alpha: 0.2, alarmAtKw: 0.5 },
  adopted: true,
  control: false,
  ...over,
});

const describeDevice = (nodes: unknown) => Buffer.from(JSON.stringify({ homie: '5.0', version: 1, nodes }));

describe('PinnedSensor', () => {
  it('reads light in % as PV output (negative, × kWp) and a power in W or kW as demand', () => {
    const light = new PinnedSensor(spec({ variable: 'pv', property: 'sun/level', kwp: 3 }));
    light.onDescription(describeDevice({ sun: { properties: { level: { datatype: 'float', unit: '%' } } } }));
    light.onState('ready');
    light.onValue('sun/level', Buffer.from('50'), 0);
    expect(light.valueAt(0)).toEqual({ ok: true, kw: -1.5 });

    const watts = new PinnedSensor(spec({}));
    watts.onValue('meter/power', Buffer.from('2500'), 0); // before its description: kept
    watts.onDescription(
      describeDevice({
        info: { properties: { soc: { datatype: 'integer', unit: '%' } } },
        meter: { properties: { power: { datatype: 'integer', unit: 'W' } } },
      }),
    );
    watts.onState('ready');
    expect(watts.propertyPath).toBe('meter/power');
    expect(watts.valueAt(1)).toEqual({ ok: true, kw: 2.5 });
  });

  it('says why the model must drive the variable', () => {
    const sensor = new PinnedSensor(spec({ property: 'meter/power', staleSteps: 2 }));
    expect(sensor.valueAt(0)).toEqual({ ok: false, reason: 'gw is not on the broker' });
    sensor.onState('ready');
    expect(sensor.valueAt(0)).toEqual({ ok: false, reason: 'gw: no $description yet' });
    sensor.onDescription(describeDevice({ meter: { properties: { power: { datatype: 'string' } } } }));
    expect(sensor.valueAt(0)).toEqual({
      ok: false,
      reason: 'gw: meter/power is a string in "", not a number in W or kW',
    });
    sensor.onDescription(
      describeDevice({ meter: { properties: { power: { datatype: 'float', unit: 'kW', format: '0:10' } } } }),
    );
    expect(sensor.valueAt(0)).toEqual({ ok: false, reason: 'no reading from gw meter/power yet' });
    sensor.onValue('meter/power', Buffer.from('12'), 5);
    expect(sensor.valueAt(5)).toEqual({ ok: false, reason: 'gw meter/power: 12 is outside 0:10' });
    sensor.onValue('meter/power', Buffer.from('4'), 5);
    expect(sensor.valueAt(7)).toEqual({ ok: true, kw: 4 });
    expect(sensor.valueAt(8)).toEqual({ ok: false, reason: 'no reading from gw meter/power for 3 steps' });
    sensor.onState('lost');
    expect(sensor.valueAt(5)).toEqual({ ok: false, reason: 'gw is lost' });
    sensor.onDescription(Buffer.from('{"homie":"4.0"}'));
    sensor.onState('ready');
    expect(sensor.valueAt(5)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^gw: its \$description is not Homie 5/),
    });
  });
});
