import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { InputError } from '../errors.js';
import { readInputFile } from '../read-file.js';
import {
  type CsvTable,
  numberCell,
  parseDecimal,
  readCsvTable,
  requireColumns,
  textCell,
  whereRow,
} from './csv.js';
import { feederNameFromDir } from './feeder-name.js';
import type {
  FeederNetwork,
  LineCode,
  LineSection,
  LoadConnection,
  LoadModel,
  LoadProfile,
  Phase,
  SourceSpec,
  TransformerSpec,
} from './network.js';

/**
 * Reader for the IEEE European LV Test Feeder CSV format (IEEE PES test feeder WG), and any radial feeder
 * written in it. Conventions (feeders/ieee-eu-lv/README.md): Source.csv gives the source as short-circuit
 * currents, line lengths and line codes carry their own units, loads are wye-connected with OpenDSS model codes.
 *
 * Optional extra: `LineRatings.csv` (`LineCode,Ampacity_A`) gives thermal ratings where LineCodes.csv has none.
 */
export function readIeeeFeeder(dir: string): FeederNetwork {
  const transformers = readTransformers(readCsvTable(join(dir, 'Transformer.csv')));
  // The source feeds the transformers' HV bus; a feeder's transformers all hang off that one bus.
  const sourceBus = (transformers[0] as TransformerSpec).hvBus;
  const stray = transformers.find((transformer) => transformer.hvBus !== sourceBus);
  if (stray) {
    throw new InputError(
      stray.origin ?? stray.name,
      `HV bus "${stray.hvBus}" is not the source bus "${sourceBus}"`,
    );
  }
  const source = readSource(join(dir, 'Source.csv'), sourceBus);
  const lineCodes = readLineCodes(readCsvTable(join(dir, 'LineCodes.csv')));
  const ratingsFile = join(dir, 'LineRatings.csv');
  if (existsSync(ratingsFile)) applyLineRatings(readCsvTable(ratingsFile), lineCodes);
  const lines = readLines(readCsvTable(join(dir, 'Lines.csv')), lineCodes);
  const loads = readLoads(readCsvTable(join(dir, 'Loads.csv')));
  let profiles = new Map<string, LoadProfile>();
  let loadShapesProblem: Error | undefined;
  try {
    profiles = readLoadShapes(dir, loads);
  } catch (error) {
    // Kept for loadFeeder to throw, unless the caller needs no profiles (powerflow --loads).
    if (!(error instanceof InputError)) throw error;
    loadShapesProblem = error;
  }

  const buses = collectBuses(lines, transformers);
  const coordsFile = join(dir, 'Buscoords.csv');
  if (existsSync(coordsFile)) applyBusCoordinates(readCsvTable(coordsFile), buses);
  return {
    name: feederNameFromDir(dir),
    dir,
    source,
    transformers,
    buses,
    lineCodes,
    lines,
    loads,
    profiles,
    ...(loadShapesProblem ? { loadShapesProblem } : {}),
  };
}

const LENGTH_UNIT_KM: Readonly<Record<string, number>> = { m: 0.001, km: 1, ft: 0.0003048, mi: 1.609344 };

function lengthUnitKm(
  table: CsvTable,
  row: { line: number; cells: Readonly<Record<string, string>> },
  column: string,
) {
  const unit = (row.cells[column] ?? '').toLowerCase();
  const km = LENGTH_UNIT_KM[unit];
  if (km === undefined) {
    throw new InputError(whereRow(table, row), `unknown length unit "${unit}" (expected m, km, ft or mi)`);
  }
  return km;
}

/** Source.csv is `key=value unit` lines, not a table. */
function readSource(file: string, bus: string): SourceSpec {
  const text = readInputFile(file);
  const values = new Map<string, { value: number; line: number }>();
  text.split(/\r?\n/).forEach((raw, index) => {
    const match = /^\s*([A-Za-z0-9_]+)\s*=\s*([^\s,]+)/.exec(raw);
    if (!match) return;
    const value = parseDecimal(match[2] as string);
    if (!Number.isFinite(value)) {
      throw new InputError(
        `${basename(file)} row ${index + 1}`,
        `"${match[1]}" must be a number, found "${match[2]}"`,
      );
    }
    values.set((match[1] as string).toLowerCase(), { value, line: index + 1 });
  });
  const need = (key: string): number => {
    const entry = values.get(key.toLowerCase());
    if (!entry) throw new InputError(basename(file), `missing "${key}=" line`);
    return entry.value;
  };
  const kvLl = need('Voltage');
  const voltagePu = values.get('pu')?.value ?? 1;
  const isc3Amps = need('ISC3');
  if (kvLl <= 0 || isc3Amps <= 0) throw new InputError(basename(file), 'Voltage and ISC3 must be positive');
  if (!(voltagePu >= 0.8 && voltagePu <= 1.2)) {
    const line = values.get('pu')?.line ?? 0;
    throw new InputError(`${basename(file)} row ${line}`, `pu must be in 0.8..1.2, found ${voltagePu}`);
  }
  // As OpenDSS's Vsource: |Z1| = kV_LL / (√3 · Isc3), with its default X1/R1 = 4. ISC1 only sets the zero
  // sequence, which the Delta winding of the transformer blocks, so it does not enter the LV solution.
  const z1Mag = (kvLl * 1000) / (Math.sqrt(3) * isc3Amps);
  const xOverR = values.get('x1r1')?.value ?? 4;
  const r = z1Mag / Math.sqrt(1 + xOverR * xOverR);
  return { bus, kvLl, voltagePu, angleDeg: 0, z1Ohm: { re: r, im: r * xOverR } };
}

function readTransformers(table: CsvTable): TransformerSpec[] {
  const c = requireColumns(table, [
    'Name',
    'bus1',
    'bus2',
    'kV_pri',
    'kV_sec',
    'MVA',
    'Conn_pri',
    'Conn_sec',
    '%XHL',
    '% resistance',
  ]);
  if (table.rows.length === 0) throw new InputError(table.file, 'no transformer rows');
  return table.rows.map((row) => {
    const where = whereRow(table, row);
    const connPri = textCell(table, row, c.Conn_pri as string).toLowerCase();
    const connSec = textCell(table, row, c.Conn_sec as string).toLowerCase();
    if (connPri !== 'delta' || !connSec.startsWith('wye')) {
      throw new InputError(
        where,
        `only Delta/grounded-wye transformers are supported, found ${connPri}/${connSec}`,
      );
    }
    const hvBus = textCell(table, row, c.bus1 as string);
    const spec: TransformerSpec = {
      name: textCell(table, row, c.Name as string),
      hvBus,
      lvBus: textCell(table, row, c.bus2 as string),
      ratedKva: numberCell(table, row, c.MVA as string) * 1000,
      hvKvLl: numberCell(table, row, c.kV_pri as string),
      lvKvLl: numberCell(table, row, c.kV_sec as string),
      resistancePct: numberCell(table, row, c['% resistance'] as string),
      reactancePct: numberCell(table, row, c['%XHL'] as string),
      lvLagDeg: 30,
      origin: where,
    };
    if (spec.ratedKva <= 0 || spec.hvKvLl <= 0 || spec.lvKvLl <= 0) {
      throw new InputError(where, 'MVA, kV_pri and kV_sec must be positive');
    }
    return spec;
  });
}

function readLineCodes(table: CsvTable): Map<string, LineCode> {
  const c = requireColumns(table, ['Name', 'R1', 'X1', 'R0', 'X0', 'Units']);
  const ampacityColumn = table.header.find((name) => /^(ampacity|normamps)/i.test(name));
  const codes = new Map<string, LineCode>();
  for (const row of table.rows) {
    const perUnitKm = lengthUnitKm(table, row, c.Units as string);
    const name = textCell(table, row, c.Name as string);
    const code: LineCode = {
      name,
      r1OhmPerKm: numberCell(table, row, c.R1 as string) / perUnitKm,
      x1OhmPerKm: numberCell(table, row, c.X1 as string) / perUnitKm,
      r0OhmPerKm: numberCell(table, row, c.R0 as string) / perUnitKm,
      x0OhmPerKm: numberCell(table, row, c.X0 as string) / perUnitKm,
      origin: whereRow(table, row),
    };
    if (ampacityColumn && row.cells[ampacityColumn])
      code.ampacityAmps = numberCell(table, row, ampacityColumn);
    if (code.r1OhmPerKm < 0 || code.r0OhmPerKm < 0) {
      throw new InputError(whereRow(table, row), `R1 and R0 must not be negative (a cable has resistance)`);
    }
    const earlier = codes.get(name);
    if (earlier)
      throw new InputError(
        whereRow(table, row),
        `line code "${name}" is defined twice (first at ${earlier.origin})`,
      );
    codes.set(name, code);
  }
  return codes;
}

function applyLineRatings(table: CsvTable, codes: Map<string, LineCode>): void {
  const c = requireColumns(table, ['LineCode', 'Ampacity_A']);
  for (const row of table.rows) {
    const name = textCell(table, row, c.LineCode as string);
    const code = codes.get(name);
    if (!code) throw new InputError(whereRow(table, row), `unknown line code "${name}"`);
    const amps = numberCell(table, row, c.Ampacity_A as string);
    if (amps <= 0) throw new InputError(whereRow(table, row), `Ampacity_A must be positive, found ${amps}`);
    code.ampacityAmps = amps;
  }
}

function readLines(table: CsvTable, codes: Map<string, LineCode>): LineSection[] {
  const c = requireColumns(table, ['Name', 'Bus1', 'Bus2', 'Length', 'Units', 'LineCode']);
  return table.rows.map((row) => {
    const where = whereRow(table, row);
    const lineCode = textCell(table, row, c.LineCode as string);
    if (!codes.has(lineCode)) throw new InputError(where, `unknown line code "${lineCode}"`);
    const lengthKm = numberCell(table, row, c.Length as string) * lengthUnitKm(table, row, c.Units as string);
    if (lengthKm <= 0)
      throw new InputError(where, `Length must be positive, found ${row.cells[c.Length as string]}`);
    return {
      name: textCell(table, row, c.Name as string),
      fromBus: textCell(table, row, c.Bus1 as string),
      toBus: textCell(table, row, c.Bus2 as string),
      lengthKm,
      lineCode,
      origin: where,
    };
  });
}

/** OpenDSS load model codes. */
const OPENDSS_LOAD_MODEL: Readonly<Record<string, LoadModel>> = {
  '1': 'constant-power',
  '2': 'constant-impedance',
  '5': 'constant-current',
};

function readLoads(table: CsvTable): LoadConnection[] {
  const c = requireColumns(table, [
    'Name',
    'numPhases',
    'Bus',
    'phases',
    'kV',
    'Model',
    'Connection',
    'kW',
    'PF',
  ]);
  const shapeColumn = table.header.find((name) => /^(yearly|daily|shape)$/i.test(name));
  const firstRowOf = new Map<string, string>();
  return table.rows.map((row) => {
    const where = whereRow(table, row);
    const modelCode = textCell(table, row, c.Model as string);
    const model = OPENDSS_LOAD_MODEL[modelCode];
    if (!model) {
      throw new InputError(
        where,
        `unsupported load Model "${modelCode}" (1 = constant PQ, 2 = constant Z, 5 = constant I)`,
      );
    }
    const connection = textCell(table, row, c.Connection as string).toLowerCase();
    if (connection !== 'wye')
      throw new InputError(where, `only wye-connected loads are supported, found "${connection}"`);
    const phases = parsePhases(table, row, c.phases as string, numberCell(table, row, c.numPhases as string));
    const kvRated = numberCell(table, row, c.kV as string);
    // OpenDSS convention: kV is line-to-neutral for a single-phase load, line-to-line for a three-phase one.
    const nominalVoltsLn = phases.length === 1 ? kvRated * 1000 : (kvRated * 1000) / Math.sqrt(3);
    const pKw = numberCell(table, row, c.kW as string);
    const powerFactor = numberCell(table, row, c.PF as string);
    if (powerFactor === 0 || Math.abs(powerFactor) > 1) {
      throw new InputError(where, `PF must be in (0, 1] (negative for leading), found ${powerFactor}`);
    }
    const name = textCell(table, row, c.Name as string);
    const earlier = firstRowOf.get(name);
    if (earlier) throw new InputError(where, `load "${name}" is defined twice (first at ${earlier})`);
    firstRowOf.set(name, where);
    const load: LoadConnection = {
      name,
      bus: textCell(table, row, c.Bus as string),
      phases,
      model,
      nominalVoltsLn,
      pKw,
      qKvar: pKw * reactiveRatio(powerFactor),
      origin: where,
    };
    const shape = shapeColumn ? row.cells[shapeColumn] : undefined;
    if (shape) load.profile = shape;
    return load;
  });
}

/** Q/P for a power factor; negative PF means leading (OpenDSS convention). */
function reactiveRatio(powerFactor: number): number {
  return Math.sign(powerFactor) * Math.tan(Math.acos(Math.abs(powerFactor)));
}

function parsePhases(
  table: CsvTable,
  row: { line: number; cells: Readonly<Record<string, string>> },
  column: string,
  count: number,
): Phase[] {
  const text = textCell(table, row, column).toUpperCase();
  const phases = [...text] as Phase[];
  const valid =
    phases.every((phase) => phase === 'A' || phase === 'B' || phase === 'C') &&
    new Set(phases).size === phases.length;
  if (!valid || (phases.length !== 1 && phases.length !== 3) || phases.length !== count) {
    throw new InputError(
      whereRow(table, row),
      `phases "${text}" must be one of A, B, C or ABC and match numPhases ${count}`,
    );
  }
  return phases;
}

function readLoadShapes(dir: string, loads: LoadConnection[]): Map<string, LoadProfile> {
  const profiles = new Map<string, LoadProfile>();
  const shapesFile = join(dir, 'LoadShapes.csv');
  if (!existsSync(shapesFile)) {
    const needing = loads.find((load) => load.profile);
    if (needing)
      throw new InputError(
        shapesFile,
        `file not found, but load ${needing.name} names shape "${needing.profile}"`,
      );
    return profiles;
  }
  const table = readCsvTable(shapesFile);
  const c = requireColumns(table, ['Name', 'npts', 'File']);
  const actualColumn = table.header.find((name) => name.toLowerCase() === 'useactual');
  const wanted = new Set(loads.map((load) => load.profile).filter((name) => name !== undefined));
  for (const row of table.rows) {
    const name = textCell(table, row, c.Name as string);
    if (!wanted.has(name)) continue; // many shipped profiles are unused: don't read them
    const points = numberCell(table, row, c.npts as string);
    const file = join(dir, 'Load_Profiles', textCell(table, row, c.File as string));
    const profileTable = readCsvTable(
      existsSync(file) ? file : join(dir, textCell(table, row, c.File as string)),
    );
    const valueColumn = profileTable.header[1] ?? profileTable.header[0] ?? 'mult';
    if (profileTable.rows.length !== points) {
      throw new InputError(
        profileTable.file,
        `expected ${points} rows (npts in ${whereRow(table, row)}), found ${profileTable.rows.length}`,
      );
    }
    const values = new Float64Array(points);
    profileTable.rows.forEach((profileRow, index) => {
      values[index] = numberCell(profileTable, profileRow, valueColumn);
    });
    const isActualKw = actualColumn ? /^true$/i.test(row.cells[actualColumn] ?? '') : false;
    profiles.set(name, { values, isActualKw });
  }
  for (const load of loads) {
    if (load.profile && !profiles.has(load.profile)) {
      throw new InputError(
        load.origin ?? load.name,
        `load ${load.name} names unknown shape "${load.profile}"`,
      );
    }
  }
  return profiles;
}

function collectBuses(lines: LineSection[], transformers: TransformerSpec[]): FeederNetwork['buses'] {
  const names = new Set<string>();
  for (const transformer of transformers) names.add(transformer.lvBus);
  for (const line of lines) {
    names.add(line.fromBus);
    names.add(line.toBus);
  }
  return [...names].map((name) => ({ name }));
}

function applyBusCoordinates(table: CsvTable, buses: FeederNetwork['buses']): void {
  const c = requireColumns(table, ['Busname', 'x', 'y']);
  const byName = new Map(buses.map((bus) => [bus.name, bus]));
  for (const row of table.rows) {
    const name = textCell(table, row, c.Busname as string);
    const bus = byName.get(name);
    if (!bus) {
      throw new InputError(
        whereRow(table, row),
        `bus "${name}" has coordinates but no line connects it to the source`,
      );
    }
    bus.x = numberCell(table, row, c.x as string);
    bus.y = numberCell(table, row, c.y as string);
  }
}
