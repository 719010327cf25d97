import { z } from 'zod';
import { EBUS_DEVICE_TYPES } from '../../protocol/ebus.js';
import { GRIDFLEX_NODE_KINDS, gridflexNodeType, type HomieNode } from '../../protocol/homie.js';
import type { Board, DigitalOut } from '../drivers/types.js';
import type { EbusHook } from '../ebus.js';
import { DigitalPinSchema, NodeIdField } from '../node-parts.js';
import { defineDeviceKind } from './device-kind.js';
import {
  type DeviceNode,
  ledsLit,
  type NodeLogger,
  type PropertyValue,
  type PropertyValues,
  round4,
} from './node.js';

export const BatteryNodeSchema = z.strictObject({
  kind: z.literal('battery'),
  ...NodeIdField,
  capacityKwh: z.number().positive().max(10_000).default(10),
  maxPowerKw: z.number().positive().max(1000).default(5),
  initialSocPct: z.number().min(0).max(100).default(50),
  /** LEDs showing state of charge, lowest first. */
  ledPins: z.array(DigitalPinSchema).max(10).default([]),
});
type BatteryConfig = z.infer<typeof BatteryNodeSchema>;

/** The home battery's kind: an LED bar. */
export const battery = defineDeviceKind({
  kind: 'battery',
  schema: BatteryNodeSchema,
  create: (id, config, log) => new BatteryNode(id, config, log),
  checkWiring: (node, checks, at) => {
    node.ledPins.forEach((pin, i) => {
      checks.usePin(pin, at('ledPins', i));
    });
  },
});

/**
 * A home battery at model scale. The hub sets its power (> 0 charging); the board integrates it into
 * the state of charge, stops at empty or full, and shows the charge on its LED bar.
 */
export class BatteryNode implements DeviceNode {
  /** eBus BESS: positive while discharging. */
  readonly ebus: EbusHook = { meter: 'out', soc: true, deviceType: EBUS_DEVICE_TYPES.bess };
  private leds: DigitalOut[] = [];
  private powerKw = 0;
  private socPct: number;
  private lastLit = -1;

  constructor(
    readonly id: string,
    private readonly config: BatteryConfig,
    private readonly log: NodeLogger,
  ) {
    this.socPct = config.initialSocPct;
  }

  describe(): HomieNode {
    const props = GRIDFLEX_NODE_KINDS.battery;
    const max = this.config.maxPowerKw;
    return {
      name: 'Home battery',
      type: gridflexNodeType('battery'),
      properties: { ...props, 'power-kw': { ...props['power-kw'], format: `${-max}:${max}` } },
    };
  }

  async attach(board: Board): Promise<void> {
    this.leds = [];
    for (const pin of this.config.ledPins) this.leds.push(await board.digitalOut(pin));
    this.lastLit = -1;
    await this.showCharge();
  }

  async sample(dtS: number): Promise<PropertyValues> {
    const next = this.socPct + (this.powerKw * dtS * 100) / (3600 * this.config.capacityKwh);
    this.socPct = Math.min(100, Math.max(0, next));
    if ((this.socPct >= 100 && this.powerKw > 0) || (this.socPct <= 0 && this.powerKw < 0)) {
      this.log('info', `${this.id}: ${this.socPct >= 100 ? 'full' : 'empty'}; power set to 0`);
      this.powerKw = 0;
    }
    await this.showCharge();
    return { 'power-kw': this.powerKw, 'soc-pct': round4(this.socPct) };
  }

  async set(propertyId: string, value: PropertyValue): Promise<PropertyValues> {
    if (propertyId !== 'power-kw' || typeof value !== 'number') return {};
    this.powerKw = value;
    return { 'power-kw': value };
  }

  private async showCharge(): Promise<void> {
    const lit = ledsLit(this.socPct, this.leds.length);
    if (lit === this.lastLit) return;
    for (const [index, led] of this.leds.entries()) await led.write(index < lit);
    this.lastLit = lit;
  }
}
