import { GRIDFLEX_NODE_KINDS, gridflexNodeType, type HomieNode } from '../../protocol/homie.js';
import type { DeviceConfig } from '../config.js';
import type { AnalogIn, Board } from '../drivers/types.js';
import { calibrate, type DeviceNode, type PropertyValues, round4 } from './node.js';

type MeterConfig = Extract<DeviceConfig['nodes'][number], { kind: 'meter' }>;

/** A smart meter: a current sensor calibrated to kW, integrated into imported energy. */
export class MeterNode implements DeviceNode {
  private sensor: AnalogIn | undefined;
  private importedKwh = 0;

  constructor(
    readonly id: string,
    private readonly config: MeterConfig,
  ) {}

  describe(): HomieNode {
    return {
      name: 'Smart meter',
      type: gridflexNodeType('meter'),
      properties: { ...GRIDFLEX_NODE_KINDS.meter },
    };
  }

  async attach(board: Board): Promise<void> {
    this.sensor = await board.analogIn(this.config.sensor, `${this.id}/sensor`);
  }

  async sample(dtS: number): Promise<PropertyValues> {
    const pKw = calibrate(await (this.sensor as AnalogIn).read(), this.config.sensor, {
      offset: 0,
      fullScale: 10,
    });
    if (pKw > 0) this.importedKwh += (pKw * dtS) / 3600;
    return { 'power-kw': round4(pKw), 'energy-kwh': round4(this.importedKwh) };
  }

  async set(): Promise<PropertyValues> {
    return {};
  }
}
