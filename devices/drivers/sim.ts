/**
 * The simulated backend: no hardware, fully deterministic. A {@link SimWorld} holds what the
 * "hardware" sees (input levels, tags on readers, what the outputs show) and plays the board's scripted
 * events by tick count, so the same config gives the same readings run after run. It outlives the
 * boards opened on it, as the real world outlives a restarted driver.
 */
import type { AnalogInputConfig, NfcReaderConfig, SimEvent } from '../config.js';
import type { AnalogIn, Board, DigitalOut, NfcReader, PixelStrip, PwmOut } from './types.js';

/** Input level of a sim analog input before any scripted event. */
export const SIM_DEFAULT_INPUT = 0.5;

export class SimWorld {
  /** Analog levels by `<node>/<role>`. */
  readonly inputs = new Map<string, number>();
  /** Tag UID on each reader, by node ID. */
  readonly tags = new Map<string, string>();
  /** What each output shows: `pin:<n>` → 0/1 or duty, `pixels:<n>` → colours. */
  readonly outputs = new Map<string, number | readonly number[]>();
  private hung = false;
  private readonly pending: SimEvent[];

  constructor(
    events: readonly SimEvent[],
    private readonly onEvent: (event: SimEvent) => void = () => {},
  ) {
    this.pending = [...events].sort((a, b) => a.atS - b.atS);
  }

  /** Applies every scripted event due by `elapsedS` (the agent's tick time, not wall time). */
  advanceTo(elapsedS: number): void {
    while (this.pending.length > 0 && (this.pending[0]?.atS ?? Number.POSITIVE_INFINITY) <= elapsedS) {
      const event = this.pending.shift() as SimEvent;
      this.apply(event);
      this.onEvent(event);
    }
  }

  private apply(event: SimEvent): void {
    switch (event.do) {
      case 'place-tag':
        this.tags.set(event.node, event.tagUid);
        break;
      case 'lift-tag':
        this.tags.delete(event.node);
        break;
      case 'set-input':
        // The agent fills in `input` for nodes whose only input is not `sensor`.
        this.inputs.set(`${event.node}/${event.input ?? 'sensor'}`, event.value);
        break;
      case 'hang-driver':
        this.hung = true;
        break;
    }
  }

  /** A board on this world; opening one clears a hang (the watchdog's restart). */
  openBoard(): SimBoard {
    this.hung = false;
    return new SimBoard(this);
  }

  /** Resolves with `value()`, or never while the driver is hung. */
  call<T>(value: () => T): Promise<T> {
    if (this.hung) return new Promise<T>(() => {});
    return Promise.resolve(value());
  }
}

export class SimBoard implements Board {
  readonly backend = 'sim' as const;
  private closed = false;

  constructor(private readonly world: SimWorld) {}

  private call<T>(value: () => T): Promise<T> {
    if (this.closed) return Promise.reject(new Error('sim board is closed'));
    return this.world.call(value);
  }

  async digitalOut(pin: number): Promise<DigitalOut> {
    return { write: (on) => this.call(() => void this.world.outputs.set(`pin:${pin}`, on ? 1 : 0)) };
  }

  async pwmOut(pin: number): Promise<PwmOut> {
    return { write: (duty) => this.call(() => void this.world.outputs.set(`pin:${pin}`, duty)) };
  }

  async pixelStrip(pin: number, _count: number): Promise<PixelStrip> {
    return { show: (colors) => this.call(() => void this.world.outputs.set(`pixels:${pin}`, [...colors])) };
  }

  async analogIn(_input: AnalogInputConfig, key: string): Promise<AnalogIn> {
    return { read: () => this.call(() => this.world.inputs.get(key) ?? SIM_DEFAULT_INPUT) };
  }

  async nfcReader(_reader: NfcReaderConfig, key: string): Promise<NfcReader> {
    return { poll: () => this.call(() => this.world.tags.get(key) ?? null) };
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}
