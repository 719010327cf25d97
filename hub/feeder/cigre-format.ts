import { join } from 'node:path';
import { InputError } from '../errors.js';
import { type CsvTable, numberCell, readCsvTable, requireColumns, textCell, whereRow } from './csv.js';
import { feederNameFromDir } from './feeder-name.js';
import type {
  FeederNetwork,
  LineCode,
  LineSection,
  LoadConnection,
  SourceSpec,
  TransformerSpec,
} from './network.js';

/** Buses at or below this voltage are LV buses of the feeder; the rest form the MV side. */
const LV_MAX_KV = 1;

/**
 * Reader for the pandapower-style table set of the CIGRE European LV benchmark (CIGRE TF C6.04.02, TB 575):
 * buses, lines, line_types, transformers, loads, ext_grid, switches. Balanced positive-sequence data, so each
 * line type's zero sequence is taken equal to its positive sequence, and loads are balanced three-phase PQ.
 * The MV side may only be the slack bus and closed bus–bus switches to the transformers' HV buses.
 */
export function readCigreFeeder(dir: string): FeederNetwork {
  const busTable = readCsvTable(join(dir, 'buses.csv'));
  const busColumns = requireColumns(busTable, ['bus', 'vn_kv']);
  const lvBuses: FeederNetwork['buses'] = [];
  const mvBuses = new Set<string>();
  for (const row of busTable.rows) {
    const name = textCell(busTable, row, busColumns.bus as string);
    const bus: FeederNetwork['buses'][number] = { name };
    const x = Number(row.cells.x);
    const y = Number(row.cells.y);
    if (row.cells.x && Number.isFinite(x) && Number.isFinite(y)) Object.assign(bus, { x, y });
    if (numberCell(busTable, row, busColumns.vn_kv as string) <= LV_MAX_KV) lvBuses.push(bus);
    else mvBuses.add(name);
  }

  const source = readExtGrid(readCsvTable(join(dir, 'ext_grid.csv')), mvBuses);
  const mvNode = mvNodeResolver(readCsvTable(join(dir, 'switches.csv')), mvBuses);
  const transformers = readTransformers(readCsvTable(join(dir, 'transformers.csv')), mvNode, source);
  const lineCodes = readLineTypes(readCsvTable(join(dir, 'line_types.csv')));
  const lines = readLines(readCsvTable(join(dir, 'lines.csv')), lineCodes);
  // The benchmark's LV side is one voltage level: the transformers' secondary rating.
  const lvVoltsLn = ((transformers[0]?.lvKvLl ?? 0.4) * 1000) / Math.sqrt(3);
  const loads = readLoads(readCsvTable(join(dir, 'loads.csv')), lvVoltsLn);
  return {
    name: feederNameFromDir(dir),
    dir,
    source,
    transformers,
    buses: lvBuses,
    lineCodes,
    lines,
    loads,
    profiles: new Map(),
  };
}

function readExtGrid(table: CsvTable, mvBuses: Set<string>): SourceSpec {
  const c = requireColumns(table, ['bus', 'vm_pu', 'va_degree', 's_sc_max_mva', 'rx_max']);
  const row = table.rows[0];
  if (!row || table.rows.length > 1)
    throw new InputError(table.file, 'expected exactly one external grid row');
  const bus = textCell(table, row, c.bus as string);
  if (!mvBuses.has(bus))
    throw new InputError(whereRow(table, row), `external grid bus "${bus}" is not an MV bus in buses.csv`);
  const shortCircuitMva = numberCell(table, row, c.s_sc_max_mva as string);
  if (shortCircuitMva <= 0) throw new InputError(whereRow(table, row), 's_sc_max_mva must be positive');
  return {
    bus,
    kvLl: Number.NaN, // set from the transformers' HV rating below
    voltagePu: numberCell(table, row, c.vm_pu as string),
    angleDeg: numberCell(table, row, c.va_degree as string),
    // |Z| = kV² / Ssc once kV is known; store per-unit-of-kV² for now.
    z1Ohm: zFromRatio(1 / shortCircuitMva, numberCell(table, row, c.rx_max as string)),
  };
}

function zFromRatio(magnitude: number, rOverX: number): { re: number; im: number } {
  const x = magnitude / Math.sqrt(1 + rOverX * rOverX);
  return { re: x * rOverX, im: x };
}

/** Maps each MV bus to the slack bus through closed bus–bus switches; other MV topology is not supported. */
function mvNodeResolver(table: CsvTable, mvBuses: Set<string>): (bus: string, where: string) => string {
  const c = requireColumns(table, ['bus', 'element_bus', 'closed', 'type']);
  const joined = new Map<string, string>();
  for (const row of table.rows) {
    const closed = /^true$/i.test(row.cells[c.closed as string] ?? '');
    if (!closed) continue;
    const a = textCell(table, row, c.bus as string);
    const b = textCell(table, row, c.element_bus as string);
    if (!mvBuses.has(a) || !mvBuses.has(b)) {
      throw new InputError(whereRow(table, row), 'only closed switches between MV buses are supported');
    }
    joined.set(b, a);
  }
  return (bus, where) => {
    if (!mvBuses.has(bus)) throw new InputError(where, `HV bus "${bus}" is not an MV bus in buses.csv`);
    let node = bus;
    for (let hops = 0; joined.has(node) && hops < mvBuses.size; hops++) node = joined.get(node) as string;
    return node;
  };
}

function readTransformers(
  table: CsvTable,
  mvNode: (bus: string, where: string) => string,
  source: SourceSpec,
): TransformerSpec[] {
  const c = requireColumns(table, [
    'name',
    'hv_bus',
    'lv_bus',
    'sn_mva',
    'vn_hv_kv',
    'vn_lv_kv',
    'vk_percent',
    'vkr_percent',
    'shift_degree',
  ]);
  const transformers = table.rows.map((row): TransformerSpec => {
    const where = whereRow(table, row);
    const hvBus = textCell(table, row, c.hv_bus as string);
    if (mvNode(hvBus, where) !== source.bus) {
      throw new InputError(
        where,
        `HV bus "${hvBus}" is not switched to the external grid bus "${source.bus}"`,
      );
    }
    const vk = numberCell(table, row, c.vk_percent as string);
    const vkr = numberCell(table, row, c.vkr_percent as string);
    if (vk <= 0 || vkr < 0 || vkr > vk)
      throw new InputError(where, `need 0 ≤ vkr_percent ≤ vk_percent and vk_percent > 0`);
    return {
      name: textCell(table, row, c.name as string),
      hvBus: source.bus,
      lvBus: textCell(table, row, c.lv_bus as string),
      ratedKva: numberCell(table, row, c.sn_mva as string) * 1000,
      hvKvLl: numberCell(table, row, c.vn_hv_kv as string),
      lvKvLl: numberCell(table, row, c.vn_lv_kv as string),
      resistancePct: vkr,
      reactancePct: Math.sqrt(vk * vk - vkr * vkr),
      lvLagDeg: numberCell(table, row, c.shift_degree as string),
      origin: where,
    };
  });
  const first = transformers[0];
  if (!first) throw new InputError(table.file, 'no transformer rows');
  source.kvLl = first.hvKvLl;
  const kvSquared = first.hvKvLl * first.hvKvLl;
  source.z1Ohm = { re: source.z1Ohm.re * kvSquared, im: source.z1Ohm.im * kvSquared };
  return transformers;
}

function readLineTypes(table: CsvTable): Map<string, LineCode> {
  const c = requireColumns(table, ['type', 'r_ohm_per_km', 'x_ohm_per_km', 'max_i_ka']);
  const codes = new Map<string, LineCode>();
  for (const row of table.rows) {
    const name = textCell(table, row, c.type as string);
    const r = numberCell(table, row, c.r_ohm_per_km as string);
    const x = numberCell(table, row, c.x_ohm_per_km as string);
    codes.set(name, {
      name,
      r1OhmPerKm: r,
      x1OhmPerKm: x,
      r0OhmPerKm: r,
      x0OhmPerKm: x,
      ampacityAmps: numberCell(table, row, c.max_i_ka as string) * 1000,
      origin: whereRow(table, row),
    });
  }
  return codes;
}

function readLines(table: CsvTable, codes: Map<string, LineCode>): LineSection[] {
  const c = requireColumns(table, ['name', 'from_bus', 'to_bus', 'length_km', 'type']);
  return table.rows.map((row) => {
    const where = whereRow(table, row);
    const lineCode = textCell(table, row, c.type as string);
    if (!codes.has(lineCode)) throw new InputError(where, `unknown line type "${lineCode}"`);
    const lengthKm = numberCell(table, row, c.length_km as string);
    if (lengthKm <= 0) throw new InputError(where, `length_km must be positive, found ${lengthKm}`);
    return {
      name: textCell(table, row, c.name as string),
      fromBus: textCell(table, row, c.from_bus as string),
      toBus: textCell(table, row, c.to_bus as string),
      lengthKm,
      lineCode,
      origin: where,
    };
  });
}

function readLoads(table: CsvTable, nominalVoltsLn: number): LoadConnection[] {
  const c = requireColumns(table, ['name', 'bus', 'p_kw', 'q_kvar']);
  return table.rows.map((row) => ({
    name: textCell(table, row, c.name as string),
    bus: textCell(table, row, c.bus as string),
    phases: ['A', 'B', 'C'],
    model: 'constant-power',
    nominalVoltsLn,
    pKw: numberCell(table, row, c.p_kw as string),
    qKvar: numberCell(table, row, c.q_kvar as string),
    origin: whereRow(table, row),
  }));
}
