/**
 * A board's Electrification Bus view: which eBus nodes its kinds add beside their own, their IDs, and the values
 * with each eBus device model's reference direction (PV and BESS positive out, loads and meters positive in).
 */
import { describe, expect, it } from 'vitest';
import { EbusView } from '../../devices/ebus.js';
import { createNode, DEVICE_KINDS, deviceNodeSchema } from '../../devices/kinds/index.js';

/** A node from its board config, defaults filled in as the config loader fills them. */
const node = (config: Record<string, unknown>) =>
  createNode(deviceNodeSchema(DEVICE_KINDS).parse(config), () => {});
const analog = { type: 'analog', pin: 'A0' };
const battery = () => node({ kind: 'battery' });

describe('eBus view of a board', () => {
  it('PV produces positive, a battery charging is negative, a heat pump and a meter draw positive', () => {
    const view = new EbusView(
      'house-3',
      [
        node({ kind: 'pv', sensor: analog }),
        battery(),
        node({ kind: 'heat-pump', light: { type: 'pwm', pin: 9 } }),
        node({ kind: 'meter', sensor: { ...analog, pin: 'A1' } }),
      ],
      ['agent'],
    );
    expect(view.values('pv', { 'power-kw': -2.5, 'light-pct': 62.5 })).toEqual([
      { nodeId: 'pv-meter', propertyId: 'active-power', value: 2500 },
    ]);
    expect(view.values('battery', { 'power-kw': 1.2, 'soc-pct': 40 })).toEqual([
      { nodeId: 'battery-meter', propertyId: 'active-power', value: -1200 },
      { nodeId: 'soc', propertyId: 'soc', value: 40 },
    ]);
    expect(view.values('heat-pump', { 'power-kw': 0.8 })).toEqual([
      { nodeId: 'heat-pump-meter', propertyId: 'active-power', value: 800 },
    ]);
    // The GridFlex meter node has the ID `meter`, so every eBus meter here is `<node>-meter`; energy in Wh.
    expect(view.values('meter', { 'power-kw': 3, 'energy-kwh': 1.5 })).toEqual([
      { nodeId: 'meter-meter', propertyId: 'active-power', value: 3000 },
      { nodeId: 'meter-meter', propertyId: 'imported-energy', value: 1500 },
    ]);
    // Four assets on one board: no single data model, so no eBus device type.
    expect(view.deviceType).toBeUndefined();
    expect(view.constants).toEqual([]);
  });

  it('a board with one battery is an eBus BESS with its info', () => {
    const view = new EbusView('battery-1', [battery()], ['agent']);
    expect(view.deviceType).toBe('energy.ebus.device.bess');
    expect(Object.fromEntries(Object.entries(view.nodes).map(([id, node]) => [id, node.type]))).toEqual({
      meter: 'energy.ebus.capability.meter',
      soc: 'energy.ebus.capability.soc',
      info: 'energy.ebus.capability.info',
    });
    expect(view.constants.map((value) => [value.propertyId, value.value])).toEqual([
      ['vendor-name', 'GridFlex'],
      ['serial-number', 'battery-1'],
      ['data-model-version', '0.6'],
    ]);
    expect(view.values('plot', { 'plot-id': 'plot-3' })).toEqual([]);
  });
});
