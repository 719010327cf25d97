import { describe, expect, it } from 'vitest';
import { parseTableMap } from '../../../hub/table/map-config.js';
import { pinsOfMap } from '../../../hub/table/pins-config.js';

const MAP =
  'feeder: x\nplots:\n  - { plot: p-1, home: home-1, bus: "1", phase: A }\n  - { plot: p-2, bus: "2", phase: B }\n';

describe('the table map’s pins: section', () => {
  it('pins a home’s PV and demand, with drift defaults', () => {
    const map = parseTableMap(
      `${MAP}pins:\n  - { home: home-1, variable: pv, device: sun-1, property: pv/light-pct, kwp: 3 }\n  - { home: home-1, variable: load, device: m-1, property: meter/power-kw, drift: { alarmAtKw: 1 } }\n`,
      'm.yaml',
    );
    expect(pinsOfMap(map, map.pins)).toEqual([
      expect.objectContaining({
        pin: 'home-1/pv',
        plot: 'p-1',
        kwp: 3,
        staleSteps: 5,
        drift: { alpha: 0.2, alarmAtKw: 0.5 },
      }),
      expect.objectContaining({
        pin: 'home-1/load',
        adopted: false,
        control: false,
        drift: { alpha: 0.2, alarmAtKw: 1 },
      }),
    ]);
  });

  it.each([
    [
      '{ home: home-9, variable: load, device: m-1, property: a/b }',
      /m\.yaml: pins\.0\.home: "home-9" is the home of no plot/,
    ],
    ['{ home: home-1, variable: pv, device: m-1, property: a/b }', /pins\.0\.kwp: a pv pin needs kwp/],
    ['{ home: home-1, variable: heat, device: m-1, property: a/b }', /pins\.0\.variable/],
    ['{ home: home-1, variable: load, device: M_1, property: a/b }', /pins\.0\.device/],
    [
      '{ home: home-1, variable: load, device: m-1, property: power }',
      /pins\.0\.property: <node>\/<property>/,
    ],
    [
      '{ home: home-1, variable: load, device: m-1, property: a/b, drift: { alpha: 0 } }',
      /pins\.0\.drift\.alpha/,
    ],
    ['{ home: home-1, variable: load, device: m-1, property: a/b, staleSteps: 0 }', /pins\.0\.staleSteps/],
    ['{ home: home-1, variable: load, device: m-1, property: a/b, extra: 1 }', /pins\.0/],
  ])('refuses %s, naming the field', (pin, message) => {
    expect(() => parseTableMap(`${MAP}pins:\n  - ${pin}\n`, 'm.yaml')).toThrow(message);
  });

  it('refuses a home’s variable pinned twice', () => {
    const pin = '{ home: home-1, variable: load, device: m-1, property: a/b }';
    expect(() => parseTableMap(`${MAP}pins:\n  - ${pin}\n  - ${pin}\n`, 'm.yaml')).toThrow(
      /pins\.1\.variable: home-1\/load pinned twice/,
    );
  });
});
