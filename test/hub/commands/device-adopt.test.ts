import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CredentialStore } from '../../../hub/auth/credentials.js';
import { tempDir } from '../mqtt-helpers.js';

const CLI = 'dist/hub/cli.js';
const data = tempDir('gridflex-adopt-');
const adopt = (...args: string[]) =>
  spawnSync(process.execPath, [CLI, 'device', 'adopt', ...args, '--data-dir', data.dir], {
    encoding: 'utf8',
  });

afterAll(() => data.remove());

describe('gridflex device adopt', () => {
  it('keeps the adoption in the data dir and gives the device a login once', () => {
    const first = adopt('home-battery', '--plot', 'plot-3', '--power', 'meter/active-power');
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toMatch(
      /adopted home-battery on plot-3: meter\/active-power drives the home's demand \(read-only\)/,
    );
    expect(first.stdout).toMatch(/password: \S+/);
    expect(CredentialStore.open(data.dir).get('home-battery')?.role).toEqual({
      role: 'device',
      deviceId: 'home-battery',
    });
    const saved = JSON.parse(readFileSync(join(data.dir, 'adoptions.json'), 'utf8'));
    expect(saved.adoptions).toEqual([
      {
        device: 'home-battery',
        plot: 'plot-3',
        power: 'meter/active-power',
        control: false,
        adoptedAt: expect.any(String),
      },
    ]);

    const again = adopt('home-battery', '--plot', 'plot-5', '--grant-control', '--force');
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout).not.toMatch(/password/);
    const replaced = JSON.parse(readFileSync(join(data.dir, 'adoptions.json'), 'utf8'));
    expect(replaced.adoptions).toEqual([
      { device: 'home-battery', plot: 'plot-5', control: true, adoptedAt: expect.any(String) },
    ]);
  });

  it('is forgotten when the device is removed', () => {
    expect(adopt('gw-2', '--plot', 'plot-1').status).toBe(0);
    const removed = spawnSync(process.execPath, [CLI, 'device', 'remove', 'gw-2', '--data-dir', data.dir], {
      encoding: 'utf8',
    });
    expect(removed.status, removed.stderr).toBe(0);
    const saved = JSON.parse(readFileSync(join(data.dir, 'adoptions.json'), 'utf8'));
    expect(saved.adoptions.map((entry: { device: string }) => entry.device)).toEqual(['home-battery']);
  });

  it.each([
    [['Bad_ID', '--plot', 'plot-1'], /<homie-id>: "Bad_ID" must be lower-case/],
    [['gw-1'], /--plot: give the plot/],
    [['gw-1', '--plot', 'plot-99'], /--plot: "plot-99" is not a plot of .*\(plot-1, /],
    [
      ['gw-1', '--plot', 'plot-1', '--power', 'active-power'],
      /--power: "active-power" is not <node>\/<property>/,
    ],
    [['gw-1', '--plot', 'plot-5'], /--plot: home-battery is already adopted on plot-5 .*add --force/],
    [['gw-1', '--plot', 'plot-1', '--scenario', 'no-such.yaml'], /--scenario: no-such\.yaml: file not found/],
  ])('refuses %j with an error naming the argument', (args, message) => {
    const result = adopt(...args);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(message);
  });
});
