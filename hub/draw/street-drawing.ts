/**
 * A street drawn on the dashboard's "Draw a street" page (hub/dashboard/web/draw/): a substation, joints and
 * plots at coordinates in metres, cables between them typed from the street's line codes, homes with their
 * phases. Checked in words, solved with the feeder solver at a design load, and written as an IEEE EU LV CSV
 * feeder folder plus a table map (hub/table/map-config.ts) that the hub and `gridflex run` load.
 */
import { z } from 'zod';
import type { FeederNetwork, LineCode, LoadConnection } from '../feeder/network.js';
import { PowerFlowSolver } from '../feeder/solver.js';

const IdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,40}$/, 'letters, digits, - and _ only (1 to 40 of them)');

export const DrawnHomeSchema = z.strictObject({
  home: z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'lower-case letters, digits and - (e.g. home-3)'),
  phase: z.enum(['A', 'B', 'C']),
  /** The daily profile the home's demand follows (a shape of the profiles folder); a default when absent. */
  shape: z.string().min(1).max(60).optional(),
});

export const DrawnNodeSchema = z.strictObject({
  /** Becomes the feeder bus name. */
  id: IdSchema,
  xM: z.number().finite(),
  yM: z.number().finite(),
  /** The homes on this node's plot(s): none for a joint. */
  homes: z.array(DrawnHomeSchema).max(6).default([]),
});

export const DrawnCableSchema = z.strictObject({
  id: IdSchema,
  from: IdSchema,
  to: IdSchema,
  lineCode: z.string().min(1).max(60),
  /** Its length; when absent, the straight distance between its ends. */
  lengthM: z.number().finite().positive().optional(),
});

export const DrawnLineCodeSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9_.-]{1,60}$/, 'letters, digits, ., - and _ only'),
  r1OhmPerKm: z.number().finite().nonnegative(),
  x1OhmPerKm: z.number().finite().nonnegative(),
  r0OhmPerKm: z.number().finite().nonnegative(),
  x0OhmPerKm: z.number().finite().nonnegative(),
  ampacityAmps: z.number().finite().positive().optional(),
});

export const StreetDrawingSchema = z.strictObject({
  /** The feeder's (and its folder's) name. */
  name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,59}$/, 'lower-case letters, digits and - (e.g. our-street)'),
  substation: z.strictObject({
    /** The node the transformer feeds (its LV bus). */
    node: IdSchema,
    name: IdSchema.default('TR1'),
    ratedKva: z.number().finite().positive().max(5000),
    resistancePct: z.number().finite().nonnegative().default(1.2),
    reactancePct: z.number().finite().positive().default(4),
    hvKv: z.number().finite().positive().default(11),
    lvKv: z.number().finite().positive().default(0.416),
    /** The MV grid: per-unit voltage and three-phase short-circuit current. */
    sourcePu: z.number().finite().positive().default(1.05),
    sourceIsc3Amps: z.number().finite().positive().default(3000),
  }),
  lineCodes: z.array(DrawnLineCodeSchema).min(1).max(30),
  nodes: z.array(DrawnNodeSchema).min(1).max(2000),
  cables: z.array(DrawnCableSchema).max(2000),
});
export type StreetDrawing = z.infer<typeof StreetDrawingSchema>;
export type DrawnNode = StreetDrawing['nodes'][number];

/** The length of a cable as drawn (its own length, else the distance between its ends), m. */
export function cableLengthM(drawing: StreetDrawing, cable: StreetDrawing['cables'][number]): number {
  if (cable.lengthM !== undefined) return cable.lengthM;
  const nodes = new Map(drawing.nodes.map((node) => [node.id, node]));
  const from = nodes.get(cable.from);
  const to = nodes.get(cable.to);
  if (!from || !to) return 0;
  return Math.hypot(to.xM - from.xM, to.yM - from.yM);
}

/**
 * What is wrong with the drawing, in words a team understands: ids used twice, a cable to nowhere or of an
 * unknown type, a loop, a home not connected to the substation. Empty when the street can be solved and saved.
 */
export function drawingProblems(drawing: StreetDrawing): string[] {
  const problems: string[] = [];
  const nodes = new Map<string, DrawnNode>();
  for (const node of drawing.nodes) {
    if (nodes.has(node.id)) problems.push(`two points are both called "${node.id}": rename one`);
    nodes.set(node.id, node);
  }
  const homes = new Map<string, string>();
  for (const node of drawing.nodes) {
    for (const home of node.homes) {
      const other = homes.get(home.home);
      if (other) problems.push(`${home.home} is drawn twice (at ${other} and at ${node.id})`);
      homes.set(home.home, node.id);
    }
  }
  const codes = new Set(drawing.lineCodes.map((code) => code.name));
  if (!nodes.has(drawing.substation.node))
    problems.push(`the substation is connected to "${drawing.substation.node}", which is not on the drawing`);
  const cableIds = new Set<string>();
  const usable: StreetDrawing['cables'] = [];
  for (const cable of drawing.cables) {
    if (cableIds.has(cable.id)) problems.push(`two cables are both called "${cable.id}": rename one`);
    cableIds.add(cable.id);
    const ends = [cable.from, cable.to].filter((end) => !nodes.has(end));
    if (ends.length > 0) {
      problems.push(
        `cable ${cable.id} ends at ${ends.map((end) => `"${end}"`).join(' and ')}, not on the drawing`,
      );
      continue;
    }
    if (cable.from === cable.to) {
      problems.push(`cable ${cable.id} starts and ends at ${cable.from}`);
      continue;
    }
    if (!codes.has(cable.lineCode))
      problems.push(
        `cable ${cable.id} is of type "${cable.lineCode}", which is not one of the street's cable types (${[...codes].join(', ')})`,
      );
    if (!(cableLengthM(drawing, cable) > 0))
      problems.push(`cable ${cable.id} has no length: its ends are on one spot`);
    usable.push(cable);
  }
  // Loops: union–find over the cables; the cable closing a loop is named with the loop's points.
  const parent = new Map<string, string>();
  const find = (id: string): string => {
    let root = id;
    while (parent.has(root) && parent.get(root) !== root) root = parent.get(root) as string;
    return root;
  };
  for (const cable of usable) {
    const a = find(cable.from);
    const b = find(cable.to);
    if (a === b) {
      problems.push(
        `cable ${cable.id} (${cable.from}–${cable.to}) closes a loop: an LV street is radial, each point fed one way only; remove a cable of the loop`,
      );
    } else parent.set(a, b);
  }
  if (nodes.has(drawing.substation.node)) {
    const root = find(drawing.substation.node);
    for (const node of drawing.nodes) {
      if (find(node.id) === root) continue;
      for (const home of node.homes)
        problems.push(`${home.home} (at ${node.id}) is not connected to the substation`);
      if (node.homes.length === 0 && drawing.cables.some((c) => c.from === node.id || c.to === node.id))
        problems.push(`joint ${node.id} is not connected to the substation`);
    }
  }
  if (homes.size === 0) problems.push('the street has no homes yet: put a home on a plot');
  return problems;
}

/** The bus name of the MV side (the feeder's source). */
const SOURCE_BUS = 'SourceBus';

/** The drawing as a feeder network (no files): what the solver takes. Assumes {@link drawingProblems} is empty. */
export function drawingToNetwork(
  drawing: StreetDrawing,
  homeLoadKw: (home: string) => number,
  dir = '(drawing)',
): FeederNetwork {
  const sub = drawing.substation;
  const z1Mag = (sub.hvKv * 1000) / (Math.sqrt(3) * sub.sourceIsc3Amps);
  const r = z1Mag / Math.sqrt(17);
  const connected = connectedNodes(drawing);
  // A drawn line code is a feeder's line code without its file origin (DrawnLineCodeSchema is strict).
  const lineCodes = new Map<string, LineCode>(drawing.lineCodes.map((code) => [code.name, { ...code }]));
  const loads: LoadConnection[] = drawing.nodes.flatMap((node) =>
    connected.has(node.id)
      ? node.homes.map((home) => {
          const pKw = homeLoadKw(home.home);
          return {
            name: loadName(home.home),
            bus: node.id,
            phases: [home.phase],
            model: 'constant-power' as const,
            nominalVoltsLn: 230,
            pKw,
            qKvar: pKw * Math.tan(Math.acos(0.95)),
          };
        })
      : [],
  );
  return {
    name: drawing.name,
    dir,
    source: {
      bus: SOURCE_BUS,
      kvLl: sub.hvKv,
      voltagePu: sub.sourcePu,
      angleDeg: 0,
      z1Ohm: { re: r, im: 4 * r },
    },
    transformers: [
      {
        name: sub.name,
        hvBus: SOURCE_BUS,
        lvBus: sub.node,
        ratedKva: sub.ratedKva,
        hvKvLl: sub.hvKv,
        lvKvLl: sub.lvKv,
        resistancePct: sub.resistancePct,
        reactancePct: sub.reactancePct,
        lvLagDeg: 30,
      },
    ],
    buses: drawing.nodes
      .filter((node) => connected.has(node.id))
      .map((node) => ({ name: node.id, x: node.xM, y: node.yM })),
    lineCodes,
    lines: drawing.cables
      .filter((cable) => connected.has(cable.from) && connected.has(cable.to))
      .map((cable) => ({
        name: cable.id,
        fromBus: cable.from,
        toBus: cable.to,
        lengthKm: cableLengthM(drawing, cable) / 1000,
        lineCode: cable.lineCode,
      })),
    loads,
    profiles: new Map(),
  };
}

/** The feeder load of a home: `LOAD_home-3`. */
export const loadName = (home: string) => `LOAD_${home}`;

/** The points the substation reaches through the cables. */
function connectedNodes(drawing: StreetDrawing): Set<string> {
  const seen = new Set([drawing.substation.node]);
  const queue = [drawing.substation.node];
  while (queue.length > 0) {
    const at = queue.pop() as string;
    for (const cable of drawing.cables) {
      const next = cable.from === at ? cable.to : cable.to === at ? cable.from : null;
      if (next !== null && !seen.has(next)) {
        seen.add(next);
        queue.push(next);
      }
    }
  }
  return seen;
}

/** The power flow of a drawn street at its design load, as the page shows it. */
export interface DrawingSolution {
  converged: boolean;
  designKwPerHome: number;
  /** Each point's worst-phase voltage (the one farthest from 230 V). */
  nodes: { id: string; worstVolts: number }[];
  cables: { id: string; loadingPct: number | null; currentAmps: number }[];
  transformerLoadingPct: number;
  vMin: number;
  vMax: number;
  /** Breaches at the design load, in words ("cable c4 is at 130 % of its rating at 2 kW a home"). */
  warnings: string[];
}

/**
 * Solves the drawn street with every home drawing `designKwPerHome` (an after-diversity design load: about
 * 2 kW a home today, more with EVs and heat pumps) and says what breaks.
 */
export function solveDrawing(drawing: StreetDrawing, designKwPerHome: number): DrawingSolution {
  const network = drawingToNetwork(drawing, () => designKwPerHome);
  const solver = new PowerFlowSolver(network);
  const result = solver.solve('design load');
  const busIndex = solver.topology.busIndex;
  const nodes = network.buses.map((bus) => {
    const index = (busIndex.get(bus.name) ?? 0) * 3;
    let worst = Number.NaN;
    for (let phase = 0; phase < 3; phase++) {
      const volts = result.busVoltsMag[index + phase] as number;
      if (!(Math.abs(volts - 230) <= Math.abs(worst - 230))) worst = volts;
    }
    return { id: bus.name, worstVolts: worst };
  });
  const lineIndex = new Map(network.lines.map((line, index) => [line.name, index]));
  const cables = network.lines.map((line) => {
    const index = lineIndex.get(line.name) as number;
    const pct = result.lineLoadingPct[index] as number;
    let amps = 0;
    for (let phase = 0; phase < 3; phase++)
      amps = Math.max(amps, result.lineCurrentAmps[index * 3 + phase] as number);
    return { id: line.name, loadingPct: Number.isFinite(pct) ? pct : null, currentAmps: amps };
  });
  const warnings: string[] = [];
  const at = `at ${designKwPerHome} kW a home`;
  if (!result.converged)
    warnings.push(`the power flow did not converge ${at}: the street is too weak for that load`);
  for (const cable of cables)
    if (cable.loadingPct !== null && cable.loadingPct > 100)
      warnings.push(
        `cable ${cable.id} is at ${Math.round(cable.loadingPct)} % of its rating ${at}: use a bigger cable type`,
      );
  if (result.transformerLoadingPct > 100)
    warnings.push(
      `the transformer is at ${Math.round(result.transformerLoadingPct)} % of ${drawing.substation.ratedKva} kVA ${at}`,
    );
  const low = nodes.filter((node) => node.worstVolts < 216.2);
  if (low.length > 0)
    warnings.push(
      `${low.length === 1 ? `point ${low[0]?.id} is` : `${low.length} points are`} below 216.2 V ${at} (lowest ${Math.min(...low.map((n) => n.worstVolts)).toFixed(1)} V)`,
    );
  const high = nodes.filter((node) => node.worstVolts > 253);
  if (high.length > 0) warnings.push(`${high.length} point(s) above 253 V ${at}`);
  return {
    converged: result.converged,
    designKwPerHome,
    nodes,
    cables,
    transformerLoadingPct: result.transformerLoadingPct,
    vMin: result.vMin.volts,
    vMax: result.vMax.volts,
    warnings,
  };
}
