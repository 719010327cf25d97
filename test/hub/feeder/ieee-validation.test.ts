import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadFeeder, PHASES, PowerFlowSolver, profilePowerKw } from '../../../hub/feeder/index.js';

const FEEDER_DIR = 'feeders/ieee-eu-lv/csv';
const PUBLISHED_DIR = 'feeders/ieee-eu-lv/published';

interface PublishedLoadBus {
  load: string;
  bus: string;
  phase: string;
  voltsByMinute: Map<number, number>;
}

function publishedLoadBuses(): PublishedLoadBus[] {
  const [header, ...rows] = readFileSync(join(PUBLISHED_DIR, 'load_bus_voltages_summary.csv'), 'utf8')
    .trim()
    .split('\n');
  const columns = (header as string).split(',');
  return rows.map((row) => {
    const cells = row.split(',');
    const voltsByMinute = new Map<number, number>();
    for (const minute of [1, 566, 1440]) {
      voltsByMinute.set(minute, Number(cells[columns.indexOf(`V_opendss_${minute}min_V`)]));
    }
    return { load: cells[0] as string, bus: cells[1] as string, phase: cells[2] as string, voltsByMinute };
  });
}

const published = JSON.parse(readFileSync(join(PUBLISHED_DIR, 'key_numbers.json'), 'utf8'));

describe('IEEE European LV Test Feeder against the published OpenDSS solution', () => {
  const network = loadFeeder(FEEDER_DIR);
  const solver = new PowerFlowSolver(network);
  const loadBuses = publishedLoadBuses();

  it('loads the whole feeder, named after its folder rather than the csv subfolder', () => {
    expect(network.name).toBe('ieee-eu-lv');
    expect(loadFeeder('feeders/table-street').name).toBe('table-street');
    expect(network.buses).toHaveLength(906);
    expect(network.lines).toHaveLength(905);
    expect(network.loads).toHaveLength(55);
    expect(loadBuses).toHaveLength(55);
  });

  for (const minute of [1, 566, 1440]) {
    it(`minute ${minute}: every load bus within 5 mV, substation P and Q per phase within 0.01`, () => {
      network.loads.forEach((load, index) => {
        const power = profilePowerKw(network, load, minute);
        solver.loadPKw[index] = power.pKw;
        solver.loadQKvar[index] = power.qKvar;
      });
      const result = solver.solve(`minute ${minute}`);
      for (const entry of loadBuses) {
        const bus = solver.topology.busIndex.get(entry.bus) as number;
        const volts = result.busVoltsMag[bus * 3 + PHASES.indexOf(entry.phase as 'A')] as number;
        expect(
          Math.abs(volts - (entry.voltsByMinute.get(minute) as number)),
          `${entry.load} at bus ${entry.bus}`,
        ).toBeLessThan(0.005);
      }
      const reference = published.doc_table_II_substation_power[`minute_${minute}`].opendss;
      PHASES.forEach((phase, index) => {
        expect(
          Math.abs((result.substationPKw[index] as number) - reference.P_kW[phase]),
          `P ${phase}`,
        ).toBeLessThan(0.01);
        expect(
          Math.abs((result.substationQKvar[index] as number) - reference.Q_kvar[phase]),
          `Q ${phase}`,
        ).toBeLessThan(0.01);
      });
      const extremes = published.doc_table_III_bus_voltage_extremes_V[`minute_${minute}`].opendss;
      const lowest = Math.min(extremes.min.A, extremes.min.B, extremes.min.C);
      const highest = Math.max(extremes.max.A, extremes.max.B, extremes.max.C);
      expect(Math.abs(result.vMin.volts - lowest)).toBeLessThan(0.005);
      expect(Math.abs(result.vMax.volts - highest)).toBeLessThan(0.005);
    });
  }

  it('reports line loading against the line ratings, transformer loading and losses at the peak', () => {
    network.loads.forEach((load, index) => {
      const power = profilePowerKw(network, load, 566);
      solver.loadPKw[index] = power.pKw;
      solver.loadQKvar[index] = power.qKvar;
    });
    const result = solver.solve('minute 566');
    expect(result.lineLoadingPct.every((pct) => Number.isFinite(pct) && pct >= 0)).toBe(true);
    // LINE1 (4c_70, rated 170 A) carries the whole feeder: its loading is its current over 170 A.
    const line1Amps = Math.max(...[0, 1, 2].map((phase) => result.lineCurrentAmps[phase] as number));
    expect(result.lineLoadingPct[0]).toBeCloseTo((100 * line1Amps) / 170, 9);
    // Phase B carries 35 kW at ~251 V: about 141 A against 1110 A rated.
    expect(result.transformerLoadingPct).toBeGreaterThan(12);
    expect(result.transformerLoadingPct).toBeLessThan(14);
    // Losses close the power balance: 59.38 kW in, 57.36 kW of load.
    expect(result.lossesKw).toBeCloseTo(result.substationPTotalKw - 57.358, 2);
  });

  it('gives the same answer through the CLI contract (OUT.csv and the JSON summary line)', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'gridflex-pf-')), 'out.csv');
    const stdout = execFileSync(
      'node',
      ['dist/hub/cli.js', 'powerflow', '--feeder', FEEDER_DIR, '--minute', '566', '--out', out],
      {
        encoding: 'utf8',
      },
    );
    const summary = JSON.parse(stdout.trim().split('\n').at(-1) as string);
    expect(summary.converged).toBe(true);
    expect(summary.iterations).toBeGreaterThan(1);
    expect(Math.abs(summary.substation_p_kw.B - 35.2927)).toBeLessThan(0.01);
    expect(Math.abs(summary.substation_p_kw.total - 59.3836)).toBeLessThan(0.01);
    expect(summary.v_min).toMatchObject({ bus: '899', phase: 'B' });
    expect(Math.abs(summary.v_min.v - 238.367)).toBeLessThan(0.005);

    const [header, ...rows] = readFileSync(out, 'utf8').trim().split('\n');
    expect(header).toBe('bus,phase,v_mag_v,v_ang_deg');
    expect(rows).toHaveLength(906 * 3);
    const load53 = rows.find((row) => row.startsWith('899,B,')) as string;
    expect(Math.abs(Number(load53.split(',')[2]) - 238.367)).toBeLessThan(0.005);
  });

  it('runs the whole day (--day): 1440 minutes, the snapshot numbers at minute 566', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'gridflex-day-')), 'day.csv');
    const stdout = execFileSync(
      'node',
      ['dist/hub/cli.js', 'powerflow', '--feeder', FEEDER_DIR, '--day', '--out', out],
      {
        encoding: 'utf8',
      },
    );
    const summary = JSON.parse(stdout.trim().split('\n').at(-1) as string);
    expect(summary).toMatchObject({ converged: true, minutes: 1440, peak_substation_p_kw: { minute: 566 } });
    const [header, ...rows] = readFileSync(out, 'utf8').trim().split('\n');
    const columns = (header as string).split(',');
    expect(columns.slice(0, 7)).toEqual([
      'minute',
      'p_a_kw',
      'p_b_kw',
      'p_c_kw',
      'q_a_kvar',
      'q_b_kvar',
      'q_c_kvar',
    ]);
    expect(columns).toContain('v_899_B');
    expect(rows).toHaveLength(1440);
    const row566 = (rows[565] as string).split(',');
    expect(row566[0]).toBe('566');
    expect(Math.abs(Number(row566[2]) - 35.2927)).toBeLessThan(0.01);
    expect(Math.abs(Number(row566[columns.indexOf('v_899_B')]) - 238.367)).toBeLessThan(0.005);
  });
});

describe('CIGRE LV benchmark (balanced pandapower tables)', () => {
  const network = loadFeeder('feeders/cigre-lv');

  it('loads three radial feeders under one MV source and solves the nominal loads in balance', () => {
    expect(network.name).toBe('cigre-lv');
    expect(network.transformers.map((transformer) => transformer.ratedKva)).toEqual([500, 150, 300]);
    expect(network.loads).toHaveLength(15);
    expect(network.buses.length).toBe(40);
    const solver = new PowerFlowSolver(network, network.loads, { toleranceVolts: 1e-9 });
    const result = solver.solve();
    const loadKw = network.loads.reduce((sum, load) => sum + load.pKw, 0);
    expect(Math.abs(result.substationPTotalKw - loadKw - result.lossesKw) / loadKw).toBeLessThan(1e-6);
    for (let bus = 0; bus < network.buses.length; bus++) {
      expect(result.busVoltsMag[bus * 3 + 1]).toBeCloseTo(result.busVoltsMag[bus * 3] as number, 6);
    }
    // Every bus sags below the 400 V nominal under load, and none collapses.
    expect(result.vMax.volts).toBeLessThan(400 / Math.sqrt(3));
    expect(result.vMin.volts).toBeGreaterThan(200);
  });
});
