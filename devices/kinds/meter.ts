import { z } from 'zod';
import { EBUS_DEVICE_TYPES } from '../../protocol/ebus.js';
import { GRIDFLEX_NODE_KINDS, gridflexNodeType, type HomieNode } from '../../protocol/homie.js';
import type { AnalogIn, Board } from '../drivers/types.js';
import type { EbusHook } from '../ebus.js';
import { AnalogInputSchema, NodeIdField } from '../node-parts.js';
import { defineDeviceKind } from './device-kind.js';
import { calibrate, type DeviceNode, type PropertyValues, round4 } from './node.js';

export const MeterNodeSchema = z.strictObject({
  kind: z.literal('meter'),
  ...NodeIdField,
  /** A current sensor; its calibrated reading is the import power in kW (defaults: 0…10 kW). */
  sensor: AnalogInputSchema,
});
type MeterConfig = z.infer<typeof MeterNodeSchema>;

/** The smart meter's kind: its current sensor is an analog input. */
export const meter = defineDeviceKind({
  kind: 'meter',
  schema: MeterNodeSchema,
  create: (id, config) => new MeterNode(id, config),
  checkWiring: (node, checks, at) => {
    checks.useAnalog(node.sensor, at('sensor'));
  },
  analogInputs: (node) => [{ role: 'sensor', input: node.sensor }],
});

/** A smart meter: a current sensor calibrated to kW, integrated into imported energy. */
export class MeterNode implements DeviceNode {
  /** The home's meter: positive while importing. */
  readonly ebus: EbusHook = { meter: 'in', importedEnergy: true, deviceType: EBUS_DEVICE_TYPES.utilityMeter };
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
