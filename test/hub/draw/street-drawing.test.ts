import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { networkToDrawing, readProfileSource, writeDrawing } from '../../../hub/draw/feeder-files.js';
import {
  drawingProblems,
  type StreetDrawing,
  StreetDrawingSchema,
  solveDrawing,
} from '../../../hub/draw/street-drawing.js';
import { type FeederNetwork, loadFeeder } from '../../../hub/feeder/index.js';
import { checkMapAgainstFeeder, loadTableMap } from '../../../hub/table/map-config.js';
import { tempDir } from '../mqtt-helpers.js';

const temp = tempDir('gridflex-draw-');
afterAll(() => temp.remove());

const SHIPPED = resolve('feeders/table-street');

/** What makes two feeders the same street electrically: everything but names of loads and file origins. */
function essence(network: FeederNetwork) {
  const round = (value: number) => Number(value.toPrecision(9));
  return {
    source: {
      kvLl: network.source.kvLl,
      voltagePu: network.source.voltagePu,
      z1: [round(network.source.z1Ohm.re), round(network.source.z1Ohm.im)],
    },
    transformers: network.transformers.map(({ origin: _origin, ...rest }) => rest),
    buses: network.buses,
    lineCodes: [...network.lineCodes.values()].map(({ origin: _origin, ...rest }) => rest),
    lines: network.lines.map(({ origin: _origin, ...rest }) => ({ ...rest, lengthKm: round(rest.lengthKm) })),
    loads: network.loads.map((load) => [
      load.bus,
      load.phases,
      load.model,
      load.pKw,
      round(load.qKvar),
      load.profile,
    ]),
    profiles: [...network.profiles.entries()].map(([name, profile]) => [
      name,
      [...profile.values],
      profile.isActualKw,
    ]),
  };
}

/** A small drawn street: substation at s, a main s–j1–j2, two homes on j1 and j2's plots. */
function drawn(overrides: Partial<StreetDrawing> = {}): StreetDrawing {
  return StreetDrawingSchema.parse({
    name: 'our-street',
    substation: { node: 's', ratedKva: 50 },
    lineCodes: [
      {
        name: 'main',
        r1OhmPerKm: 0.322,
        x1OhmPerKm: 0.074,
        r0OhmPerKm: 0.804,
        x0OhmPerKm: 0.093,
        ampacityAmps: 185,
      },
      { name: 'thin', r1OhmPerKm: 3.1, x1OhmPerKm: 0.09, r0OhmPerKm: 3.5, x0OhmPerKm: 0.1, ampacityAmps: 20 },
    ],
    nodes: [
      { id: 's', xM: 0, yM: 0 },
      { id: 'j1', xM: 30, yM: 0, homes: [{ home: 'home-1', phase: 'A' }] },
      { id: 'j2', xM: 60, yM: 0, homes: [{ home: 'home-2', phase: 'B' }] },
    ],
    cables: [
      { id: 'c1', from: 's', to: 'j1', lineCode: 'main' },
      { id: 'c2', from: 'j1', to: 'j2', lineCode: 'main' },
    ],
    ...overrides,
  });
}

describe('a drawn street', () => {
  it('round-trips a shipped feeder: load → drawing → save gives the same feeder, and its map loads', () => {
    const map = loadTableMap(resolve('scenarios/table-map.yaml'));
    const original = loadFeeder(SHIPPED);
    const drawing = networkToDrawing(original, map);
    // What the page gets is what the API takes back.
    expect(StreetDrawingSchema.parse(JSON.parse(JSON.stringify(drawing)))).toEqual(drawing);
    expect(drawingProblems(drawing)).toEqual([]);
    const dir = join(temp.dir, 'round-trip');
    writeDrawing(drawing, dir, readProfileSource(SHIPPED));
    const saved = loadFeeder(dir);
    expect(essence(saved)).toEqual(essence(original));
    const savedMap = loadTableMap(join(dir, 'table-map.yaml'));
    checkMapAgainstFeeder(savedMap, saved);
    expect(savedMap.plots.map((plot) => [plot.home, plot.bus, plot.phase])).toEqual(
      map.plots.map((plot) => [plot.home, plot.bus, plot.phase]),
    );
    // And once more: the saved folder read back into a drawing is the same drawing.
    expect(networkToDrawing(saved, savedMap)).toEqual({ ...drawing, name: 'round-trip' });
  });

  it('round-trips the 55-home IEEE EU LV feeder with its table map', () => {
    const dirIeee = resolve('feeders/ieee-eu-lv/csv');
    const map = loadTableMap(resolve('scenarios/table-map-ieee.yaml'));
    const original = loadFeeder(dirIeee);
    const drawing = networkToDrawing(original, map);
    // What the page gets is what the API takes back.
    expect(StreetDrawingSchema.parse(JSON.parse(JSON.stringify(drawing)))).toEqual(drawing);
    expect(drawingProblems(drawing)).toEqual([]);
    const dir = join(temp.dir, 'ieee');
    writeDrawing(drawing, dir, readProfileSource(dirIeee));
    const saved = loadFeeder(dir);
    // The map's 55 homes are the feeder's 55 loads, so nothing is lost.
    expect(essence(saved)).toEqual(essence(original));
    checkMapAgainstFeeder(loadTableMap(join(dir, 'table-map.yaml')), saved);
  });

  it('solves at the design load and says in words when a cable is over its rating', () => {
    const fine = solveDrawing(drawn(), 2);
    expect(fine.converged).toBe(true);
    expect(fine.warnings).toEqual([]);
    expect(fine.nodes.map((node) => node.id)).toEqual(['s', 'j1', 'j2']);
    const weak = drawn();
    weak.cables[1] = { id: 'c2', from: 'j1', to: 'j2', lineCode: 'thin' };
    const solution = solveDrawing(weak, 7);
    // 7 kW on one phase is about 30 A through a 20 A cable.
    expect(solution.warnings).toContainEqual(
      expect.stringMatching(/^cable c2 is at 1\d\d % of its rating at 7 kW a home/),
    );
  });

  it('names a loop, an unconnected home, a cable to nowhere and an unknown cable type', () => {
    const drawing = drawn();
    drawing.nodes.push({ id: 'j3', xM: 90, yM: 0, homes: [{ home: 'home-3', phase: 'C' }] });
    drawing.cables.push({ id: 'c3', from: 's', to: 'j2', lineCode: 'main' });
    drawing.cables.push({ id: 'c4', from: 'j2', to: 'nowhere', lineCode: 'main' });
    drawing.cables.push({ id: 'c5', from: 'j1', to: 'j1b', lineCode: 'copper' });
    expect(drawingProblems(drawing)).toEqual([
      'cable c4 ends at "nowhere", not on the drawing',
      'cable c5 ends at "j1b", not on the drawing',
      'cable c3 (s–j2) closes a loop: an LV street is radial, each point fed one way only; remove a cable of the loop',
      'home-3 (at j3) is not connected to the substation',
    ]);
    const typo = drawn();
    typo.cables[0] = { id: 'c1', from: 's', to: 'j1', lineCode: 'copper' };
    expect(drawingProblems(typo)).toEqual([
      'cable c1 is of type "copper", which is not one of the street\'s cable types (main, thin)',
    ]);
  });
});
