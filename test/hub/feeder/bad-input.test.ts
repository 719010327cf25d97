import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const IEEE_DIR = 'feeders/ieee-eu-lv/csv';

/** A copy of the IEEE feeder (without its 100 profiles' worth of unused files) that a test may break. */
function feederCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'gridflex-bad-'));
  cpSync(IEEE_DIR, dir, { recursive: true });
  return dir;
}

function editFile(file: string, edit: (text: string) => string): void {
  writeFileSync(file, edit(readFileSync(file, 'utf8')));
}

function powerflow(...args: string[]) {
  const out = join(mkdtempSync(join(tmpdir(), 'gridflex-out-')), 'out.csv');
  const run = spawnSync('node', ['dist/hub/cli.js', 'powerflow', ...args, '--out', out], {
    encoding: 'utf8',
  });
  return { status: run.status, stderr: run.stderr, stdout: run.stdout };
}

/** Exit code 2 and exactly one stderr line matching `pattern`, no stack trace. */
function expectBadInput(run: ReturnType<typeof powerflow>, pattern: RegExp): void {
  expect(run.status, run.stderr).toBe(2);
  const lines = run.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^error: /);
  expect(lines[0]).toMatch(pattern);
  expect(run.stderr).not.toMatch(/\n\s+at /);
}

describe('gridflex powerflow: bad input is a one-line error and exit code 2', () => {
  it('a number written other than as a decimal, a negative resistance, a source far from 1 pu, a name twice', () => {
    const cases: [file: string, from: string, to: string, pattern: RegExp][] = [
      [
        'Loads.csv',
        'LOAD1,1,34,A,0.23,1,wye,1,0.95',
        'LOAD1,1,34,A,0.23,1,wye,0x10,0.95',
        /Loads\.csv row \d+: column "kW" must be a number, found "0x10"/,
      ],
      [
        'LineCodes.csv',
        '2c_16,3,1.15,',
        '2c_16,3,-1.15,',
        /LineCodes\.csv row \d+: R1 and R0 must not be negative/,
      ],
      ['Source.csv', 'pu=1.05', 'pu=-1', /Source\.csv row \d+: pu must be in 0\.8\.\.1\.2, found -1/],
      [
        'LineCodes.csv',
        '2c_16,3,1.15,',
        '2c_.007,3,1.15,',
        /LineCodes\.csv row \d+: line code "2c_\.007" is defined twice \(first at LineCodes\.csv row \d+\)/,
      ],
      [
        'Loads.csv',
        'LOAD2,1,47,B',
        'LOAD1,1,47,B',
        /Loads\.csv row \d+: load "LOAD1" is defined twice \(first at Loads\.csv row \d+\)/,
      ],
      [
        'Loads.csv',
        'LOAD1,1,34,A,',
        'LOAD1,1,34,ABD,',
        /Loads\.csv row \d+: phases "ABD" must be one of A, B, C or ABC/,
      ],
    ];
    for (const [file, from, to, pattern] of cases) {
      const dir = feederCopy();
      editFile(join(dir, file), (text) => {
        expect(text).toContain(from);
        return text.replace(from, to);
      });
      expectBadInput(powerflow('--feeder', dir, '--minute', '1'), pattern);
    }
  });

  it('a missing file', () => {
    const dir = feederCopy();
    rmSync(join(dir, 'LineCodes.csv'));
    expectBadInput(powerflow('--feeder', dir, '--minute', '1'), /LineCodes\.csv: file not found/);
  });

  it('a missing feeder folder', () => {
    expectBadInput(
      powerflow('--feeder', '/nonexistent/feeder', '--minute', '1'),
      /\/nonexistent\/feeder: feeder folder not found/,
    );
  });

  it('an unknown line code', () => {
    const dir = feederCopy();
    editFile(join(dir, 'Lines.csv'), (text) =>
      text.replace('LINE2,2,3,ABC,0.11511,m,4c_70', 'LINE2,2,3,ABC,0.11511,m,4c_999'),
    );
    expectBadInput(
      powerflow('--feeder', dir, '--minute', '1'),
      /Lines\.csv row 4: unknown line code "4c_999"/,
    );
  });

  it('a loop', () => {
    const dir = feederCopy();
    editFile(join(dir, 'Lines.csv'), (text) => `${text.trimEnd()}\nLINE906,5,40,ABC,3,m,4c_70\n`);
    expectBadInput(
      powerflow('--feeder', dir, '--minute', '1'),
      /Lines\.csv row 908: line LINE906 closes a loop/,
    );
  });

  it('a bus not connected to the source', () => {
    const dir = feederCopy();
    editFile(join(dir, 'Lines.csv'), (text) => `${text.trimEnd()}\nLINE906,island1,island2,ABC,3,m,4c_70\n`);
    expectBadInput(
      powerflow('--feeder', dir, '--minute', '1'),
      /bus "island1" is not connected to the source/,
    );
  });

  it('a non-numeric cell', () => {
    const dir = feederCopy();
    editFile(join(dir, 'Lines.csv'), (text) =>
      text.replace('LINE2,2,3,ABC,0.11511,m', 'LINE2,2,3,ABC,abc,m'),
    );
    expectBadInput(
      powerflow('--feeder', dir, '--minute', '1'),
      /Lines\.csv row 4: column "Length" must be a number, found "abc"/,
    );
  });

  it('a load on an unknown bus', () => {
    const dir = feederCopy();
    editFile(join(dir, 'Loads.csv'), (text) => text.replace('LOAD1,1,34,A', 'LOAD1,1,9999,A'));
    expectBadInput(
      powerflow('--feeder', dir, '--minute', '1'),
      /Loads\.csv row 4: load LOAD1 is on unknown bus "9999"/,
    );
  });

  it('an unknown load name in LOADS.csv', () => {
    const loads = join(mkdtempSync(join(tmpdir(), 'gridflex-loads-')), 'loads.csv');
    writeFileSync(loads, 'name,p_kw,q_kvar\nLOAD1,1,0.3\nLOAD77,2,0.5\n');
    expectBadInput(
      powerflow('--feeder', IEEE_DIR, '--loads', loads),
      /loads\.csv row 3: unknown load "LOAD77"/,
    );
  });

  it('a LOADS.csv without the required header', () => {
    const loads = join(mkdtempSync(join(tmpdir(), 'gridflex-loads-')), 'loads.csv');
    writeFileSync(loads, 'load,kw\nLOAD1,1\n');
    expectBadInput(powerflow('--feeder', IEEE_DIR, '--loads', loads), /missing column "name"/);
  });

  it('a minute outside the profiles, and conflicting flags', () => {
    expectBadInput(
      powerflow('--feeder', IEEE_DIR, '--minute', '1441'),
      /--minute: must be an integer in 1\.\.1440, found "1441"/,
    );
    expectBadInput(
      powerflow('--feeder', IEEE_DIR, '--minute', '5', '--day'),
      /exactly one of --minute K, --loads FILE or --day/,
    );
  });

  it('a line rating for an unknown line code, and a feeder without profiles asked for a minute', () => {
    const dir = feederCopy();
    editFile(join(dir, 'LineRatings.csv'), (text) => `${text.trimEnd()}\n4c_999,100\n`);
    expectBadInput(
      powerflow('--feeder', dir, '--minute', '1'),
      /LineRatings\.csv row \d+: unknown line code "4c_999"/,
    );
    expectBadInput(
      powerflow('--feeder', 'feeders/cigre-lv', '--minute', '1'),
      /this feeder has no load profiles; use --loads FILE instead/,
    );
  });

  it('exits 1 with the step and worst bus named when the power flow does not converge', () => {
    const loads = join(mkdtempSync(join(tmpdir(), 'gridflex-loads-')), 'loads.csv');
    writeFileSync(loads, 'name,p_kw,q_kvar\nLOAD53,900,300\n');
    const run = powerflow('--feeder', IEEE_DIR, '--loads', loads);
    expect(run.status).toBe(1);
    expect(run.stderr.trim()).toMatch(
      /^error: power flow did not converge at loads from .*loads\.csv after \d+ iterations: worst bus \S+ phase [ABC]/,
    );
  });

  it('--loads needs no load shapes: absent ones are no error; --minute still names what is missing', () => {
    const dir = feederCopy();
    rmSync(join(dir, 'LoadShapes.csv'));
    rmSync(join(dir, 'Load_Profiles'), { recursive: true, force: true });
    const loads = join(mkdtempSync(join(tmpdir(), 'gridflex-loads-')), 'loads.csv');
    writeFileSync(loads, 'name,p_kw,q_kvar\nLOAD53,5,1.6\n');
    const run = powerflow('--feeder', dir, '--loads', loads);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout.trim().split('\n').at(-1) as string).converged).toBe(true);
    expectBadInput(
      powerflow('--feeder', dir, '--minute', '1'),
      /LoadShapes\.csv: file not found, but load LOAD1 names shape "/,
    );
  });

  it('loads LOADS.csv with only some loads listed (the rest draw nothing)', () => {
    const loads = join(mkdtempSync(join(tmpdir(), 'gridflex-loads-')), 'loads.csv');
    writeFileSync(loads, 'name,p_kw,q_kvar\nLOAD53,5,1.6\n');
    const run = powerflow('--feeder', IEEE_DIR, '--loads', loads);
    expect(run.status).toBe(0);
    const summary = JSON.parse(run.stdout.trim().split('\n').at(-1) as string);
    expect(summary.substation_p_kw.A).toBeCloseTo(0, 9);
    expect(summary.substation_p_kw.B).toBeGreaterThan(5);
    expect(summary.substation_p_kw.B).toBeLessThan(5.1);
  });
});
