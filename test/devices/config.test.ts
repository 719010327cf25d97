import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DeviceConfigError, loadDeviceConfig, validateDeviceConfig } from '../../devices/config.js';

const BOARDS_DIR = 'hardware/boards';

const minimal = (extra: Record<string, unknown> = {}) => ({
  deviceId: 'house-1',
  broker: { url: 'mqtt://127.0.0.1:1883' },
  nodes: [{ kind: 'pv', sensor: { type: 'analog', pin: 'A0' } }],
  ...extra,
});

function problemsOf(raw: unknown): string[] {
  try {
    validateDeviceConfig(raw, 'board.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(DeviceConfigError);
    return (error as DeviceConfigError).problems;
  }
  throw new Error('expected the config to be rejected');
}

describe('device config schema', () => {
  const boards = readdirSync(BOARDS_DIR).filter(
    (name) => name.endsWith('.yaml') && !name.endsWith('.pinout.yaml'),
  );

  it('has at least one board config in hardware/boards', () => {
    expect(boards.length).toBeGreaterThan(0);
  });

  it.each(boards)('validates hardware/boards/%s', (name) => {
    const config = loadDeviceConfig(join(BOARDS_DIR, name));
    expect(config.nodes.length).toBeGreaterThan(0);
  });

  it('fills defaults: sim backend, interval, queue', () => {
    const config = validateDeviceConfig(minimal(), 'board.yaml');
    expect(config.driver).toEqual({ backend: 'sim' });
    expect(config.telemetryIntervalMs).toBe(1000);
    expect(config.queueSize).toBe(10_000);
  });

  it('normalises I2C addresses and tag UIDs', () => {
    const config = validateDeviceConfig(
      minimal({
        nodes: [
          { kind: 'pv', sensor: { type: 'ads1115', address: '0x49', channel: 2 } },
          {
            kind: 'ev-pad',
            padId: 'pad-1',
            plot: 'plot-1',
            reader: { type: 'pn532' },
            tags: { '04:a1:b2:c3': 'ev-1' },
          },
        ],
      }),
      'board.yaml',
    );
    const [pv, pad] = config.nodes;
    expect(pv?.kind === 'pv' && pv.sensor.type === 'ads1115' && pv.sensor.address).toBe(0x49);
    expect(pad?.kind === 'ev-pad' && pad.tags).toEqual({ '04A1B2C3': 'ev-1' });
  });

  it('names the path of an out-of-range I2C address', () => {
    const problems = problemsOf(
      minimal({ nodes: [{ kind: 'pv', sensor: { type: 'ads1115', address: 0x78, channel: 0 } }] }),
    );
    expect(problems).toEqual(['nodes.0.sensor.address: I2C addresses end at 0x77']);
  });

  it('rejects a pin used twice and says who has it', () => {
    const problems = problemsOf(
      minimal({
        nodes: [
          { kind: 'battery', ledPins: [5, 6] },
          { kind: 'heat-pump', light: { type: 'pwm', pin: 6 } },
        ],
      }),
    );
    expect(problems).toEqual(['nodes.1.light.pin: pin 6 is already used by nodes.0.ledPins.1']);
  });

  it('rejects parts the backend cannot drive', () => {
    const problems = problemsOf(
      minimal({
        driver: { backend: 'linux' },
        nodes: [
          { kind: 'pv', sensor: { type: 'analog', pin: 'A0' } },
          { kind: 'heat-pump', light: { type: 'pwm', pin: 4 } },
          { kind: 'battery', ledPins: [40] },
        ],
      }),
    );
    expect(problems).toEqual([
      'nodes.0.sensor.pin: a Raspberry Pi has no analog inputs; use an ads1115 on I2C',
      'nodes.1.light.pin: hardware PWM on a Raspberry Pi is on GPIO 12, 13, 18 or 19',
      'nodes.2.ledPins.0: GPIO 40 does not exist on a Raspberry Pi header (0…27)',
    ]);
  });

  it('rejects duplicate node IDs and scripted events for missing nodes', () => {
    const problems = problemsOf(
      minimal({
        nodes: [
          { kind: 'meter', sensor: { type: 'analog', pin: 'A0' } },
          { kind: 'meter', sensor: { type: 'analog', pin: 'A1' } },
        ],
        sim: { events: [{ atS: 1, do: 'lift-tag', node: 'ev-pad' }] },
      }),
    );
    expect(problems).toEqual([
      'nodes.1.id: node ID "meter" is already used by nodes.0; give each an id',
      'sim.events.0.node: no node "ev-pad" on this board',
    ]);
  });

  it('rejects unknown keys and bad IDs with their paths', () => {
    const problems = problemsOf(minimal({ deviceId: 'House 1', telemetryMs: 5 }));
    expect(problems[0]).toMatch(/^deviceId: lower-case letters/);
    expect(problems[1]).toMatch(/^\(top level\): Unrecognized key: "telemetryMs"/);
  });

  it('names the file when it is missing or not YAML', () => {
    expect(() => loadDeviceConfig('no/such/board.yaml')).toThrow('no/such/board.yaml: cannot read: ENOENT');
    const dir = mkdtempSync(join(tmpdir(), 'gridflex-config-'));
    const file = join(dir, 'broken.yaml');
    writeFileSync(file, 'deviceId: [unclosed\n');
    expect(() => loadDeviceConfig(file)).toThrow(`${file}: not valid YAML`);
    rmSync(dir, { recursive: true });
  });
});
