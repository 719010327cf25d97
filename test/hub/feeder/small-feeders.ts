import type { FeederNetwork, LoadConnection, LoadModel } from '../../../hub/feeder/index.js';

/** Source and transformer of the IEEE EU LV feeder, so small test feeders see realistic impedances. */
export const IEEE_SOURCE = { bus: 'SourceBus', kvLl: 11, voltagePu: 1.05, angleDeg: 0 };
/** No-load LV voltage line-to-neutral: 1.05 × 416 V / √3. */
export const NO_LOAD_VOLTS = (1.05 * 416) / Math.sqrt(3);

/** A straight feeder: bus b0 (transformer LV) → b1 → … → b<sections>, every section `lengthKm` of one code. */
export function straightFeeder(options: {
  sections: number;
  lengthKm: number;
  sourceZ1Ohm?: { re: number; im: number };
  r1: number;
  x1: number;
  r0: number;
  x0: number;
  loads?: LoadConnection[];
}): FeederNetwork {
  const buses = Array.from({ length: options.sections + 1 }, (_, index) => ({ name: `b${index}` }));
  return {
    name: 'straight',
    dir: '(memory)',
    source: { ...IEEE_SOURCE, z1Ohm: options.sourceZ1Ohm ?? { re: 0.51343, im: 2.05374 } },
    transformers: [
      {
        name: 'T1',
        hvBus: 'SourceBus',
        lvBus: 'b0',
        ratedKva: 800,
        hvKvLl: 11,
        lvKvLl: 0.416,
        resistancePct: 0.4,
        reactancePct: 4,
        lvLagDeg: 30,
      },
    ],
    buses,
    lineCodes: new Map([
      [
        'code',
        {
          name: 'code',
          r1OhmPerKm: options.r1,
          x1OhmPerKm: options.x1,
          r0OhmPerKm: options.r0,
          x0OhmPerKm: options.x0,
          ampacityAmps: 200,
        },
      ],
    ]),
    lines: Array.from({ length: options.sections }, (_, index) => ({
      name: `L${index + 1}`,
      fromBus: `b${index}`,
      toBus: `b${index + 1}`,
      lengthKm: options.lengthKm,
      lineCode: 'code',
    })),
    loads: options.loads ?? [],
    profiles: new Map(),
  };
}

export function load(
  name: string,
  bus: string,
  phases: LoadConnection['phases'],
  pKw: number,
  qKvar: number,
  model: LoadModel = 'constant-power',
): LoadConnection {
  return { name, bus, phases, model, nominalVoltsLn: 230, pKw, qKvar };
}
