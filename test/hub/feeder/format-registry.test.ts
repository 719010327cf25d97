import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defineFeederFormat, FEEDER_FORMATS, loadFeeder } from '../../../hub/feeder/index.js';

/** The recipe of docs/architecture.md, "How to add a feeder format": a format that detects and reads. */
const linkFormat = defineFeederFormat({
  name: 'link',
  description: 'feeder.link (the path of another feeder folder)',
  detect: (dir) => {
    try {
      return readFileSync(join(dir, 'feeder.link'), 'utf8').length > 0;
    } catch {
      return false;
    }
  },
  read: (dir) => loadFeeder(resolve(readFileSync(join(dir, 'feeder.link'), 'utf8').trim())),
});

describe('feeder formats', () => {
  it('lists the IEEE and CIGRE formats, and a folder of neither names every format', () => {
    expect(FEEDER_FORMATS.map((format) => format.name)).toEqual(['ieee-eu-lv', 'cigre-lv']);
    const empty = mkdtempSync(join(tmpdir(), 'gridflex-feeder-'));
    expect(() => loadFeeder(empty)).toThrow(
      'not a feeder folder: expected Lines.csv (IEEE EU LV CSV format) or lines.csv + line_types.csv (CIGRE LV tables)',
    );
    expect(() => loadFeeder(empty, [...FEEDER_FORMATS, linkFormat])).toThrow(
      /or feeder\.link \(the path of another feeder folder\)$/,
    );
  });

  it('a format defined by defineFeederFormat reads its folders once it is in the list', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gridflex-feeder-'));
    writeFileSync(join(dir, 'feeder.link'), resolve('feeders/table-street'));
    const network = loadFeeder(dir, [...FEEDER_FORMATS, linkFormat]);
    expect(network.buses.length).toBe(loadFeeder('feeders/table-street').buses.length);
  });
});
