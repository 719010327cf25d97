import { GRIDFLEX_NODE_KINDS, gridflexNodeType, type HomieNode } from '../../protocol/homie.js';
import type { DeviceConfig } from '../config.js';
import type { Board, DigitalOut } from '../drivers/types.js';
import {
  type DeviceNode,
  ledsLit,
  type NodeLogger,
  type PropertyValue,
  type PropertyValues,
  round4,
} from './node.js';

type BatteryConfig = Extract<DeviceConfig['nodes'][number], { kind: 'battery' }>;

/**
 * A home battery at model scale. The hub sets its power (> 0 charging); the board integrates it into
 * the state of charge, stops at empty or full, and shows the charge on its LED bar.
 */
export class BatteryNode implements DeviceNode {
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
