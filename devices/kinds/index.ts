import { type DeviceNodeConfig, nodeIdOf } from '../config.js';
import { BatteryNode } from './battery.js';
import { EvPadNode } from './ev-pad.js';
import { HeatPumpNode } from './heat-pump.js';
import { MeterNode } from './meter.js';
import type { DeviceNode, NodeLogger } from './node.js';
import { PlotNode } from './plot.js';
import { PvNode } from './pv.js';

/** The device kind for one configured node. */
export function createNode(config: DeviceNodeConfig, log: NodeLogger): DeviceNode {
  const id = nodeIdOf(config);
  switch (config.kind) {
    case 'pv':
      return new PvNode(id, config);
    case 'ev-pad':
      return new EvPadNode(id, config, log);
    case 'heat-pump':
      return new HeatPumpNode(id, config);
    case 'battery':
      return new BatteryNode(id, config, log);
    case 'meter':
      return new MeterNode(id, config);
    case 'plot':
      return new PlotNode(id, config, log);
  }
}
