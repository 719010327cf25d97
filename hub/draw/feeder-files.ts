/**
 * A drawn street to and from a feeder folder in the IEEE EU LV CSV format (hub/feeder/ieee-format.ts) with a
 * table map beside it (`table-map.yaml`, hub/table/map-config.ts), so `gridflex hub --scenario <map>` and
 * `gridflex run` load it. A shipped feeder read back into a drawing and saved again gives the same feeder.
 */
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { readCsvTable, requireColumns, textCell } from '../feeder/csv.js';
import type { FeederNetwork } from '../feeder/network.js';
import type { LoadedTableMap } from '../table/map-config.js';
import { cableLengthM, loadName, type StreetDrawing } from './street-drawing.js';

/** Where a saved street takes its homes' daily profiles from: a feeder folder with LoadShapes.csv. */
export interface ProfileSource {
  dir: string;
  /** Shape names in file order, with their profile files. */
  shapes: { name: string; npts: string; minterval: string; file: string; useactual: string }[];
}

/** Reads the shapes a feeder folder offers (its LoadShapes.csv). */
export function readProfileSource(dir: string): ProfileSource {
  const table = readCsvTable(join(dir, 'LoadShapes.csv'));
  const c = requireColumns(table, ['Name', 'npts', 'File']);
  const minterval = table.header.find((name) => name.toLowerCase() === 'minterval');
  const actual = table.header.find((name) => name.toLowerCase() === 'useactual');
  return {
    dir,
    shapes: table.rows.map((row) => ({
      name: textCell(table, row, c.Name as string),
      npts: textCell(table, row, c.npts as string),
      minterval: minterval ? (row.cells[minterval] ?? '1') : '1',
      file: textCell(table, row, c.File as string),
      useactual: actual ? (row.cells[actual] ?? 'FALSE') : 'FALSE',
    })),
  };
}

/** Every home of the drawing with its point and the shape it follows (its own, else the source's in turn). */
function homesWithShapes(drawing: StreetDrawing, profiles: ProfileSource) {
  const homes = drawing.nodes.flatMap((node) => node.homes.map((home) => ({ node, home })));
  return homes.map(({ node, home }, index) => {
    const fallback = profiles.shapes[index % Math.max(1, profiles.shapes.length)]?.name;
    return { node, home, shape: home.shape ?? fallback };
  });
}

const number = (value: number) => String(Number(value.toPrecision(12)));

/** The feeder folder's files (name → text) and the table map, for a drawing with no problems. */
export function drawingToFiles(drawing: StreetDrawing, profiles: ProfileSource): Map<string, string> {
  const files = new Map<string, string>();
  const sub = drawing.substation;
  files.set(
    'Source.csv',
    `# Source impedance (drawn street ${drawing.name})\n[Source]\nVoltage=${number(sub.hvKv)} kV\npu=${number(sub.sourcePu)}\nISC3=${number(sub.sourceIsc3Amps)} A\n`,
  );
  files.set(
    'Transformer.csv',
    `# Transformer, Delta/grounded-wye\nName, phases, bus1, bus2, kV_pri, kV_sec, MVA, Conn_pri, Conn_sec, %XHL,% resistance\n` +
      `${sub.name},3,SourceBus,${sub.node},${number(sub.hvKv)},${number(sub.lvKv)},${number(sub.ratedKva / 1000)}, Delta, Wye,${number(sub.reactancePct)},${number(sub.resistancePct)}\n`,
  );
  files.set(
    'LineCodes.csv',
    `# Line Codes (sequence impedances in ohm/km)\nName,nphases,R1,X1,R0,X0,C1,C0,Units\n${drawing.lineCodes
      .map(
        (code) =>
          `${code.name},3,${number(code.r1OhmPerKm)},${number(code.x1OhmPerKm)},${number(code.r0OhmPerKm)},${number(code.x0OhmPerKm)},0,0,km\n`,
      )
      .join('')}`,
  );
  const rated = drawing.lineCodes.filter((code) => code.ampacityAmps !== undefined);
  if (rated.length > 0)
    files.set(
      'LineRatings.csv',
      `# Thermal ratings\nLineCode,Ampacity_A\n${rated.map((code) => `${code.name},${number(code.ampacityAmps as number)}\n`).join('')}`,
    );
  files.set(
    'Lines.csv',
    `# Lines of the drawn street\nName,Bus1,Bus2,Phases,Length,Units,LineCode\n${drawing.cables
      .map(
        (cable) =>
          `${cable.id},${cable.from},${cable.to},ABC,${number(cableLengthM(drawing, cable))},m,${cable.lineCode}\n`,
      )
      .join('')}`,
  );
  files.set(
    'Buscoords.csv',
    `# Bus coordinates (metres)\nBusname, x, y\n${drawing.nodes.map((node) => `${node.id},${number(node.xM)},${number(node.yM)}\n`).join('')}`,
  );
  const homes = homesWithShapes(drawing, profiles);
  files.set(
    'Loads.csv',
    `# Loads: one per home, constant PQ, following its daily shape\nName,numPhases,Bus,phases,kV,Model,Connection,kW,PF,Yearly\n${homes
      .map(
        ({ node, home, shape }) =>
          `${loadName(home.home)},1,${node.id},${home.phase},0.23,1,wye,1,0.95,${shape ?? ''}\n`,
      )
      .join('')}`,
  );
  const used = new Set(homes.map((entry) => entry.shape));
  files.set(
    'LoadShapes.csv',
    `# Load Shapes\nName,npts,minterval,File,useactual\n${profiles.shapes
      .filter((shape) => used.has(shape.name))
      .map((shape) => `${shape.name},${shape.npts},${shape.minterval},${shape.file},${shape.useactual}\n`)
      .join('')}`,
  );
  files.set('table-map.yaml', tableMapYaml(drawing, homes));
  files.set('scenario.yaml', scenarioYaml(drawing, homes));
  return files;
}

/** A year's scenario of the street for `gridflex run`: every home with its own demand, the price-cap tariff. */
function scenarioYaml(drawing: StreetDrawing, homes: ReturnType<typeof homesWithShapes>): string {
  const scenario = {
    name: drawing.name,
    description: `The drawn street "${drawing.name}": ${homes.length} homes, their own demand only (add PV, EVs, heat pumps and batteries per home).`,
    feeder: '.',
    seed: 1,
    time: { startDay: 0, days: 365, stepMinutes: 30 },
    market: { defaultTariff: 'flat-cap' },
    homes: homes.map(({ home }) => ({ id: home.home, load: loadName(home.home) })),
  };
  return `# A scenario of the drawn street for \`gridflex run --scenario\` (hub/scenario).\n${stringify(scenario)}`;
}

function tableMapYaml(drawing: StreetDrawing, homes: ReturnType<typeof homesWithShapes>): string {
  const map = {
    feeder: '.',
    clock: { start: '2026-01-15T00:00:00Z', stepMinutes: 6, stepMs: 500 },
    plots: homes.map(({ node, home }, index) => ({
      plot: `plot-${index + 1}`,
      home: home.home,
      bus: node.id,
      phase: home.phase,
      baseLoad: loadName(home.home),
    })),
    assets: [],
  };
  return `# The table map of the drawn street "${drawing.name}" (hub/table/map-config.ts): one plot per home.\n${stringify(map)}`;
}

/** Writes the drawing as a feeder folder with its table map into `dir` (created), copying the profiles used. */
export function writeDrawing(drawing: StreetDrawing, dir: string, profiles: ProfileSource): string[] {
  mkdirSync(join(dir, 'Load_Profiles'), { recursive: true });
  const files = drawingToFiles(drawing, profiles);
  for (const [name, text] of files) writeFileSync(join(dir, name), text);
  const used = new Set(homesWithShapes(drawing, profiles).map((entry) => entry.shape));
  for (const shape of profiles.shapes) {
    if (!used.has(shape.name)) continue;
    const from = [join(profiles.dir, 'Load_Profiles', shape.file), join(profiles.dir, shape.file)].find(
      existsSync,
    );
    if (from) copyFileSync(from, join(dir, 'Load_Profiles', shape.file));
  }
  return [...files.keys()];
}

/**
 * A feeder (and the table map that runs on it) as a drawing: its buses as points, its lines as cables, its
 * line codes as the cable types, and a home for each plot of the map (or each load, without a map).
 */
export function networkToDrawing(network: FeederNetwork, map?: LoadedTableMap): StreetDrawing {
  const transformer = network.transformers[0];
  if (!transformer) throw new Error(`feeder ${network.name} has no transformer`);
  const loadsByName = new Map(network.loads.map((load) => [load.name, load]));
  const homesAt = new Map<string, StreetDrawing['nodes'][number]['homes']>();
  const addHome = (bus: string, home: StreetDrawing['nodes'][number]['homes'][number]) =>
    homesAt.set(bus, [...(homesAt.get(bus) ?? []), home]);
  if (map) {
    for (const plot of map.plots) {
      const load = plot.baseLoad ? loadsByName.get(plot.baseLoad) : undefined;
      addHome(plot.bus, {
        home: plot.home ?? plot.plot,
        phase: plot.phase,
        ...(load?.profile ? { shape: load.profile } : {}),
      });
    }
  } else {
    for (const load of network.loads) {
      addHome(load.bus, {
        home: load.name
          .toLowerCase()
          .replace(/[^a-z0-9-]+/g, '-')
          .replace(/^-+/, ''),
        phase: load.phases[0] ?? 'A',
        ...(load.profile ? { shape: load.profile } : {}),
      });
    }
  }
  const z1 = Math.hypot(network.source.z1Ohm.re, network.source.z1Ohm.im);
  const slug =
    network.name
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'street';
  return {
    name: slug.slice(0, 60),
    substation: {
      node: transformer.lvBus,
      name: transformer.name,
      ratedKva: transformer.ratedKva,
      resistancePct: transformer.resistancePct,
      reactancePct: transformer.reactancePct,
      hvKv: transformer.hvKvLl,
      lvKv: transformer.lvKvLl,
      sourcePu: network.source.voltagePu,
      sourceIsc3Amps: (network.source.kvLl * 1000) / (Math.sqrt(3) * z1),
    },
    // The drawing keeps a line code's electrical data, not where in a file it was read.
    lineCodes: [...network.lineCodes.values()].map(({ origin: _fileOrigin, ...code }) => code),
    nodes: network.buses.map((bus) => ({
      id: bus.name,
      xM: bus.x ?? 0,
      yM: bus.y ?? 0,
      homes: homesAt.get(bus.name) ?? [],
    })),
    cables: network.lines.map((line) => ({
      id: line.name,
      from: line.fromBus,
      to: line.toBus,
      lineCode: line.lineCode,
      lengthM: Number((line.lengthKm * 1000).toPrecision(12)),
    })),
  };
}
