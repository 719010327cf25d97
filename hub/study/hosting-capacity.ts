/**
 * The street's hosting capacity: the largest even load on every home that the feeder carries with every
 * customer inside the statutory band, every rated cable under its ampacity and the transformer(s) under
 * their rating, found by bisection on the full power flow. What binds on an LV street is usually the
 * voltage at its far end or a cable, well before the transformer's nameplate. Pure: no I/O.
 */
import { ConvergenceError } from '../errors.js';
import {
  type FeederNetwork,
  PHASES,
  type PowerFlowResult,
  PowerFlowSolver,
  STATUTORY_VOLTS,
  voltageIndexOf,
} from '../feeder/index.js';
import type { Scenario } from '../scenarios/resolve.js';
import { homeLoadConnections } from './street-context.js';

/** Reactive over active power of each home at 0.95 PF lagging. */
const KVAR_PER_KW = Math.tan(Math.acos(0.95));
/** Bisection stops when the bracket is narrower than this share of the capacity. */
const RELATIVE_TOLERANCE = 0.002;

/** The hosting capacity and how it was found. */
export interface HostingCapacity {
  /** Total of the homes' loads at the capacity, kW. */
  streetKw: number;
  /** What the transformer(s) then carry: the homes' loads and the line losses, kW. */
  substationKw: number;
  perHomeKw: number;
  homeCount: number;
  /** The transformers' nameplate, kVA (the capacity never exceeds it, taken as kW). */
  nameplateKva: number;
  /** The limit that binds at the capacity, in words (e.g. "the voltage at bus 34 phase B"). */
  binding: string;
  /** How it was found, in one sentence for the report. */
  method: string;
}

/** The first limit an even load of `perHomeKw` on every home breaks, or undefined if it breaks none. */
type LimitCheck = (perHomeKw: number) => { broken?: string; substationKw: number };

/**
 * The largest even load per home (0.95 PF lagging) that keeps every customer's supply point within
 * 216.2–253 V, every rated line at or under 100 % and the transformers at or under their rating.
 */
export function hostingCapacity(feeder: FeederNetwork, scenario: Scenario): HostingCapacity {
  const homeCount = scenario.homes.length;
  const nameplateKva = feeder.transformers.reduce((sum, transformer) => sum + transformer.ratedKva, 0);
  const check = limitCheck(feeder, scenario);
  const broken = (perHomeKw: number) => check(perHomeKw).broken;
  const method = `bisection on the full power flow with the same load on each of the ${homeCount} homes at 0.95 PF, until every customer is within ${STATUTORY_VOLTS.min}–${STATUTORY_VOLTS.max} V, every rated cable at or under 100 % and the transformer at or under its ${nameplateKva} kVA`;
  const figures = (perHomeKw: number, binding: string): HostingCapacity => ({
    streetKw: perHomeKw * homeCount,
    substationKw: check(perHomeKw).substationKw,
    perHomeKw,
    homeCount,
    nameplateKva,
    binding,
    method,
  });
  const atNoLoad = broken(0);
  if (atNoLoad !== undefined) return figures(0, `${atNoLoad}, with no load at all`);
  let low = 0;
  let high = nameplateKva / homeCount;
  let binding = broken(high);
  if (binding === undefined) return figures(high, 'the transformer nameplate');
  while (high - low > RELATIVE_TOLERANCE * high) {
    const middle = (low + high) / 2;
    const limit = broken(middle);
    if (limit === undefined) low = middle;
    else {
      high = middle;
      binding = limit;
    }
  }
  return figures(low, binding);
}

/** A check of every limit at an even load per home (one power flow a call). */
function limitCheck(feeder: FeederNetwork, scenario: Scenario): LimitCheck {
  const solver = new PowerFlowSolver(feeder, homeLoadConnections(scenario), { maxIterations: 50 });
  const busIndex = new Map(feeder.buses.map((bus, index) => [bus.name, index]));
  const customerStates = [
    ...new Set(scenario.homes.map(({ spec }) => voltageIndexOf(busIndex, spec.bus, spec.phase))),
  ];
  return (perHomeKw) => {
    solver.loadPKw.fill(perHomeKw);
    solver.loadQKvar.fill(perHomeKw * KVAR_PER_KW);
    let flow: PowerFlowResult;
    try {
      flow = solver.solve('hosting capacity');
    } catch (error) {
      if (!(error instanceof ConvergenceError)) throw error;
      return { broken: 'the power flow (no solution: voltage collapse)', substationKw: Number.NaN };
    }
    const broken = brokenLimit(feeder, flow, customerStates);
    return { ...(broken !== undefined ? { broken } : {}), substationKw: flow.substationPTotalKw };
  };
}

/** The first limit a power flow breaks, in words. */
function brokenLimit(
  feeder: FeederNetwork,
  flow: PowerFlowResult,
  customerStates: readonly number[],
): string | undefined {
  for (const state of customerStates) {
    const volts = flow.busVoltsMag[state] as number;
    if (volts < STATUTORY_VOLTS.min || volts > STATUTORY_VOLTS.max) {
      const bus = feeder.buses[Math.floor(state / 3)]?.name ?? String(Math.floor(state / 3));
      return `the voltage at bus ${bus} phase ${PHASES[state % 3]} (${volts.toFixed(1)} V)`;
    }
  }
  for (let line = 0; line < feeder.lines.length; line++) {
    const loadingPct = flow.lineLoadingPct[line] as number;
    if (loadingPct > 100)
      return `the rating of line ${feeder.lines[line]?.name} (${loadingPct.toFixed(0)} %)`;
  }
  if (flow.transformerLoadingPct > 100) return 'the transformer rating';
  return undefined;
}
