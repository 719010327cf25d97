import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { createJohnnyFiveBoard } from '../../../devices/drivers/johnny-five.js';
import { EvPadNode } from '../../../devices/kinds/ev-pad.js';
import { HeatPumpNode } from '../../../devices/kinds/heat-pump.js';
import { PvNode } from '../../../devices/kinds/pv.js';

const require = createRequire(import.meta.url);
const { Firmata: MockFirmata } = require('mock-firmata') as { Firmata: new () => MockIo };

interface MockIo {
  emit(event: string): void;
  digitalWrite(pin: number, value: number): void;
  analogWrite(pin: number, value: number): void;
  analogRead(pin: number, callback: (value: number) => void): void;
}

/** A mock-firmata board that records writes and lets the test report analog values. */
async function mockBoard() {
  const io = new MockFirmata();
  const writes: string[] = [];
  const analogReporters = new Map<number, (value: number) => void>();
  io.digitalWrite = (pin, value) => void writes.push(`digital ${pin}=${value}`);
  io.analogWrite = (pin, value) => void writes.push(`pwm ${pin}=${value}`);
  io.analogRead = (pin, callback) => void analogReporters.set(pin, callback);
  const opening = createJohnnyFiveBoard(io, 'mock');
  io.emit('connect');
  io.emit('ready');
  return { board: await opening, writes, analogReporters };
}

describe('johnny-five backend (mock-firmata)', () => {
  it('drives LEDs and PWM through Firmata', async () => {
    const { board, writes } = await mockBoard();
    const heatPump = new HeatPumpNode('heat-pump', {
      kind: 'heat-pump',
      light: { type: 'pwm', pin: 9 },
      maxPowerKw: 3,
    });
    await heatPump.attach(board);
    await heatPump.set('power-kw', 1.5);
    const pad = new EvPadNode(
      'ev-pad',
      {
        kind: 'ev-pad',
        padId: 'pad-1',
        plot: 'plot-1',
        reader: { type: 'serial', reader: 0 },
        tags: {},
        ledPins: [2, 3, 4, 5],
      },
      () => {},
    );
    // An EV pad needs an NFC reader, which Firmata cannot offer: attaching fails clearly.
    await expect(pad.attach(board)).rejects.toThrow('NFC readers need the serial-json or linux backend');
    expect(writes).toEqual(['pwm 9=0', 'pwm 9=128']);
  });

  it('reads analog pins as a fraction of the 10-bit range', async () => {
    const { board, analogReporters } = await mockBoard();
    const pv = new PvNode('pv', { kind: 'pv', sensor: { type: 'analog', pin: 'A0' }, peakKw: 4 });
    await pv.attach(board);
    expect(await pv.sample()).toEqual({ 'power-kw': 0, 'light-pct': 0 });
    analogReporters.get(0)?.(1023);
    expect(await pv.sample()).toEqual({ 'power-kw': -4, 'light-pct': 100 });
    analogReporters.get(0)?.(256);
    expect(await pv.sample()).toEqual({ 'power-kw': -1.001, 'light-pct': 25.0244 });
  });
});
