/**
 * The feeder as data: what the loaders produce and the solver consumes.
 * Impedances are in ohms, voltages in volts, powers in kW/kvar; lengths in km.
 */

export type Phase = 'A' | 'B' | 'C';
export const PHASES: readonly Phase[] = ['A', 'B', 'C'];

/** Where a bus-phase sits in a power flow's voltage arrays (`bus * 3 + phase`); an unknown bus counts as 0. */
export function voltageIndexOf(busIndex: ReadonlyMap<string, number>, bus: string, phase: Phase): number {
  return (busIndex.get(bus) ?? 0) * 3 + PHASES.indexOf(phase);
}

/** How a load's power depends on its voltage (the ZIP corners). */
export type LoadModel = 'constant-power' | 'constant-current' | 'constant-impedance';

/** Voltage exponent of each load model: S(V) = S0 · (|V| / Vnominal)^exponent. */
export const LOAD_MODEL_EXPONENT: Readonly<Record<LoadModel, number>> = {
  'constant-power': 0,
  'constant-current': 1,
  'constant-impedance': 2,
};

/** Where an element was defined, e.g. `Lines.csv row 57`; used in error messages. */
export type Origin = string;

/** A load connected phase-to-neutral (wye) on one or three phases of an LV bus. */
export interface LoadConnection {
  name: string;
  bus: string;
  /** One phase for a single-phase load, all three for a balanced three-phase load. */
  phases: Phase[];
  model: LoadModel;
  /** Voltage at which the load draws its nominal power, line-to-neutral. */
  nominalVoltsLn: number;
  /** Nominal active power over all its phases (negative = export). */
  pKw: number;
  /** Nominal reactive power over all its phases. */
  qKvar: number;
  /** Name of the 1-minute daily profile this load follows, if the feeder gives one. */
  profile?: string;
  origin?: Origin;
}

/** Sequence impedances of a cable or line type; the phase matrix is built from them. */
export interface LineCode {
  name: string;
  r1OhmPerKm: number;
  x1OhmPerKm: number;
  r0OhmPerKm: number;
  x0OhmPerKm: number;
  /** Thermal rating, if known; loading is reported only for rated lines. */
  ampacityAmps?: number;
  origin?: Origin;
}

export interface LineSection {
  name: string;
  fromBus: string;
  toBus: string;
  lengthKm: number;
  lineCode: string;
  origin?: Origin;
}

/** A Delta–grounded-wye (Dyn) distribution transformer fed from the source bus. */
export interface TransformerSpec {
  name: string;
  hvBus: string;
  lvBus: string;
  ratedKva: number;
  hvKvLl: number;
  lvKvLl: number;
  /** Total winding resistance, % on the rated base. */
  resistancePct: number;
  /** Leakage reactance, % on the rated base. */
  reactancePct: number;
  /** How far the LV positive-sequence voltage lags the HV one (30° for Dyn1/Dyn11 as modelled here). */
  lvLagDeg: number;
  origin?: Origin;
}

/** The upstream grid: an ideal balanced source behind its positive-sequence short-circuit impedance. */
export interface SourceSpec {
  bus: string;
  kvLl: number;
  voltagePu: number;
  angleDeg: number;
  /** Positive- (and negative-) sequence impedance at the source voltage. */
  z1Ohm: { re: number; im: number };
}

/** A 1-minute daily load profile. */
export interface LoadProfile {
  /** kW (if `isActualKw`) or a multiplier of the load's nominal kW, one value per minute. */
  values: Float64Array;
  isActualKw: boolean;
}

export interface FeederNetwork {
  name: string;
  /** Folder the feeder was read from. */
  dir: string;
  source: SourceSpec;
  transformers: TransformerSpec[];
  /** LV buses, in file order. */
  buses: { name: string; x?: number; y?: number }[];
  lineCodes: Map<string, LineCode>;
  lines: LineSection[];
  loads: LoadConnection[];
  /** Daily profiles by name (empty when the feeder has none). */
  profiles: Map<string, LoadProfile>;
  /**
   * Why the loads' named profiles could not all be read (a missing LoadShapes.csv or shape). `loadFeeder`
   * throws it unless the caller gives every load's power itself (`gridflex powerflow --loads`).
   */
  loadShapesProblem?: Error;
}

/** Statutory band at the customer in GB (ESQCR 2002): 230 V +10 % / −6 %. */
export const STATUTORY_VOLTS = { min: 216.2, max: 253 } as const;
