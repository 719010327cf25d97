import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadDeviceConfig } from '../../../devices/config.js';
import { CredentialStore } from '../../../hub/auth/credentials.js';
import { tempDir } from '../mqtt-helpers.js';

const CLI = 'dist/hub/cli.js';
const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });

describe('gridflex device add', () => {
  it('registers each kind and writes a config the device agent accepts, with working credentials', async () => {
    const data = tempDir('gridflex-device-');
    try {
      for (const [id, kind, driver] of [
        ['pv-1', 'pv', 'sim'],
        ['hp-1', 'heat-pump', 'linux'],
        ['bat-1', 'battery', 'johnny-five'],
        ['meter-1', 'meter', 'linux'],
        ['pad-1', 'ev-pad', 'linux'],
      ] as const) {
        const result = run(
          'device',
          'add',
          id,
          '--kind',
          kind,
          '--plot',
          'plot-2',
          '--data-dir',
          data.dir,
          '--broker-url',
          'mqtt://127.0.0.1:1883',
          '--driver',
          driver,
          '--tag',
          '04:a1:b2:c3=ev-1',
        );
        expect(result.status, result.stderr).toBe(0);
        const file = result.stdout.trim();
        expect(file).toBe(`${data.dir}/devices/${id}.yaml`);
        expect(statSync(file).mode & 0o777).toBe(0o600);
        const config = loadDeviceConfig(file);
        expect(config).toMatchObject({
          deviceId: id,
          broker: { url: 'mqtt://127.0.0.1:1883', username: id },
        });
        expect(config.driver.backend).toBe(driver);
        expect(config.nodes.map((node) => node.kind)).toContain(kind);
        const store = CredentialStore.open(data.dir);
        expect((await store.verify(id, config.broker.password ?? ''))?.role).toEqual({
          role: 'device',
          deviceId: id,
        });
      }
      expect(readFileSync(`${data.dir}/devices/pad-1.yaml`, 'utf8')).toContain('04A1B2C3: ev-1');
      // Without --plot a board has no plot node: the table map or an operator places it.
      const unplaced = run('device', 'add', 'pv-2', '--kind', 'pv', '--data-dir', data.dir);
      expect(unplaced.status, unplaced.stderr).toBe(0);
      expect(loadDeviceConfig(unplaced.stdout.trim()).nodes.map((node) => node.kind)).toEqual(['pv']);
      expect(run('device', 'list', '--data-dir', data.dir).stdout).toContain('pad-1\tdevice:pad-1');
    } finally {
      data.remove();
    }
  });

  it('refuses bad input with exit code 2 and says what and where', () => {
    const data = tempDir('gridflex-device-bad-');
    try {
      const cases: [string[], RegExp][] = [
        [
          ['device', 'add', 'Bad_ID', '--kind', 'pv', '--plot', 'plot-1'],
          /<id>: "Bad_ID" must be lower-case/,
        ],
        [['device', 'add', 'pv-1', '--kind', 'wind', '--plot', 'plot-1'], /--kind: "wind" is not one of/],
        [['device', 'add', 'pad-1', '--kind', 'ev-pad'], /--plot: an EV pad needs the plot/],
        [
          ['device', 'add', 'pv-1', '--kind', 'pv', '--plot', 'plot-99'],
          /--plot: "plot-99" is not a plot of/,
        ],
        [
          ['device', 'add', 'pad-1', '--kind', 'ev-pad', '--plot', 'plot-1', '--driver', 'johnny-five'],
          /--driver: an EV pad needs/,
        ],
        [
          ['device', 'add', 'pv-1', '--kind', 'pv', '--plot', 'plot-1', '--broker-url', 'http://x'],
          /--broker-url/,
        ],
        [['user', 'add', 'alice', '--role', 'king'], /--role: unknown role "king"/],
        [['hub', '--mqtt-port', '99999'], /--mqtt-port: "99999" is not a port number/],
        [['hub', '--scenario', 'nope.yaml'], /--scenario: nope\.yaml: file not found/],
        [['hub', '--scenario', 'scenarios/table.yaml'], /--scenario: .*without a table: section/],
      ];
      for (const [args, message] of cases) {
        const result = run(...args, '--data-dir', data.dir);
        expect(result.status, args.join(' ')).toBe(2);
        expect(result.stderr).toMatch(message);
      }
    } finally {
      data.remove();
    }
  });

  it('keeps an external Mosquitto’s passwd and acl in step once mosquitto-config wrote them', () => {
    const data = tempDir('gridflex-mosq-files-');
    try {
      expect(
        run('mosquitto-config', '--data-dir', data.dir, '--port', '1884', '--host', '127.0.0.1').status,
      ).toBe(0);
      const added = run('device', 'add', 'pv-5', '--kind', 'pv', '--plot', 'plot-5', '--data-dir', data.dir);
      expect(added.stderr).toMatch(/SIGHUP/);
      expect(readFileSync(`${data.dir}/mosquitto/passwd`, 'utf8')).toMatch(/^pv-5:\$7\$101\$/m);
      expect(readFileSync(`${data.dir}/mosquitto/acl`, 'utf8')).toContain(
        'user pv-5\ntopic readwrite homie/5/pv-5/#',
      );
      expect(readFileSync(`${data.dir}/mosquitto/mosquitto.conf`, 'utf8')).toContain(
        'listener 1884 127.0.0.1',
      );
    } finally {
      data.remove();
    }
  });

  it.each(['abc', '0', '99999999'])(
    'mosquitto-config refuses --max-connections %s, naming the flag',
    (value) => {
      const data = tempDir('gridflex-mosq-bad-');
      try {
        const result = run('mosquitto-config', '--data-dir', data.dir, '--max-connections', value);
        expect(result.status).toBe(2);
        expect(result.stderr.trim()).toBe(
          `error: --max-connections: "${value}" is not a whole number between 1 and 1000000`,
        );
      } finally {
        data.remove();
      }
    },
  );

  it('gives a workshop role its password once', () => {
    const data = tempDir('gridflex-user-');
    try {
      const result = run('user', 'add', 'octopus', '--role', 'supplier:octopus', '--data-dir', data.dir);
      expect(result.status, result.stderr).toBe(0);
      expect(result.stdout).toMatch(/role: supplier:octopus\npassword: \S{20,}/);
    } finally {
      data.remove();
    }
  });
});
