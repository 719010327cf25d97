/**
 * NXP PN532 NFC reader in I2C mode (the common red/blue breakout boards). Only what a charging pad
 * needs: wake it (SAMConfiguration), make passive-target polls return at once when the field is empty
 * (RFConfiguration MaxRetries), and read one ISO 14443A tag's UID (InListPassiveTarget).
 */
import { HardwareError, type I2cBus, type NfcReader } from './types.js';

const HOST_TO_PN532 = 0xd4;
const PN532_TO_HOST = 0xd5;
const CMD_SAM_CONFIGURATION = 0x14;
const CMD_RF_CONFIGURATION = 0x32;
const CMD_IN_LIST_PASSIVE_TARGET = 0x4a;
const ACK = [0x00, 0x00, 0xff, 0x00, 0xff, 0x00];
/** Status polls (each one I2C read) before the chip counts as not answering. */
const MAX_READY_POLLS = 50;
const READY_POLL_MS = 2;
const RESPONSE_BYTES = 32;

/** Builds a PN532 information frame for `command` with its parameters. */
export function pn532Frame(command: number, params: readonly number[] = []): Buffer {
  const body = [HOST_TO_PN532, command, ...params];
  const length = body.length;
  const dataChecksum = (0x100 - (body.reduce((sum, byte) => sum + byte, 0) & 0xff)) & 0xff;
  return Buffer.from([0x00, 0x00, 0xff, length, (0x100 - length) & 0xff, ...body, dataChecksum, 0x00]);
}

export class Pn532 implements NfcReader {
  constructor(
    private readonly bus: I2cBus,
    readonly address: number,
  ) {}

  /** Wakes the chip and sets one passive-activation retry, so polls do not block. */
  async begin(): Promise<void> {
    await this.command(CMD_SAM_CONFIGURATION, [0x01, 0x14, 0x01]);
    await this.command(CMD_RF_CONFIGURATION, [0x05, 0xff, 0x01, 0x01]);
  }

  async poll(): Promise<string | null> {
    // One target, 106 kbps type A (MIFARE / NTAG stickers).
    const data = await this.command(CMD_IN_LIST_PASSIVE_TARGET, [0x01, 0x00]);
    const targets = data[0] ?? 0;
    if (targets === 0) return null;
    // Tg, SENS_RES (2), SEL_RES, NFCID length, NFCID…
    const uidLength = data[5] ?? 0;
    const uid = data.subarray(6, 6 + uidLength);
    if (uid.length !== uidLength || uidLength === 0) throw new HardwareError('PN532: truncated target data');
    return uid.toString('hex').toUpperCase();
  }

  /** Sends a command, checks the ACK, and returns the response data after the command code. */
  private async command(command: number, params: readonly number[]): Promise<Buffer> {
    await this.bus.write(this.address, pn532Frame(command, params));
    const ack = await this.readWhenReady(ACK.length);
    if (!ACK.every((byte, i) => ack[i] === byte))
      throw new HardwareError(`${this.label()}: no ACK for 0x${command.toString(16)}`);
    const frame = await this.readWhenReady(RESPONSE_BYTES);
    const start = frame.indexOf(Buffer.from([0x00, 0xff]));
    const length = frame[start + 2] ?? 0;
    if (start < 0 || ((length + (frame[start + 3] ?? 0)) & 0xff) !== 0) {
      throw new HardwareError(`${this.label()}: bad frame for 0x${command.toString(16)}`);
    }
    const body = frame.subarray(start + 4, start + 4 + length);
    if (body[0] !== PN532_TO_HOST || body[1] !== command + 1) {
      throw new HardwareError(`${this.label()}: unexpected answer to 0x${command.toString(16)}`);
    }
    const checksum = body.reduce((sum, byte) => sum + byte, 0) + (frame[start + 4 + length] ?? 0);
    if ((checksum & 0xff) !== 0) throw new HardwareError(`${this.label()}: checksum error`);
    return body.subarray(2);
  }

  /** In I2C mode every read starts with a status byte, 0x01 once the chip has data. */
  private async readWhenReady(length: number): Promise<Buffer> {
    for (let poll = 0; poll < MAX_READY_POLLS; poll++) {
      const data = await this.bus.read(this.address, length + 1);
      if (((data[0] ?? 0) & 0x01) === 1) return data.subarray(1);
      await new Promise((resolve) => setTimeout(resolve, READY_POLL_MS));
    }
    throw new HardwareError(`${this.label()}: not ready`);
  }

  private label(): string {
    return `PN532 at 0x${this.address.toString(16)}`;
  }
}
