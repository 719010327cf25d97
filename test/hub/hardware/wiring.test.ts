import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { wiringFileFor } from '../../../hub/commands/hardware.js';
import { wiringSvg } from '../../../hub/hardware/wiring-svg.js';
import { parseBoardPinout } from '../../../protocol/board-pinout.js';

const BOARDS = 'hardware/boards';
const pinouts = readdirSync(BOARDS).filter((name) => name.endsWith('.pinout.yaml'));
const scratch = mkdtempSync(join(tmpdir(), 'gridflex-wiring-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('wiring drawings', () => {
  it('ships a pinout per board kind: Raspberry Pi, Arduino with Firmata, ESP32 with line-JSON', () => {
    const backends = pinouts.map((name) => parse(readFileSync(join(BOARDS, name), 'utf8')).backend);
    expect(backends.sort()).toEqual(['johnny-five', 'linux', 'serial-json']);
  });

  it.each(pinouts)(
    'the committed drawing of %s is current (regenerate: gridflex hardware wiring FILE)',
    (name) => {
      const file = join(BOARDS, name);
      const { pinout } = parseBoardPinout(parse(readFileSync(file, 'utf8')));
      if (pinout === undefined) throw new Error(`${file} is not a valid pinout`);
      const svg = wiringSvg(pinout);
      expect(readFileSync(wiringFileFor(file), 'utf8')).toBe(svg);
      // Every wired pin's name and every part are drawn.
      for (const wiring of pinout.wiring) expect(svg).toContain(`${wiring.name} [${wiring.use}`);
      for (const part of pinout.parts) expect(svg).toContain(`${part.id}: `);
    },
  );

  it('writes the same drawing through the CLI with --out', () => {
    const out = join(scratch, 'pi.svg');
    const file = join(BOARDS, 'pi-zero-table-house.pinout.yaml');
    const result = spawnSync(
      process.execPath,
      ['dist/hub/cli.js', 'hardware', 'wiring', file, '--out', out],
      {
        encoding: 'utf8',
      },
    );
    expect(result.status, result.stderr).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(readFileSync(wiringFileFor(file), 'utf8'));
  });

  it('refuses a file that is not a valid pinout with exit 2, naming the file and path', () => {
    const result = spawnSync(
      process.execPath,
      [
        'dist/hub/cli.js',
        'hardware',
        'wiring',
        'test/hub/hardware/fixtures/bad-schema.pinout.yaml',
        '--out',
        '-',
      ],
      { encoding: 'utf8' },
    );
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(
      'error: test/hub/hardware/fixtures/bad-schema.pinout.yaml: pins.0.maxVolts: Invalid input: expected number',
    );
  });
});
