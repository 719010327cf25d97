/**
 * TI ADS1115 16-bit ADC on I2C: gives a Raspberry Pi (which has no ADC) its analog inputs.
 * Single-shot conversions at ±4.096 V full scale; a reading is the fraction of that range (negative
 * readings clamp to 0, since every GridFlex sensor is single-ended).
 */
import { type AnalogIn, HardwareError, type I2cBus } from './types.js';

const REG_CONVERSION = 0x00;
const REG_CONFIG = 0x01;
/** OS=1 start, single-shot mode, PGA ±4.096 V, 128 samples/s, comparator off. */
const CONFIG_BASE = 0x8000 | (0b001 << 9) | 0x0100 | (0b100 << 5) | 0b11;
/** A 128 SPS conversion takes ~8 ms; give up after this many polls of the ready bit. */
const MAX_POLLS = 20;
const POLL_INTERVAL_MS = 2;

export class Ads1115 {
  constructor(
    private readonly bus: I2cBus,
    readonly address: number,
  ) {}

  /** Single-ended input AINn against GND. */
  channel(channel: number): AnalogIn {
    if (!Number.isInteger(channel) || channel < 0 || channel > 3)
      throw new RangeError(`ADS1115 has channels 0…3, not ${channel}`);
    return { read: () => this.read(channel) };
  }

  private async read(channel: number): Promise<number> {
    const config = CONFIG_BASE | ((0b100 + channel) << 12);
    await this.bus.write(this.address, Buffer.from([REG_CONFIG, config >> 8, config & 0xff]));
    for (let poll = 0; poll < MAX_POLLS; poll++) {
      await this.bus.write(this.address, Buffer.from([REG_CONFIG]));
      const status = await this.bus.read(this.address, 2);
      if (((status[0] ?? 0) & 0x80) !== 0) {
        await this.bus.write(this.address, Buffer.from([REG_CONVERSION]));
        const raw = (await this.bus.read(this.address, 2)).readInt16BE(0);
        return Math.max(0, raw) / 0x7fff;
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
    }
    throw new HardwareError(`ADS1115 at 0x${this.address.toString(16)}: conversion did not finish`);
  }
}
