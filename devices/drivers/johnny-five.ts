/**
 * Backend for an Arduino-class board running StandardFirmata, driven through johnny-five. Firmata
 * runs over serialport 13 via firmata-io (johnny-five's own default transport needs an old serialport
 * build). Digital outs and PWM LEDs are johnny-five `Led`s; analog inputs are `Sensor`s (10-bit).
 * I2C parts, NFC readers and NeoPixels are refused by config validation on this backend.
 */
import { createRequire } from 'node:module';
import type { AnalogInputConfig } from '../config.js';
import {
  type AnalogIn,
  type Board,
  type DigitalOut,
  HardwareError,
  type PixelStrip,
  type PwmOut,
} from './types.js';

const require = createRequire(import.meta.url);

/** The parts of johnny-five we use (typed loosely: its types lag the library). */
interface FiveModule {
  Board: new (options: Record<string, unknown>) => FiveBoard;
  Led: new (options: {
    pin: number;
    board: FiveBoard;
  }) => { on(): void; off(): void; brightness(value: number): void };
  Sensor: new (options: {
    pin: number | string;
    board: FiveBoard;
    freq?: number;
  }) => {
    readonly raw: number | null;
    readonly resolution: number;
  };
}
interface FiveBoard {
  io: { transport?: { close?: (cb?: () => void) => void } };
  on(event: string, listener: (...args: unknown[]) => void): void;
  once(event: string, listener: (...args: unknown[]) => void): void;
}

/** How long a board may take to answer Firmata's handshake. */
const READY_TIMEOUT_MS = 15_000;

/** Opens the Firmata board on a serial port. */
export async function openJohnnyFiveBoard(options: { port: string }): Promise<Board> {
  const { SerialPort } = await import('serialport');
  const Firmata = (require('firmata-io') as { Firmata: new (transport: unknown) => unknown }).Firmata;
  const transport = new SerialPort({ path: options.port, baudRate: 57_600, autoOpen: false });
  await new Promise<void>((resolve, reject) =>
    transport.open((error) =>
      error
        ? reject(
            new HardwareError(
              `johnny-five: cannot open ${options.port}: ${error.message.replace(/^Error: /, '')}`,
            ),
          )
        : resolve(),
    ),
  );
  return createJohnnyFiveBoard(new Firmata(transport), options.port);
}

/** Wraps any Firmata-compatible IO object (a real Firmata, or mock-firmata in tests) as a {@link Board}. */
export async function createJohnnyFiveBoard(io: unknown, label = 'firmata'): Promise<Board> {
  const five = require('johnny-five') as FiveModule;
  const board = new five.Board({ io, repl: false, debug: false, timeout: READY_TIMEOUT_MS });
  await new Promise<void>((resolve, reject) => {
    board.once('ready', () => resolve());
    board.once('error', (error) => reject(new HardwareError(`johnny-five ${label}: ${describe(error)}`)));
  });
  return new JohnnyFiveBoard(five, board);
}

class JohnnyFiveBoard implements Board {
  readonly backend = 'johnny-five' as const;
  private disconnected = false;

  constructor(
    private readonly five: FiveModule,
    private readonly board: FiveBoard,
  ) {
    board.on('exit', () => {
      this.disconnected = true;
    });
    board.on('close', () => {
      this.disconnected = true;
    });
  }

  private check(): void {
    if (this.disconnected) throw new HardwareError('johnny-five board disconnected');
  }

  async digitalOut(pin: number): Promise<DigitalOut> {
    const led = new this.five.Led({ pin, board: this.board });
    return {
      write: async (on) => {
        this.check();
        if (on) led.on();
        else led.off();
      },
    };
  }

  async pwmOut(pin: number): Promise<PwmOut> {
    const led = new this.five.Led({ pin, board: this.board });
    return {
      write: async (duty) => {
        this.check();
        led.brightness(Math.round(Math.min(1, Math.max(0, duty)) * 255));
      },
    };
  }

  async pixelStrip(): Promise<PixelStrip> {
    throw new HardwareError('NeoPixels need the serial-json backend');
  }

  async analogIn(input: AnalogInputConfig): Promise<AnalogIn> {
    if (input.type !== 'analog') throw new HardwareError('johnny-five reads only analog pins');
    const sensor = new this.five.Sensor({ pin: input.pin, board: this.board, freq: 50 });
    return {
      read: async () => {
        this.check();
        // Firmata reports analog pins continuously; until the first report the level reads as 0.
        return sensor.raw === null ? 0 : sensor.raw / sensor.resolution;
      },
    };
  }

  async nfcReader(): Promise<never> {
    throw new HardwareError('NFC readers need the serial-json or linux backend');
  }

  async close(): Promise<void> {
    const transport = this.board.io.transport;
    if (transport?.close !== undefined)
      await new Promise<void>((resolve) => transport.close?.(() => resolve()));
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'object' && error !== null && 'message' in error) return String(error.message);
  return String(error);
}
