/**
 * The small hardware interfaces every device kind is written against. Each backend (sim, johnny-five,
 * serial-json, linux) implements {@link Board}; device kinds never know which one they drive.
 * Readings are fractions of full scale (0…1) so calibration lives in one place (the kinds).
 */
import type { AnalogInputConfig, DriverBackend, NfcReaderConfig } from '../config.js';

export interface DigitalOut {
  write(on: boolean): Promise<void>;
}

/** An LED whose brightness follows a PWM duty cycle. */
export interface PwmOut {
  /** @param duty - 0 (off) … 1 (full on). */
  write(duty: number): Promise<void>;
}

/** A strip of addressable RGB LEDs (NeoPixel / WS2812). */
export interface PixelStrip {
  /** @param colors - one 0xRRGGBB per pixel, first pixel first. */
  show(colors: readonly number[]): Promise<void>;
}

export interface AnalogIn {
  /** The reading as a fraction of full scale, 0…1. */
  read(): Promise<number>;
}

export interface NfcReader {
  /** The UID (upper-case hex) of the tag in the field, or null when there is none. */
  poll(): Promise<string | null>;
}

/** Raw I2C transfers on one bus; the ADS1115 and PN532 drivers are written against this. */
export interface I2cBus {
  write(address: number, data: Buffer): Promise<void>;
  read(address: number, length: number): Promise<Buffer>;
  close(): Promise<void>;
}

/**
 * One opened board. `key` names an input in the sim backend (`<node>/<role>`), so scripted events can
 * reach it; hardware backends go by the pin or address in the config.
 */
export interface Board {
  readonly backend: DriverBackend;
  digitalOut(pin: number): Promise<DigitalOut>;
  pwmOut(pin: number): Promise<PwmOut>;
  pixelStrip(pin: number, count: number): Promise<PixelStrip>;
  analogIn(input: AnalogInputConfig, key: string): Promise<AnalogIn>;
  nfcReader(reader: NfcReaderConfig, key: string): Promise<NfcReader>;
  /** Releases the hardware; the watchdog calls it on a hung board before opening a fresh one. */
  close(): Promise<void>;
}

/** Hardware that is absent or unusable; the CLI prints the message and exits 1. */
export class HardwareError extends Error {
  override readonly name = 'HardwareError';
}
