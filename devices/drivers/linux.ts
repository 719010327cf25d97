/**
 * Backend for a Raspberry Pi's own header: GPIO outputs, hardware PWM and the I2C bus (ADS1115 for
 * analog inputs, PN532 for NFC). GPIO sits behind {@link GpioBackend} with two implementations:
 * - `libgpiod`: the GPIO character device through libgpiod's `gpioset` tool (apt: gpiod), which is what
 *   current Raspberry Pi OS supports;
 * - `onoff`: the legacy sysfs interface. On kernels from 6.6 the Pi's GPIO chip no longer starts at
 *   sysfs number 0 (often 512), so BCM numbers are offset by the chip's base, read from sysfs.
 * Pins in the config are always BCM line numbers.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { AnalogInputConfig, DriverConfig, NfcReaderConfig } from '../config.js';
import { Ads1115 } from './ads1115.js';
import { Pn532 } from './pn532.js';
import {
  type AnalogIn,
  type Board,
  type DigitalOut,
  HardwareError,
  type I2cBus,
  type NfcReader,
  type PixelStrip,
  type PwmOut,
} from './types.js';

type LinuxDriverConfig = Extract<DriverConfig, { backend: 'linux' }>;

/** GPIO output lines, by BCM number. */
export interface GpioBackend {
  readonly name: string;
  output(line: number): Promise<DigitalOut>;
  close(): Promise<void>;
}

/** Hardware PWM channels, by BCM pin (12/18 → channel 0, 13/19 → channel 1). */
export interface PwmBackend {
  output(pin: number): Promise<PwmOut>;
  close(): Promise<void>;
}

/** What a Linux board is made of; tests pass fakes for each part. */
export interface LinuxBoardParts {
  gpio: GpioBackend;
  pwm: PwmBackend;
  /** Opens the I2C bus on first use. */
  openI2c: () => Promise<I2cBus>;
}

export async function openLinuxBoard(config: LinuxDriverConfig): Promise<Board> {
  const gpio =
    config.gpio === 'libgpiod' ? await openGpiodBackend(config.gpioChip) : await openOnoffBackend();
  return new LinuxBoard({ gpio, pwm: new SysfsPwm(), openI2c: () => openI2cBus(config.i2cBus) });
}

export class LinuxBoard implements Board {
  readonly backend = 'linux' as const;
  private i2c: Promise<I2cBus> | undefined;

  constructor(private readonly parts: LinuxBoardParts) {}

  private bus(): Promise<I2cBus> {
    this.i2c ??= this.parts.openI2c();
    return this.i2c;
  }

  digitalOut(pin: number): Promise<DigitalOut> {
    return this.parts.gpio.output(pin);
  }

  pwmOut(pin: number): Promise<PwmOut> {
    return this.parts.pwm.output(pin);
  }

  async pixelStrip(): Promise<PixelStrip> {
    throw new HardwareError('NeoPixels need the serial-json backend (a microcontroller does their timing)');
  }

  async analogIn(input: AnalogInputConfig): Promise<AnalogIn> {
    if (input.type !== 'ads1115')
      throw new HardwareError('a Raspberry Pi has no analog inputs; use an ads1115');
    return new Ads1115(await this.bus(), input.address).channel(input.channel);
  }

  async nfcReader(reader: NfcReaderConfig): Promise<NfcReader> {
    if (reader.type !== 'pn532')
      throw new HardwareError('on a Raspberry Pi the NFC reader is a PN532 on I2C');
    const pn532 = new Pn532(await this.bus(), reader.address);
    await pn532.begin();
    return pn532;
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.parts.gpio.close(), this.parts.pwm.close()]);
    if (this.i2c !== undefined) await (await this.i2c.catch(() => undefined))?.close();
  }
}

/** i2c-bus on /dev/i2c-N, as an {@link I2cBus}. */
export async function openI2cBus(busNumber: number, devDir = '/dev'): Promise<I2cBus> {
  const device = join(devDir, `i2c-${busNumber}`);
  if (!existsSync(device)) {
    throw new HardwareError(
      `no ${device}: enable I2C (raspi-config → Interface Options → I2C) or check i2cBus`,
    );
  }
  const { openPromisified } = await import('i2c-bus');
  const bus = await openPromisified(busNumber);
  return {
    write: async (address, data) => void (await bus.i2cWrite(address, data.length, data)),
    read: async (address, length) => (await bus.i2cRead(address, length, Buffer.alloc(length))).buffer,
    close: () => bus.close(),
  };
}

/**
 * libgpiod through its command-line tools. libgpiod v2's `gpioset` holds a line for as long as it runs,
 * so each output keeps one `gpioset` child and replaces it on a change; v1's sets the line and exits.
 */
export async function openGpiodBackend(chip: string, devDir = '/dev'): Promise<GpioBackend> {
  const device = join(devDir, chip);
  if (!existsSync(device)) {
    throw new HardwareError(`no ${device}: this machine has no GPIO character device (not a Raspberry Pi?)`);
  }
  let version: string;
  try {
    const { stdout } = await promisify(execFile)('gpioset', ['--version']);
    version = stdout;
  } catch {
    throw new HardwareError(
      'gpioset not found: install libgpiod tools (sudo apt install gpiod) or use gpio: onoff',
    );
  }
  const v2 = /v2\./.test(version);
  const holders = new Map<number, ChildProcess>();
  const levels = new Map<number, boolean>();
  return {
    name: `libgpiod ${v2 ? 'v2' : 'v1'} on ${chip}`,
    async output(line) {
      return {
        write: async (on) => {
          // Each change costs a process: skip writes that change nothing.
          if (levels.get(line) === on) return;
          levels.set(line, on);
          holders.get(line)?.kill();
          holders.delete(line);
          const value = `${line}=${on ? 1 : 0}`;
          if (v2) {
            const child = spawn('gpioset', ['-c', chip, value], { stdio: 'ignore' });
            child.on('error', () => holders.delete(line));
            holders.set(line, child);
          } else {
            await promisify(execFile)('gpioset', [chip, value]);
          }
        },
      };
    },
    async close() {
      for (const child of holders.values()) child.kill();
      holders.clear();
    },
  };
}

/** The sysfs GPIO number of BCM line 0: the base of the Pi's pinctrl chip (0 before kernel 6.6, often 512 after). */
export function sysfsGpioBase(sysfsGpioDir = '/sys/class/gpio'): number {
  if (!existsSync(sysfsGpioDir))
    throw new HardwareError(`no ${sysfsGpioDir}: this kernel has no sysfs GPIO; use gpio: libgpiod`);
  for (const entry of readdirSync(sysfsGpioDir).filter((name) => name.startsWith('gpiochip'))) {
    const read = (file: string) => readFileSync(join(sysfsGpioDir, entry, file), 'utf8').trim();
    if (read('label').startsWith('pinctrl-') && Number(read('ngpio')) >= 28) return Number(read('base'));
  }
  throw new HardwareError(`no Raspberry Pi GPIO chip (label pinctrl-…) under ${sysfsGpioDir}`);
}

/** onoff (sysfs GPIO), with BCM numbers offset by the chip's sysfs base. */
export async function openOnoffBackend(sysfsGpioDir = '/sys/class/gpio'): Promise<GpioBackend> {
  const base = sysfsGpioBase(sysfsGpioDir);
  const { Gpio } = await import('onoff');
  if (!Gpio.accessible)
    throw new HardwareError('onoff: GPIO is not accessible (add the user to the gpio group)');
  const lines: InstanceType<typeof Gpio>[] = [];
  return {
    name: `onoff (sysfs base ${base})`,
    async output(line) {
      const gpio = new Gpio(base + line, 'out');
      lines.push(gpio);
      return { write: (on) => gpio.write(on ? 1 : 0) };
    },
    async close() {
      for (const gpio of lines.splice(0)) gpio.unexport();
    },
  };
}

/** Hardware PWM through /sys/class/pwm/pwmchip0 (needs `dtoverlay=pwm` for GPIO18, or `pwm-2chan` for GPIO18 and 19, in config.txt). */
export class SysfsPwm implements PwmBackend {
  private readonly exported: string[] = [];

  /**
   * @param chipDir - the PWM chip's sysfs directory.
   * @param periodNs - PWM period; 1 ms (1 kHz) is flicker-free for an LED.
   */
  constructor(
    private readonly chipDir = '/sys/class/pwm/pwmchip0',
    private readonly periodNs = 1_000_000,
  ) {}

  async output(pin: number): Promise<PwmOut> {
    const channel = pin === 12 || pin === 18 ? 0 : pin === 13 || pin === 19 ? 1 : undefined;
    if (channel === undefined)
      throw new HardwareError(`GPIO ${pin} has no hardware PWM (use 12, 13, 18 or 19)`);
    if (!existsSync(this.chipDir)) {
      throw new HardwareError(
        `no ${this.chipDir}: add dtoverlay=pwm (GPIO18; pwm-2chan for 18 and 19) to /boot/firmware/config.txt and reboot`,
      );
    }
    const channelDir = join(this.chipDir, `pwm${channel}`);
    if (!existsSync(channelDir)) writeFileSync(join(this.chipDir, 'export'), String(channel));
    this.exported.push(channelDir);
    writeFileSync(join(channelDir, 'period'), String(this.periodNs));
    writeFileSync(join(channelDir, 'duty_cycle'), '0');
    writeFileSync(join(channelDir, 'enable'), '1');
    return {
      write: async (duty) => {
        const clamped = Math.min(1, Math.max(0, duty));
        writeFileSync(join(channelDir, 'duty_cycle'), String(Math.round(clamped * this.periodNs)));
      },
    };
  }

  async close(): Promise<void> {
    for (const channelDir of this.exported.splice(0)) writeFileSync(join(channelDir, 'enable'), '0');
  }
}
