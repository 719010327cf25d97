/**
 * The config schemas of a node's parts (pins, I2C addresses, analog inputs, lights, NFC readers, tag UIDs),
 * shared by the board config (./config.ts) and the device kinds (./kinds/), which define their nodes with
 * them. Imports no kind and no config, so the kinds' files can import it at run time.
 */
import { z } from 'zod';
import { HomieIdSchema } from '../protocol/homie.js';

/** A digital pin: a GPIO line number on a Pi (BCM), a pin number on a microcontroller. */
export const DigitalPinSchema = z
  .number({ error: 'a pin number, or a pin name from the board pinout named by `board`' })
  .int()
  .min(0)
  .max(127);
/** An analog input pin on a microcontroller: `A0`…`A15`, or its number. */
export const AnalogPinSchema = z.union([
  z.string().regex(/^A([0-9]|1[0-5])$/, 'an analog pin such as "A0"'),
  z.number().int().min(0).max(127),
]);
/** A 7-bit I2C address outside the reserved ranges (0x08…0x77); YAML `0x48` or `"0x48"`. */
export const I2cAddressSchema = z
  .union([z.number(), z.string().regex(/^0x[0-9a-fA-F]{1,2}$/, 'a hex address such as "0x48"')])
  .transform((value) => (typeof value === 'string' ? Number.parseInt(value, 16) : value))
  .pipe(z.number().int().min(0x08, 'I2C addresses start at 0x08').max(0x77, 'I2C addresses end at 0x77'));

/** Linear calibration from a 0…1 reading (fraction of full scale) to the quantity. */
const CalibrationFields = {
  /** Quantity at full scale (reading 1). */
  fullScale: z.number().optional(),
  /** Quantity at zero reading. */
  offset: z.number().optional(),
};

/** An analog input: a microcontroller pin or a channel of an ADS1115 ADC on I2C (what a Pi needs). */
export const AnalogInputSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('analog'), pin: AnalogPinSchema, ...CalibrationFields }),
  z.strictObject({
    type: z.literal('ads1115'),
    address: I2cAddressSchema.default(0x48),
    channel: z.number().int().min(0).max(3),
    ...CalibrationFields,
  }),
]);
export type AnalogInputConfig = z.infer<typeof AnalogInputSchema>;

/** A light: a PWM pin (brightness) or a NeoPixel strip (colour; serial-json and sim only). */
export const LightOutputSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('pwm'), pin: DigitalPinSchema }),
  z.strictObject({
    type: z.literal('neopixel'),
    pin: DigitalPinSchema,
    count: z.number().int().min(1).max(64),
  }),
]);
export type LightOutputConfig = z.infer<typeof LightOutputSchema>;

/** An NFC reader: a PN532 on I2C, or a reader the microcontroller polls itself (serial-json). */
export const NfcReaderSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('pn532'), address: I2cAddressSchema.default(0x24) }),
  z.strictObject({ type: z.literal('serial'), reader: z.number().int().min(0).max(7).default(0) }),
]);
export type NfcReaderConfig = z.infer<typeof NfcReaderSchema>;

/** An upper-case hex NFC UID (4, 7 or 10 bytes); lower case and colons are accepted and normalised. */
export const TagUidSchema = z
  .string()
  .transform((uid) => uid.replaceAll(':', '').toUpperCase())
  .pipe(z.string().regex(/^([0-9A-F]{8}|[0-9A-F]{14}|[0-9A-F]{20})$/, 'a 4, 7 or 10 byte hex UID'));

/** Every node's optional Homie node ID (default: its kind). */
export const NodeIdField = { id: HomieIdSchema.optional() };
