/**
 * Backend for a microcontroller (ESP32, Pico, Arduino) that speaks GridFlex line-JSON over a serial
 * port: one JSON object per line each way, requests carry an `id` the answer repeats. The full
 * protocol is in docs/devices.md. I2C goes through the microcontroller too (`i2c-write`/`i2c-read`),
 * so an ADS1115 or PN532 wired to it works with the same drivers as on a Pi.
 */

import { ReadlineParser } from '@serialport/parser-readline';
import { type OpenOptions, SerialPortStream } from '@serialport/stream';
import { z } from 'zod';
import type { AnalogInputConfig, NfcReaderConfig } from '../config.js';
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

/** The protocol version this host speaks; the microcontroller reports its own in `hello`. */
export const SERIAL_JSON_PROTOCOL = 1;

const ResponseSchema = z.object({
  id: z.number().int(),
  ok: z.boolean(),
  error: z.string().optional(),
  value: z.number().optional(),
  uid: z
    .string()
    .regex(/^[0-9A-Fa-f]*$/)
    .nullable()
    .optional(),
  data: z
    .string()
    .regex(/^([0-9A-Fa-f]{2})*$/)
    .optional(),
  protocol: z.number().int().optional(),
  board: z.string().optional(),
});
type Response = z.infer<typeof ResponseSchema>;

export interface SerialJsonOptions {
  path: string;
  baudRate: number;
  /** A request unanswered for this long fails with a HardwareError (the agent then restarts the driver). */
  requestTimeoutMs: number;
  /** The serialport binding; the platform's native one by default, MockBinding in tests. */
  binding?: OpenOptions['binding'];
}

/** Opens the port, checks the microcontroller answers `hello` with our protocol, and returns the board. */
export async function openSerialJsonBoard(options: SerialJsonOptions): Promise<Board> {
  const binding = options.binding ?? (await import('@serialport/bindings-cpp')).autoDetect();
  const port = new SerialPortStream({
    binding,
    path: options.path,
    baudRate: options.baudRate,
    autoOpen: false,
  });
  await new Promise<void>((resolve, reject) =>
    port.open((error) =>
      error
        ? reject(
            new HardwareError(
              `serial-json: cannot open ${options.path}: ${error.message.replace(/^Error: /, '')}`,
            ),
          )
        : resolve(),
    ),
  );
  const board = new SerialJsonBoard(port, options.path, options.requestTimeoutMs);
  try {
    const hello = await board.request({ op: 'hello', protocol: SERIAL_JSON_PROTOCOL });
    if (hello.protocol !== SERIAL_JSON_PROTOCOL) {
      throw new HardwareError(
        `serial-json: ${options.path} speaks protocol ${hello.protocol ?? '?'}, not ${SERIAL_JSON_PROTOCOL}`,
      );
    }
  } catch (error) {
    await board.close();
    throw error;
  }
  return board;
}

export class SerialJsonBoard implements Board {
  readonly backend = 'serial-json' as const;
  private nextId = 1;
  private readonly pending = new Map<
    number,
    { resolve: (r: Response) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }
  >();
  private readonly i2c: I2cBus;

  constructor(
    private readonly port: SerialPortStream,
    private readonly path: string,
    private readonly requestTimeoutMs: number,
  ) {
    const lines = port.pipe(new ReadlineParser({ delimiter: '\n' }));
    lines.on('data', (line: string) => this.onLine(line));
    port.on('close', () => this.failAll(new HardwareError(`serial-json: ${path} closed`)));
    port.on('error', (error: Error) =>
      this.failAll(new HardwareError(`serial-json: ${path}: ${error.message}`)),
    );
    this.i2c = {
      write: async (address, data) => {
        await this.request({ op: 'i2c-write', address, data: data.toString('hex') });
      },
      read: async (address, length) => {
        const answer = await this.request({ op: 'i2c-read', address, length });
        return Buffer.from(answer.data ?? '', 'hex');
      },
      close: async () => {},
    };
  }

  /** Sends one request and resolves with the microcontroller's `ok` answer. */
  request(body: Record<string, unknown>): Promise<Response> {
    if (!this.port.isOpen) return Promise.reject(new HardwareError(`serial-json: ${this.path} is not open`));
    const id = this.nextId++;
    return new Promise<Response>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(
          new HardwareError(`serial-json: no answer to ${String(body.op)} in ${this.requestTimeoutMs} ms`),
        );
      }, this.requestTimeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      this.port.write(`${JSON.stringify({ id, ...body })}\n`);
    });
  }

  private onLine(line: string): void {
    const text = line.trim();
    // Anything that is not a JSON object is the microcontroller's own chatter (boot banners and the like).
    if (!text.startsWith('{')) return;
    let parsed: ReturnType<typeof ResponseSchema.safeParse>;
    try {
      parsed = ResponseSchema.safeParse(JSON.parse(text));
    } catch {
      return;
    }
    if (!parsed.success) return;
    const waiter = this.pending.get(parsed.data.id);
    if (waiter === undefined) return;
    this.pending.delete(parsed.data.id);
    clearTimeout(waiter.timer);
    if (parsed.data.ok) waiter.resolve(parsed.data);
    else waiter.reject(new Error(`serial-json: ${parsed.data.error ?? 'request failed'}`));
  }

  private failAll(error: Error): void {
    for (const [id, waiter] of this.pending) {
      clearTimeout(waiter.timer);
      waiter.reject(error);
      this.pending.delete(id);
    }
  }

  async digitalOut(pin: number): Promise<DigitalOut> {
    await this.request({ op: 'mode', pin, mode: 'output' });
    return { write: async (on) => void (await this.request({ op: 'write', pin, value: on ? 1 : 0 })) };
  }

  async pwmOut(pin: number): Promise<PwmOut> {
    await this.request({ op: 'mode', pin, mode: 'pwm' });
    return { write: async (duty) => void (await this.request({ op: 'pwm', pin, duty: round3(duty) })) };
  }

  async pixelStrip(pin: number, count: number): Promise<PixelStrip> {
    await this.request({ op: 'mode', pin, mode: 'neopixel', count });
    return {
      show: async (colors) => {
        const hex = colors.map((color) => color.toString(16).padStart(6, '0'));
        await this.request({ op: 'pixels', pin, colors: hex });
      },
    };
  }

  async analogIn(input: AnalogInputConfig): Promise<AnalogIn> {
    if (input.type === 'ads1115') return new Ads1115(this.i2c, input.address).channel(input.channel);
    const pin = input.pin;
    await this.request({ op: 'mode', pin, mode: 'analog' });
    return {
      read: async () => {
        const answer = await this.request({ op: 'read', pin });
        if (answer.value === undefined) throw new Error(`serial-json: read ${pin} answered without a value`);
        return answer.value;
      },
    };
  }

  async nfcReader(reader: NfcReaderConfig): Promise<NfcReader> {
    if (reader.type === 'pn532') {
      const pn532 = new Pn532(this.i2c, reader.address);
      await pn532.begin();
      return pn532;
    }
    return {
      poll: async () => {
        const answer = await this.request({ op: 'nfc', reader: reader.reader });
        return answer.uid ? answer.uid.toUpperCase() : null;
      },
    };
  }

  async close(): Promise<void> {
    this.failAll(new HardwareError(`serial-json: ${this.path} closed`));
    if (!this.port.isOpen) return;
    await new Promise<void>((resolve) => this.port.close(() => resolve()));
  }
}

function round3(value: number): number {
  return Math.round(Math.min(1, Math.max(0, value)) * 1000) / 1000;
}
