import { z } from 'zod';
import { GRIDFLEX_NODE_KINDS, gridflexNodeType, type HomieNode } from '../../protocol/homie.js';
import type { AnalogIn, Board, PixelStrip, PwmOut } from '../drivers/types.js';
import type { EbusHook } from '../ebus.js';
import { AnalogInputSchema, LightOutputSchema, NodeIdField } from '../node-parts.js';
import { defineDeviceKind } from './device-kind.js';
import { calibrate, type DeviceNode, type PropertyValue, type PropertyValues, round4 } from './node.js';

export const HeatPumpNodeSchema = z.strictObject({
  kind: z.literal('heat-pump'),
  ...NodeIdField,
  /** Shows the power: brightness on a PWM LED, blue→red on a NeoPixel strip. */
  light: LightOutputSchema,
  maxPowerKw: z.number().positive().max(1000).default(3),
  /** Optional temperature sensor, calibrated to °C. */
  temperature: AnalogInputSchema.optional(),
});
type HeatPumpConfig = z.infer<typeof HeatPumpNodeSchema>;

/** The heat pump's kind: a light (hardware PWM on a Pi; NeoPixels need a microcontroller), a temperature. */
export const heatPump = defineDeviceKind({
  kind: 'heat-pump',
  schema: HeatPumpNodeSchema,
  create: (id, config) => new HeatPumpNode(id, config),
  checkWiring: (node, checks, at) => {
    const { backend } = checks;
    if (node.light.type === 'neopixel' && backend !== 'serial-json' && backend !== 'sim') {
      checks.issue(
        at('light', 'type'),
        `NeoPixels need the serial-json backend (a microcontroller), not ${backend}`,
      );
    }
    if (node.light.type === 'pwm' && backend === 'linux' && ![12, 13, 18, 19].includes(node.light.pin)) {
      checks.issue(at('light', 'pin'), 'hardware PWM on a Raspberry Pi is on GPIO 12, 13, 18 or 19');
    }
    checks.usePin(node.light.pin, at('light', 'pin'));
    if (node.temperature !== undefined) checks.useAnalog(node.temperature, at('temperature'));
  },
  analogInputs: (node) =>
    node.temperature === undefined ? [] : [{ role: 'temperature', input: node.temperature }],
});

/** A heat pump shown by a light: the hub sets its power; brightness (or a blue→red strip) shows it. */
export class HeatPumpNode implements DeviceNode {
  /** A load: positive while drawing. */
  readonly ebus: EbusHook = { meter: 'in' };
  private light: PwmOut | PixelStrip | undefined;
  private temperature: AnalogIn | undefined;
  private powerKw = 0;

  constructor(
    readonly id: string,
    private readonly config: HeatPumpConfig,
  ) {}

  describe(): HomieNode {
    const { 'temperature-c': temperature, ...props } = GRIDFLEX_NODE_KINDS['heat-pump'];
    return {
      name: 'Heat pump',
      type: gridflexNodeType('heat-pump'),
      properties: {
        ...props,
        'power-kw': { ...props['power-kw'], format: `0:${this.config.maxPowerKw}` },
        ...(this.config.temperature === undefined ? {} : { 'temperature-c': temperature }),
      },
    };
  }

  async attach(board: Board): Promise<void> {
    const { light } = this.config;
    this.light =
      light.type === 'pwm' ? await board.pwmOut(light.pin) : await board.pixelStrip(light.pin, light.count);
    if (this.config.temperature !== undefined) {
      this.temperature = await board.analogIn(this.config.temperature, `${this.id}/temperature`);
    }
    await this.show();
  }

  async sample(): Promise<PropertyValues> {
    const values: PropertyValues = { 'power-kw': this.powerKw };
    if (this.temperature !== undefined && this.config.temperature !== undefined) {
      const celsius = calibrate(await this.temperature.read(), this.config.temperature, {
        offset: -10,
        fullScale: 40,
      });
      values['temperature-c'] = round4(celsius);
    }
    return values;
  }

  async set(propertyId: string, value: PropertyValue): Promise<PropertyValues> {
    if (propertyId !== 'power-kw' || typeof value !== 'number') return {};
    this.powerKw = value;
    await this.show();
    return { 'power-kw': value };
  }

  private async show(): Promise<void> {
    const level = this.powerKw / this.config.maxPowerKw;
    const { light } = this.config;
    if (light.type === 'pwm') {
      await (this.light as PwmOut).write(level);
      return;
    }
    // Lit pixels in proportion to power, shading from blue (low) to red (full).
    const lit = Math.round(level * light.count);
    const red = Math.round(255 * level);
    const colour = (red << 16) | (255 - red);
    await (this.light as PixelStrip).show(
      Array.from({ length: light.count }, (_, i) => (i < lit ? colour : 0)),
    );
  }
}
