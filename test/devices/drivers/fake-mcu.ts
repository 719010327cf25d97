/**
 * A pretend microcontroller behind @serialport/binding-mock: it answers GridFlex line-JSON requests
 * the way the firmware in docs/devices.md must, and records what it was told to do.
 */
import { MockBinding, type MockPortBinding } from '@serialport/binding-mock';

export class FakeMcu {
  /** Requests received, in order, without their ids. */
  readonly requests: Record<string, unknown>[] = [];
  /** Analog levels by pin (fraction of full scale). */
  readonly analog = new Map<string, number>();
  /** The UID on each reader, by reader number. */
  readonly tags = new Map<number, string>();
  /** When true the firmware stops answering (a hung microcontroller). */
  silent = false;
  protocol = 1;
  private pending = '';

  /** A binding whose ports are wired to this fake; the port at `path` must be created first. */
  binding(path: string): typeof MockBinding {
    MockBinding.createPort(path, { echo: false, record: false });
    return {
      ...MockBinding,
      open: async (options) => {
        const port = await MockBinding.open(options);
        this.wire(port);
        return port;
      },
    };
  }

  private wire(port: MockPortBinding): void {
    const write = port.write.bind(port);
    port.write = async (buffer: Buffer) => {
      await write(buffer);
      this.pending += buffer.toString();
      let newline = this.pending.indexOf('\n');
      while (newline >= 0) {
        const line = this.pending.slice(0, newline);
        this.pending = this.pending.slice(newline + 1);
        const answer = this.answer(JSON.parse(line) as Record<string, unknown>);
        if (answer !== undefined) port.emitData(`${JSON.stringify(answer)}\n`);
        newline = this.pending.indexOf('\n');
      }
    };
    // Firmware chatter on boot must be ignored by the host.
    port.emitData('GridFlex fw 1.0 booting\n');
  }

  private answer(request: Record<string, unknown>): Record<string, unknown> | undefined {
    const { id, ...body } = request;
    this.requests.push(body);
    if (this.silent) return undefined;
    switch (body.op) {
      case 'hello':
        return { id, ok: true, protocol: this.protocol, board: 'fake-pico' };
      case 'read': {
        const value = this.analog.get(String(body.pin));
        return value === undefined
          ? { id, ok: false, error: `pin ${String(body.pin)} is not analog` }
          : { id, ok: true, value };
      }
      case 'nfc':
        return { id, ok: true, uid: this.tags.get(Number(body.reader)) ?? null };
      default:
        return { id, ok: true };
    }
  }
}
