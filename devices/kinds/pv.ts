import { z } from 'zod';
import { GRIDFLEX_NODE_KINDS, gridflexNodeType, type HomieNode } from '../../protocol/homie.js';
import type { AnalogIn, Board } from '../drivers/types.js';
import type { EbusHook } from '../ebus.js';
import { AnalogInputSchema, NodeIdField } from '../node-parts.js';
import { defineDeviceKind } from './device-kind.js';
import { calibrate, type DeviceNode, type PropertyValues, round4 } from './node.js';

export const PvNodeSchema = z.strictObject({
  kind: z.literal('pv'),
  ...NodeIdField,
  /** The light or current sensor; its reading × `peakKw` is the generation. */
  sensor: AnalogInputSchema,
  /** Generation at full-scale reading, at model scale. */
  peakKw: z.number().positive().max(1000).default(4),
});
type PvConfig = z.infer<typeof PvNodeSchema>;

/** The mini PV panel's kind: its sensor is an analog input. */
export const pv = defineDeviceKind({
  kind: 'pv',
  schema: PvNodeSchema,
  create: (id, config) => new PvNode(id, config),
  checkWiring: (node, checks, at) => {
    checks.useAnalog(node.sensor, at('sensor'));
  },
  analogInputs: (node) => [{ role: 'sensor', input: node.sensor }],
});

/** A mini PV panel: a light (or current) sensor whose reading × peak power is the generation. */
export class PvNode implements DeviceNode {
  /** eBus PV: positive while producing. */
  readonly ebus: EbusHook = { meter: 'out' };
  private sensor: AnalogIn | undefined;

  constructor(
    readonly id: string,
    private readonly config: PvConfig,
  ) {}

  describe(): HomieNode {
    const props = GRIDFLEX_NODE_KINDS.pv;
    return {
      name: 'Mini PV panel',
      type: gridflexNodeType('pv'),
      properties: { ...props, 'power-kw': { ...props['power-kw'], format: `${-this.config.peakKw}:0` } },
    };
  }

  async attach(board: Board): Promise<void> {
    this.sensor = await board.analogIn(this.config.sensor, `${this.id}/sensor`);
  }

  async sample(): Promise<PropertyValues> {
    const fraction = calibrate(await (this.sensor as AnalogIn).read(), this.config.sensor, {
      offset: 0,
      fullScale: 1,
    });
    const clamped = Math.min(1, Math.max(0, fraction));
    // Load convention: generation is negative power.
    return { 'power-kw': round4(-clamped * this.config.peakKw) || 0, 'light-pct': round4(clamped * 100) };
  }

  async set(): Promise<PropertyValues> {
    return {};
  }
}
