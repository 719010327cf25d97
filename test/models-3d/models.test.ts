import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Renders the real parts with OpenSCAD (make) and checks the real meshes with admesh (check-stl.js).
const MODELS = 'models-3d';
const CHECKER = join(MODELS, 'check-stl.js');

interface PartRow {
  part: string;
  size: string;
  xMm: number;
  yMm: number;
  zMm: number;
  clean: boolean;
}

function run(command: string, args: string[]) {
  return spawnSync(command, args, { encoding: 'utf8' });
}

function readPartsCsv(file: string): Map<string, PartRow> {
  const [header, ...lines] = readFileSync(file, 'utf8').trim().split('\n');
  expect(header).toBe('part,x_mm,y_mm,z_mm,volume_cm3,facets,clean_and_fits');
  const rows = new Map<string, PartRow>();
  for (const line of lines) {
    const [part = '', x = '', y = '', z = '', , , clean] = line.split(',');
    rows.set(part, {
      part,
      size: `${x} x ${y} x ${z}`,
      xMm: Number(x),
      yMm: Number(y),
      zMm: Number(z),
      clean: clean === 'yes',
    });
  }
  return rows;
}

describe('3D-printable table parts (models-3d)', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'gridflex-models-'));
  const csv = join(scratch, 'parts.csv');
  let make: ReturnType<typeof run>;
  let check: ReturnType<typeof run>;
  let parts: string[];
  let measured: Map<string, PartRow>;

  beforeAll(() => {
    make = run('make', ['-C', MODELS, '-j2']);
    parts = run('make', ['-s', '-C', MODELS, 'list']).stdout.trim().split(/\s+/);
    check = run('node', [CHECKER, join(MODELS, 'stl'), '--csv', csv]);
    measured = existsSync(csv) ? readPartsCsv(csv) : new Map();
  }, 300_000);
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('renders every part to STL with one make command', () => {
    expect(make.status, make.stderr).toBe(0);
    expect(parts).toContain('street-tile');
    expect(parts.length).toBeGreaterThanOrEqual(12);
    for (const part of parts) expect(existsSync(join(MODELS, 'stl', `${part}.stl`)), part).toBe(true);
  });

  it('every mesh is clean and closed (admesh) and fits a 220 x 220 x 250 mm bed', () => {
    expect(check.status, check.stdout + check.stderr).toBe(0);
    for (const part of parts) {
      const row = measured.get(part);
      expect(row?.clean, `${part} in ${check.stdout}`).toBe(true);
    }
  });

  it('the committed parts.csv and PARTS.md give the sizes measured now', () => {
    const committed = readPartsCsv(join(MODELS, 'parts.csv'));
    const partsList = readFileSync(join(MODELS, 'PARTS.md'), 'utf8');
    for (const part of parts) {
      const now = measured.get(part);
      expect(now, part).toBeDefined();
      expect(committed.get(part), `${part}: run make -C models-3d check`).toEqual(now);
      const listed = partsList.split('\n').find((line) => line.startsWith(`| ${part} `));
      expect(listed, `${part} has a row in PARTS.md`).toBeDefined();
      expect(listed).toContain(now?.size);
    }
  });

  it('tiles join on the grid and interchangeable variants share their outside', () => {
    const row = (part: string) => {
      const found = measured.get(part);
      if (!found) throw new Error(`${part} not measured`);
      return found;
    };
    // 100 mm grid pitch plus the 6 mm dovetail tabs on the east and north edges.
    for (const tile of ['street-tile', 'house-plot-pn532', 'house-plot-rc522', 'substation']) {
      expect([row(tile).xMm, row(tile).yMm], tile).toEqual([106, 106]);
    }
    // Street tiles and substation carry the feeder channel's slot at the same height.
    expect(row('street-tile').zMm).toBe(8.5);
    // Every strip width fits the same slot; every tag fits the same cradle footprint.
    const channels = ['feeder-channel-8', 'feeder-channel-10', 'feeder-channel-12'].map((p) => row(p).size);
    expect(new Set(channels).size).toBe(1);
    expect(row('ev-cradle-coin30').xMm).toBe(row('ev-cradle-sticker25').xMm);
    expect(row('ev-cradle-coin30').yMm).toBe(row('ev-cradle-sticker25').yMm);
    // A bigger cell gives a bigger holder.
    expect(row('pv-holder-80x55').xMm).toBeGreaterThan(row('pv-holder-53x30').xMm);
  });

  it('neighbouring parts fit together without overlapping (tabs in sockets, channels in slots)', () => {
    const fit = run('make', ['-s', '-C', MODELS, 'fit']);
    expect(fit.status, fit.stdout + fit.stderr).toBe(0);
    const fits = fit.stdout.trim().split('\n');
    expect(fits.length).toBeGreaterThanOrEqual(10);
    for (const line of fits) expect(line).toMatch(/^[a-z0-9-]+: fits$/);
    expect(fits).toContain('street-plot-north: fits');
    expect(fits).toContain('street-channel-12: fits');
  }, 120_000);

  it('the fit check reports a tile pushed 1 mm into its neighbour', () => {
    const fit = run('make', ['-s', '-C', MODELS, 'fit', 'FITS=street-street', 'FIT_FLAGS=-D nudge=[-1,0,0]']);
    expect(fit.status).not.toBe(0);
    expect(fit.stdout).toContain('street-street: OVERLAP, see stl/fit/street-street.stl');
  });

  it('the checker rejects an open mesh, a mesh in two pieces and a part too big for the bed', () => {
    const bad = join(scratch, 'bad');
    mkdirSync(bad);
    // An open mesh: a rendered part with one facet removed.
    const channel = readFileSync(join(MODELS, 'stl', 'feeder-channel-10.stl'), 'utf8');
    const firstFacet = channel.indexOf('facet normal');
    const secondFacet = channel.indexOf('facet normal', firstFacet + 1);
    writeFileSync(join(bad, 'open.stl'), channel.slice(0, firstFacet) + channel.slice(secondFacet));
    const scad = join(scratch, 'shapes.scad');
    writeFileSync(
      scad,
      'if (shape == "two") { cube(10); translate([20, 0, 0]) cube(10); } else cube([230, 10, 10]);',
    );
    for (const shape of ['two', 'big']) {
      const render = run('openscad', ['-q', '-D', `shape="${shape}"`, '-o', join(bad, `${shape}.stl`), scad]);
      expect(render.status, render.stderr).toBe(0);
    }
    const check = run('node', [CHECKER, bad]);
    expect(check.status).toBe(1);
    const lineOf = (part: string) =>
      check.stdout.split('\n').find((line) => line.startsWith(`${part} `)) ?? '';
    expect(lineOf('open')).toMatch(/FAIL: .*open edges \(not manifold\)/);
    expect(lineOf('two')).toMatch(/FAIL: 2 parts \(expected 1\)/);
    expect(lineOf('big')).toMatch(/FAIL: 230\.0 x 10\.0 x 10\.0 mm does not fit/);
    expect(check.stdout).toContain('0 of 3 parts clean and fit the bed');
  });
});
