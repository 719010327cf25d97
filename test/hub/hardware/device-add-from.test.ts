import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadDeviceConfig } from '../../../devices/config.js';
import { CredentialStore } from '../../../hub/auth/credentials.js';
import { tempDir } from '../mqtt-helpers.js';

const dirs: { remove: () => void }[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) dir.remove();
});
const dataDir = () => {
  const dir = tempDir('gridflex-add-from-');
  dirs.push(dir);
  return dir.dir;
};
const add = (data: string, ...args: string[]) =>
  spawnSync(
    process.execPath,
    [
      'dist/hub/cli.js',
      'device',
      'add',
      ...args,
      '--data-dir',
      data,
      '--broker-url',
      'mqtt://127.0.0.1:1883',
    ],
    { encoding: 'utf8' },
  );

describe('gridflex device add --from', () => {
  it('copies a shipped config with this board’s ID and working credentials, its pinout by absolute path', async () => {
    const data = dataDir();
    const result = add(data, 'house-6', '--from', 'hardware/boards/nano-table-house.yaml');
    expect(result.status, result.stderr).toBe(0);
    const file = result.stdout.trim();
    const written = parse(readFileSync(file, 'utf8'));
    expect(written).toMatchObject({
      deviceId: 'house-6',
      board: resolve('hardware/boards/nano-table-house.pinout.yaml'),
      broker: { url: 'mqtt://127.0.0.1:1883', username: 'house-6' },
      driver: { backend: 'johnny-five', port: '/dev/ttyUSB0' },
    });
    expect(written.nodes[3].ledPins).toEqual(['battery-25', 'battery-50', 'battery-75', 'battery-100']);
    const config = loadDeviceConfig(file);
    expect(config.nodes[3]).toMatchObject({ kind: 'battery', ledPins: [4, 7, 8, 12] });
    const verified = await CredentialStore.open(data).verify('house-6', config.broker.password ?? '');
    expect(verified?.role).toEqual({ role: 'device', deviceId: 'house-6' });
  });

  it('refuses to replace a registered board without --force, and with --force says the old password is gone', async () => {
    const data = dataDir();
    const first = add(data, 'house-6', '--from', 'hardware/boards/nano-table-house.yaml');
    expect(first.status, first.stderr).toBe(0);
    const file = first.stdout.trim();
    const before = readFileSync(file, 'utf8');
    const again = add(data, 'house-6', '--from', 'hardware/boards/pi-zero-table-house.yaml');
    expect(again.status).toBe(2);
    expect(again.stderr).toBe(
      `error: house-6: already registered (${file}); add --force to replace it with a new password and config (the board must then get the new file), or choose another ID\n`,
    );
    expect(readFileSync(file, 'utf8')).toBe(before);
    const oldPassword = loadDeviceConfig(file).broker.password ?? '';
    expect(await CredentialStore.open(data).verify('house-6', oldPassword)).not.toBeNull();
    // The same with --kind: one rule for every way of adding a board.
    expect(add(data, 'house-6', '--kind', 'pv').status).toBe(2);

    const forced = add(data, 'house-6', '--from', 'hardware/boards/pi-zero-table-house.yaml', '--force');
    expect(forced.status, forced.stderr).toBe(0);
    expect(forced.stderr).toMatch(/replaced house-6: its old password no longer works/);
    expect(await CredentialStore.open(data).verify('house-6', oldPassword)).toBeNull();
    expect(loadDeviceConfig(file).driver.backend).toBe('linux');
  });

  it('stands the copy on another plot with --plot', () => {
    const data = dataDir();
    const result = add(
      data,
      'house-6',
      '--from',
      'hardware/boards/nano-table-house.yaml',
      '--plot',
      'plot-6',
    );
    expect(result.status, result.stderr).toBe(0);
    const config = loadDeviceConfig(result.stdout.trim());
    expect(config.nodes.filter((node) => node.kind === 'plot')).toEqual([
      { kind: 'plot', plot: 'plot-6', tags: {} },
    ]);
    expect(config.nodes.map((node) => node.kind)).toEqual(['plot', 'pv', 'heat-pump', 'battery']);
  });

  it('refuses bad combinations with exit 2 before creating credentials', () => {
    const data = dataDir();
    const padsWithPlot = add(
      data,
      'pads-1',
      '--from',
      'hardware/boards/esp32-ev-pad.yaml',
      '--plot',
      'plot-1',
    );
    expect(padsWithPlot.status).toBe(2);
    expect(padsWithPlot.stderr).toBe(
      'error: --plot: the EV pads of hardware/boards/esp32-ev-pad.yaml name their own plots: edit a copy of it\n',
    );
    const both = add(data, 'x-1', '--kind', 'pv', '--from', 'hardware/boards/nano-table-house.yaml');
    expect(both.stderr).toBe('error: --kind/--from: give either --kind or --from\n');
    const neither = add(data, 'x-2');
    expect(neither.status).toBe(2);
    const notAConfig = add(data, 'x-3', '--from', 'hardware/boards/nano-table-house.pinout.yaml');
    expect(notAConfig.status).toBe(2);
    expect(notAConfig.stderr).toBe(
      'error: hardware/boards/nano-table-house.pinout.yaml: not a device config (it needs `nodes`, see hardware/boards/*.yaml)\n',
    );
    const missing = add(data, 'x-4', '--from', 'hardware/boards/no-such.yaml');
    expect(missing.stderr).toBe(
      'error: hardware/boards/no-such.yaml: device config not found or not readable\n',
    );
    expect(existsSync(join(data, 'devices'))).toBe(false);
    expect(CredentialStore.open(data).list()).toEqual([]);
  });
});

describe('gridflex device add --from a config that disagrees with its board', () => {
  it('is refused with exit 2, naming the first finding and how to see the rest', () => {
    const data = dataDir();
    const result = add(data, 'bad-1', '--from', 'test/hub/hardware/fixtures/disagrees.yaml');
    expect(result.status).toBe(2);
    expect(result.stderr).toBe(
      'error: test/hub/hardware/fixtures/disagrees.yaml: driver.backend: board ok-board is driven by linux, not johnny-five (and 6 more: gridflex hardware check test/hub/hardware/fixtures/disagrees.yaml)\n',
    );
    expect(CredentialStore.open(data).list()).toEqual([]);
  });
});
