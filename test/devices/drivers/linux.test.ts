/**
 * The Linux (Raspberry Pi) backend through fakes at its interfaces: GPIO lines, sysfs PWM and an I2C
 * bus carrying a fake ADS1115 and a fake PN532 that answer as the datasheets say. Also: the clear
 * errors on a machine without the hardware.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type GpioBackend,
  LinuxBoard,
  openGpiodBackend,
  openI2cBus,
  openOnoffBackend,
  SysfsPwm,
  sysfsGpioBase,
} from '../../../devices/drivers/linux.js';
import { pn532Frame } from '../../../devices/drivers/pn532.js';
import { HardwareError, type I2cBus } from '../../../devices/drivers/types.js';
import { BatteryNode } from '../../../devices/kinds/battery.js';
import { EvPadNode } from '../../../devices/kinds/ev-pad.js';
import { HeatPumpNode } from '../../../devices/kinds/heat-pump.js';
import { PvNode } from '../../../devices/kinds/pv.js';

/** ADS1115 at 0x48: conversions finish after one "not ready" status poll. */
class FakeAds1115 {
  readonly levels = [0, 0, 0, 0];
  private pointer = 0;
  private config = 0;
  private pollsUntilReady = 0;

  write(data: Buffer): void {
    this.pointer = data[0] ?? 0;
    if (data.length === 3) {
      this.config = ((data[1] ?? 0) << 8) | (data[2] ?? 0);
      this.pollsUntilReady = 1;
    }
  }

  read(length: number): Buffer {
    const out = Buffer.alloc(length);
    if (this.pointer === 0x01) {
      const ready = this.pollsUntilReady-- <= 0;
      out.writeUInt16BE(ready ? this.config | 0x8000 : this.config & 0x7fff, 0);
    } else {
      const channel = ((this.config >> 12) & 0b111) - 0b100;
      out.writeInt16BE(Math.round((this.levels[channel] ?? 0) * 0x7fff), 0);
    }
    return out;
  }
}

/** PN532 at 0x24 in I2C mode: status byte, ACK, then the response frame. */
class FakePn532 {
  uid: Buffer | null = null;
  readonly commands: number[] = [];
  private queue: Buffer[] = [];

  write(data: Buffer): void {
    const command = data[6] ?? 0;
    this.commands.push(command);
    const body =
      command === 0x4a
        ? this.uid === null
          ? [0x00]
          : [0x01, 0x01, 0x00, 0x44, 0x00, this.uid.length, ...this.uid]
        : [];
    const response = pn532Frame(command + 1, body);
    response[5] = 0xd5; // PN532 → host
    response[response.length - 2] =
      (0x100 - ((0xd5 + command + 1 + body.reduce((s, b) => s + b, 0)) & 0xff)) & 0xff;
    this.queue = [Buffer.from([0x00, 0x00, 0xff, 0x00, 0xff, 0x00]), response];
  }

  read(length: number): Buffer {
    const next = this.queue.shift();
    const out = Buffer.alloc(length);
    if (next === undefined) return out; // status 0: not ready
    out[0] = 0x01;
    next.copy(out, 1, 0, Math.min(next.length, length - 1));
    return out;
  }
}

class FakeBus implements I2cBus {
  readonly ads = new FakeAds1115();
  readonly pn532 = new FakePn532();
  closed = false;

  private device(address: number) {
    if (address === 0x48) return this.ads;
    if (address === 0x24) return this.pn532;
    throw new Error(`no device at 0x${address.toString(16)} (remote I/O error)`);
  }
  async write(address: number, data: Buffer) {
    this.device(address).write(data);
  }
  async read(address: number, length: number) {
    return this.device(address).read(length);
  }
  async close() {
    this.closed = true;
  }
}

function fakeGpio() {
  const levels = new Map<number, boolean>();
  const gpio: GpioBackend = {
    name: 'fake',
    output: async (line) => ({ write: async (on) => void levels.set(line, on) }),
    close: async () => levels.clear(),
  };
  return { gpio, levels };
}

function fakePwmChip() {
  const chipDir = mkdtempSync(join(tmpdir(), 'pwmchip-'));
  writeFileSync(join(chipDir, 'export'), '');
  mkdirSync(join(chipDir, 'pwm0'));
  return chipDir;
}

function linuxBoard() {
  const bus = new FakeBus();
  const { gpio, levels } = fakeGpio();
  const chipDir = fakePwmChip();
  const board = new LinuxBoard({ gpio, pwm: new SysfsPwm(chipDir), openI2c: async () => bus });
  return { board, bus, levels, chipDir };
}

describe('linux backend (fakes at the GPIO, PWM and I2C interfaces)', () => {
  it('reads the PV light through an ADS1115 channel', async () => {
    const { board, bus } = linuxBoard();
    const pv = new PvNode('pv', {
      kind: 'pv',
      sensor: { type: 'ads1115', address: 0x48, channel: 2 },
      peakKw: 4,
    });
    await pv.attach(board);
    bus.ads.levels[2] = 0.25;
    const reading = await pv.sample();
    // 16-bit quantisation: within one count of a quarter of full scale.
    expect(reading['power-kw']).toBeCloseTo(-1, 3);
    expect(reading['light-pct']).toBeCloseTo(25, 2);
  });

  it('reads an EV tag through the PN532 and lights the charge LEDs on GPIO lines', async () => {
    const { board, bus, levels } = linuxBoard();
    const pad = new EvPadNode(
      'ev-pad-7',
      {
        kind: 'ev-pad',
        padId: 'pad-7',
        plot: 'plot-7',
        reader: { type: 'pn532', address: 0x24 },
        tags: { '04A1B2C3D4E5F6': 'ev-3' },
        ledPins: [5, 6, 13, 19, 26],
      },
      () => {},
    );
    await pad.attach(board);
    expect(bus.pn532.commands).toEqual([0x14, 0x32]);
    expect(await pad.sample()).toMatchObject({ present: false, 'tag-uid': '' });
    bus.pn532.uid = Buffer.from('04a1b2c3d4e5f6', 'hex');
    expect(await pad.sample()).toMatchObject({ present: true, 'tag-uid': '04A1B2C3D4E5F6', 'ev-id': 'ev-3' });
    await pad.set('soc-pct', 40);
    expect([5, 6, 13, 19, 26].map((line) => levels.get(line))).toEqual([true, true, false, false, false]);
  });

  it('sets heat-pump brightness as a sysfs PWM duty cycle', async () => {
    const { board, chipDir } = linuxBoard();
    const heatPump = new HeatPumpNode('heat-pump', {
      kind: 'heat-pump',
      light: { type: 'pwm', pin: 18 },
      maxPowerKw: 3,
    });
    await heatPump.attach(board);
    await heatPump.set('power-kw', 0.75);
    const read = (file: string) => readFileSync(join(chipDir, 'pwm0', file), 'utf8');
    expect([read('period'), read('duty_cycle'), read('enable')]).toEqual(['1000000', '250000', '1']);
    await board.close();
    expect(read('enable')).toBe('0');
  });

  it('shows the battery state of charge and integrates its power', async () => {
    const { board, levels } = linuxBoard();
    const battery = new BatteryNode(
      'battery',
      { kind: 'battery', capacityKwh: 10, maxPowerKw: 5, initialSocPct: 50, ledPins: [5, 6] },
      () => {},
    );
    await battery.attach(board);
    await battery.set('power-kw', 5);
    // 5 kW for 1 h into 10 kWh: +50 %, stopping at full.
    expect(await battery.sample(3600)).toEqual({ 'power-kw': 0, 'soc-pct': 100 });
    expect([levels.get(5), levels.get(6)]).toEqual([true, true]);
  });

  it('surfaces a missing I2C device as an error naming it', async () => {
    const { board } = linuxBoard();
    const input = await board.analogIn({ type: 'ads1115', address: 0x49, channel: 0 });
    await expect(input.read()).rejects.toThrow('no device at 0x49');
  });
});

describe('linux backend on a machine without the hardware', () => {
  const emptyDir = () => mkdtempSync(join(tmpdir(), 'no-hw-'));

  it('says there is no GPIO character device', async () => {
    const dev = emptyDir();
    await expect(openGpiodBackend('gpiochip0', dev)).rejects.toThrow(
      new HardwareError(
        `no ${dev}/gpiochip0: this machine has no GPIO character device (not a Raspberry Pi?)`,
      ),
    );
  });

  it('says how to enable I2C', async () => {
    const dev = emptyDir();
    await expect(openI2cBus(1, dev)).rejects.toThrow(`no ${dev}/i2c-1: enable I2C (raspi-config`);
  });

  it('says there is no sysfs GPIO for onoff', async () => {
    const missing = join(emptyDir(), 'gpio');
    await expect(openOnoffBackend(missing)).rejects.toThrow(
      `no ${missing}: this kernel has no sysfs GPIO; use gpio: libgpiod`,
    );
  });

  it('says how to enable hardware PWM', async () => {
    const missing = join(emptyDir(), 'pwmchip0');
    await expect(new SysfsPwm(missing).output(18)).rejects.toThrow('add dtoverlay=pwm (GPIO18');
    await expect(new SysfsPwm(missing).output(4)).rejects.toThrow('GPIO 4 has no hardware PWM');
  });
});

describe('sysfs GPIO numbering for onoff', () => {
  function sysfs(chips: { name: string; label: string; base: number; ngpio: number }[]) {
    const dir = mkdtempSync(join(tmpdir(), 'sysfs-gpio-'));
    for (const chip of chips) {
      mkdirSync(join(dir, chip.name));
      writeFileSync(join(dir, chip.name, 'label'), `${chip.label}\n`);
      writeFileSync(join(dir, chip.name, 'base'), `${chip.base}\n`);
      writeFileSync(join(dir, chip.name, 'ngpio'), `${chip.ngpio}\n`);
    }
    return dir;
  }

  it('offsets BCM numbers by the pinctrl chip base on kernel 6.6+ (base 512)', () => {
    const dir = sysfs([
      { name: 'gpiochip512', label: 'pinctrl-bcm2711', base: 512, ngpio: 58 },
      { name: 'gpiochip570', label: 'raspberrypi-exp-gpio', base: 570, ngpio: 8 },
    ]);
    expect(sysfsGpioBase(dir)).toBe(512);
  });

  it('keeps base 0 on older kernels', () => {
    expect(sysfsGpioBase(sysfs([{ name: 'gpiochip0', label: 'pinctrl-bcm2835', base: 0, ngpio: 54 }]))).toBe(
      0,
    );
  });

  it('fails clearly when no Pi GPIO chip is present', () => {
    const dir = sysfs([{ name: 'gpiochip0', label: 'gpio-mockup-A', base: 0, ngpio: 8 }]);
    expect(() => sysfsGpioBase(dir)).toThrow(`no Raspberry Pi GPIO chip (label pinctrl-…) under ${dir}`);
  });
});
