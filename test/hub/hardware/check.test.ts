import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const CLI = 'dist/hub/cli.js';
const FIXTURES = 'test/hub/hardware/fixtures';
const check = (...files: string[]) =>
  spawnSync(process.execPath, [CLI, 'hardware', 'check', ...files], { encoding: 'utf8' });
const lines = (stdout: string) => stdout.split('\n').filter((line) => line.length > 0);

describe('gridflex hardware check', () => {
  it('finds every shipped board and config in hardware/ clean (exit 0)', () => {
    const result = check();
    expect(result.stdout).toBe('');
    expect(result.status, result.stderr).toBe(0);
    // Three pinouts, three configs naming them, and the simulated board.
    expect(result.stderr).toMatch(/^checked 7 files: 0 findings, 0 unreadable/);
  });

  it('passes the clean fixture and the config that names it', () => {
    const result = check(`${FIXTURES}/ok.yaml`);
    expect(result.status, result.stdout).toBe(0);
    expect(result.stderr).toMatch(/checked 2 files/);
  });

  it('catches a pin used twice', () => {
    const result = check(`${FIXTURES}/pin-twice.pinout.yaml`);
    expect(result.status).toBe(1);
    expect(lines(result.stdout)).toEqual([
      `${FIXTURES}/pin-twice.pinout.yaml: wiring.3.pin: pin GPIO5 is used twice: already wiring.2 (led-a)`,
    ]);
  });

  it('catches an I2C address clash', () => {
    const result = check(`${FIXTURES}/i2c-clash.pinout.yaml`);
    expect(result.status).toBe(1);
    expect(lines(result.stdout)).toEqual([
      `${FIXTURES}/i2c-clash.pinout.yaml: parts.1.i2c.address: I2C address 0x48 clashes with parts.0 (adc): two parts on one bus need different addresses`,
    ]);
  });

  it('catches a 5 V signal into a 3.3 V pin (a module powered from 5 V pulls the I2C bus up to 5 V)', () => {
    const result = check(`${FIXTURES}/five-volt.pinout.yaml`);
    expect(result.status).toBe(1);
    expect(lines(result.stdout)).toEqual([
      `${FIXTURES}/five-volt.pinout.yaml: wiring.0.pin: 5 V signal into GPIO2, which takes at most 3.3 V: power the part from the 3.3 V rail or add a level shifter`,
      `${FIXTURES}/five-volt.pinout.yaml: wiring.1.pin: 5 V signal into GPIO3, which takes at most 3.3 V: power the part from the 3.3 V rail or add a level shifter`,
    ]);
  });

  it('catches a pin over its current limit and a board over its supply', () => {
    const result = check(`${FIXTURES}/over-budget.pinout.yaml`);
    expect(result.status).toBe(1);
    // 100 mA board + 151 mA parts + 27.7 + 3.9 + 3.9 mA pins = 286.5 mA.
    expect(lines(result.stdout)).toEqual([
      `${FIXTURES}/over-budget.pinout.yaml: wiring.3.currentMa: 27.7 mA through GPIO6 is over its 16 mA limit: use a larger resistor or a transistor`,
      `${FIXTURES}/over-budget.pinout.yaml: supply.maxMa: board 100 + parts + pins = 286.5 mA, over the supply's 200 mA (USB)`,
    ]);
  });

  it('catches a device config that disagrees with its board, one line per path', () => {
    const result = check(`${FIXTURES}/disagrees.yaml`);
    expect(result.status).toBe(1);
    const file = `${FIXTURES}/disagrees.yaml`;
    expect(lines(result.stdout)).toEqual([
      `${file}: driver.backend: board ok-board is driven by linux, not johnny-five`,
      `${file}: nodes.0.sensor.channel: no ADC channel named "sunshine" on board ok-board`,
      `${file}: nodes.1.light.pin: led-a (GPIO5) is wired as digital-out on board ok-board, not pwm`,
      `${file}: nodes.2.ledPins.1: "led-c" is not wired on board ok-board (digital-out pins: led-a, led-b)`,
      `${file}: nodes.2.ledPins.2: 13 is not wired on board ok-board (digital-out pins: led-a, led-b)`,
      `${file}: nodes.2.ledPins.3: led-b (GPIO6) is used twice: already nodes.2.ledPins.0`,
      `${file}: nodes.3.reader.address: no PN532 at 0x25 on board ok-board`,
    ]);
  });

  it('reports findings of several files together, each file once', () => {
    const result = check(
      `${FIXTURES}/ok.yaml`,
      `${FIXTURES}/ok.pinout.yaml`,
      `${FIXTURES}/pin-twice.pinout.yaml`,
    );
    expect(result.status).toBe(1);
    expect(lines(result.stdout)).toHaveLength(1);
    expect(result.stderr).toMatch(/checked 3 files: 1 findings, 0 unreadable/);
  });

  it('exits 2 for unreadable input: missing file, bad YAML, a pinout the schema rejects, neither kind', () => {
    const missing = check(`${FIXTURES}/no-such.yaml`);
    expect(missing.status).toBe(2);
    expect(missing.stdout).toContain(`${FIXTURES}/no-such.yaml: (top level): hardware file not found`);

    const badYaml = check(`${FIXTURES}/bad-yaml.pinout.yaml`);
    expect(badYaml.status).toBe(2);
    expect(badYaml.stdout).toMatch(/bad-yaml\.pinout\.yaml:2: \(top level\): not valid YAML/);

    const badSchema = check(`${FIXTURES}/bad-schema.pinout.yaml`);
    expect(badSchema.status).toBe(2);
    expect(lines(badSchema.stdout)).toEqual([
      `${FIXTURES}/bad-schema.pinout.yaml: pins.0.maxVolts: Invalid input: expected number, received undefined`,
      `${FIXTURES}/bad-schema.pinout.yaml: pins.0: Unrecognized key: "colour"`,
    ]);

    const neither = check('scenarios/table-map.yaml');
    expect(neither.status).toBe(2);
    expect(neither.stdout).toContain(
      'neither a board pinout (has `pins`) nor a device config (has `deviceId`)',
    );
  });
});

describe('gridflex hardware check FOLDER', () => {
  it('checks every YAML file in a folder', () => {
    const result = check('hardware/boards');
    expect(result.status, result.stdout).toBe(0);
    expect(result.stderr).toMatch(/^checked 7 files: 0 findings, 0 unreadable/);
  });
});
