import { existsSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const read = (file: string) => readFileSync(file, 'utf8');

/** The shell block of docs/devices.md's "Raspberry Pi install" section. */
function piInstallBlock(): string {
  const text = read('docs/devices.md');
  const section = text.slice(text.indexOf('## Raspberry Pi install'));
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1];
  if (block === undefined) throw new Error('docs/devices.md: no shell block under "Raspberry Pi install"');
  return block;
}

describe('one Raspberry Pi install procedure (docs/devices.md), which the README and the makers guide follow', () => {
  it('the README and the makers guide link to it and carry no install commands of their own', () => {
    for (const [file, link] of [
      ['README.md', 'docs/devices.md#raspberry-pi-install'],
      ['docs/makers-guide.md', 'devices.md#raspberry-pi-install'],
    ] as const) {
      const text = read(file);
      expect(text, file).toContain(`(${link})`);
      for (const own of ['systemctl enable', 'useradd', 'npm install --omit=dev', 'raspi-config']) {
        expect(text.includes(own), `${file} has its own "${own}"`).toBe(false);
      }
    }
  });

  it('the files it installs exist, and the config finds its pinout and password file where it puts them', () => {
    const block = piInstallBlock();
    const installed = [...block.matchAll(/sudo install -m \d+ (?:-g \S+ )?(\S+) (\S+)/g)]
      .map((match) => [match[1] as string, match[2] as string] as const)
      .filter(([from]) => from !== '/dev/stdin');
    expect(installed.length).toBeGreaterThanOrEqual(3);
    for (const [from] of installed) expect(existsSync(from), from).toBe(true);
    const config = installed.find(([from]) => from.endsWith('pi-zero-table-house.yaml'));
    expect(config?.[1]).toBe('/etc/gridflex/house-7.yaml');
    const shipped = parse(read(config?.[0] as string)) as { board: string; broker: { passwordFile: string } };
    const pinout = installed.find(([from]) => basename(from) === shipped.board);
    expect(pinout?.[1]).toBe('/etc/gridflex/');
    expect(block).toContain(`/dev/stdin ${shipped.broker.passwordFile}`);
    expect(block).toContain('devices/systemd/gridflex-device@.service /etc/systemd/system/');
    expect(read('devices/systemd/gridflex-device@.service')).toContain('--config /etc/gridflex/%i.yaml');
  });
});
