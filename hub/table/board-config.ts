import { chmodSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { InputError } from '../errors.js';

/** The node kinds `gridflex device add --kind` can set up (the device agent's kinds). */
export const BOARD_KINDS = ['pv', 'ev-pad', 'heat-pump', 'battery', 'meter'] as const;
export type BoardKind = (typeof BOARD_KINDS)[number];

/** Hardware backends with default pins. */
export const BOARD_DRIVERS = ['sim', 'johnny-five', 'linux'] as const;
export type BoardDriver = (typeof BOARD_DRIVERS)[number];

/** Options of {@link boardConfig}. */
export interface BoardConfigOptions {
  deviceId: string;
  kind: BoardKind;
  /** The table plot the board sits on; without one the hub places it from the table map or an operator does. */
  plot?: string;
  brokerUrl: string;
  username: string;
  password: string;
  driver: BoardDriver;
  /** Serial port of a johnny-five (Firmata) board. */
  serialPort?: string;
  /** EV pads: tag UID → EV ID, so the pad names the EV it sees. */
  tags?: Record<string, string>;
  /** Sim backend: scripted events (e.g. an EV's tag placed on the pad at start). */
  simEvents?: Record<string, unknown>[];
  /** Telemetry interval; default 1000 ms. */
  telemetryIntervalMs?: number;
}

/**
 * A ready-to-run device agent config (devices/config.ts schema) for one board: broker, credentials,
 * the asset's node with default pins for the chosen backend, and a `plot` node saying where it sits.
 */
export function boardConfig(options: BoardConfigOptions): Record<string, unknown> {
  const { driver } = options;
  const analog =
    driver === 'linux' ? { type: 'ads1115', address: 0x48, channel: 0 } : { type: 'analog', pin: 'A0' };
  const pwmPin = driver === 'linux' ? 18 : 9;
  const ledPins = driver === 'linux' ? [5, 6, 13, 19, 26] : [2, 3, 4, 5, 6];
  const nodes: Record<string, unknown>[] = [];
  switch (options.kind) {
    case 'pv':
      nodes.push({ kind: 'pv', sensor: analog, peakKw: 4 });
      break;
    case 'heat-pump':
      nodes.push({ kind: 'heat-pump', light: { type: 'pwm', pin: pwmPin }, maxPowerKw: 3 });
      break;
    case 'battery':
      nodes.push({ kind: 'battery', capacityKwh: 10, maxPowerKw: 5, initialSocPct: 50, ledPins });
      break;
    case 'meter':
      nodes.push({ kind: 'meter', sensor: { ...analog, fullScale: 10 } });
      break;
    case 'ev-pad':
      if (options.plot === undefined) throw new InputError('--plot', 'an EV pad needs the plot it sits on');
      if (driver === 'johnny-five') {
        throw new InputError('--driver', 'an EV pad needs an NFC reader: use linux (PN532 on I2C) or sim');
      }
      nodes.push({
        kind: 'ev-pad',
        padId: options.deviceId,
        plot: options.plot,
        reader: { type: 'pn532', address: 0x24 },
        tags: options.tags ?? {},
        ledPins,
      });
      break;
  }
  // An EV pad knows its plot itself; every other board says where it sits with a plot node.
  if (options.kind !== 'ev-pad' && options.plot !== undefined)
    nodes.push({ kind: 'plot', plot: options.plot });
  const driverConfig =
    driver === 'johnny-five'
      ? { backend: 'johnny-five', port: options.serialPort ?? '/dev/ttyACM0' }
      : driver === 'linux'
        ? { backend: 'linux' }
        : { backend: 'sim' };
  return {
    deviceId: options.deviceId,
    broker: { url: options.brokerUrl, username: options.username, password: options.password },
    telemetryIntervalMs: options.telemetryIntervalMs ?? 1000,
    driver: driverConfig,
    nodes,
    ...(options.simEvents && options.simEvents.length > 0 ? { sim: { events: options.simEvents } } : {}),
  };
}

/** Writes `<dataDir>/devices/<id>.yaml` (mode 0600: it holds the password) atomically; returns its path. */
export function writeBoardConfig(dataDir: string, deviceId: string, config: Record<string, unknown>): string {
  const dir = join(dataDir, 'devices');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${deviceId}.yaml`);
  const header = `# Device agent config for ${deviceId}, written by \`gridflex device add\`.\n# Run it with: node dist/devices/cli.js --config ${file}\n# It holds the broker password: keep it private (mode 0600).\n`;
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, header + stringify(config), { mode: 0o600 });
  chmodSync(temp, 0o600);
  renameSync(temp, file);
  return file;
}
