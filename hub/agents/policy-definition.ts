/**
 * How a policy is defined: a name, a sentence for people, whether it plans against the street, and a
 * constructor. Each policy's file in ./policies/ defines one; the registry (./registry.ts) lists them.
 */
import type { Highs } from 'highs';
import type { HomeSpec } from '../homes/index.js';
import type { FleetPolicyOptions, HomeProblem, NetworkView } from './fleet.js';
import type { Policy, TariffChoice } from './policy.js';
import type { SelfishPolicyOptions } from './selfish.js';

/** Options passed to every policy that takes them. */
export interface PolicyOptions {
  selfish?: SelfishPolicyOptions;
  /** How far ahead the street policies plan and how often (default: the year's, a day and a half every day). */
  fleet?: FleetPolicyOptions;
}

/** The street a street policy plans against: its limits, each home's LP, and the study's prices. */
export interface PolicyStreet {
  network: NetworkView;
  /** Each home's optimisation problem over a horizon of steps. */
  problems: (home: HomeSpec, horizonSteps: number) => HomeProblem;
  /** Load-dependent network price the Nash homes answer, £/kWh per kW of street import (0: none). */
  loadPriceSlopeGbpPerKwhPerKw: number;
  /** Reinforcement cost of each kW of peak above the limit in the social cost, £/kW. */
  reinforcementGbpPerKw: number;
  /** Carbon price in the social cost, £/kg. */
  carbonPriceGbpPerKg: number;
}

/**
 * What `createPolicy` is given: the policies' options and, where there is a street, how to get it. The
 * street is built on the first call (its voltage model costs two power flows per home), so a caller hands
 * over a function and only street policies pay for it.
 */
export interface PolicyContext extends PolicyOptions {
  street?: () => PolicyStreet;
}

/** One policy of the registry. */
export interface PolicyDefinition<Name extends string = string> {
  /** The name in `--policy`, scenario files, sweep grids and the dashboard. */
  readonly name: Name;
  /** What the policy does, in one sentence for the room. */
  readonly description: string;
  /** Plans against the street (its limit and voltages): needs a context with `street`. */
  readonly needsStreet: boolean;
  /** Run as one of the live table's shadow runs when the map names none (default true). */
  readonly liveShadow?: boolean;
  /**
   * The live hub plans it in its own thread, not in the plan thread with the others (its plans come over
   * the hub's broker). Default false.
   */
  readonly liveInHubThread?: boolean;
  /**
   * What an instance made with `options` will say of itself, without making one: the live hub's stand-ins in
   * its own thread need no more while the plan thread plans (hub/table/live-planner.ts).
   */
  schedule(options: PolicyOptions): PolicySchedule;
  /** A fresh instance (policies keep per-home solver state: one instance per run). */
  create(context: PolicyContext & { street: () => PolicyStreet; highs: Highs }): Policy;
}

/** A policy's planning window, tariff chooser and kind, as its instances have them. */
export interface PolicySchedule {
  readonly horizonSteps: number;
  readonly replanEverySteps: number;
  readonly tariffChoice: TariffChoice;
  /** Plans the homes together (`planFleet`, hub/agents/fleet.ts). */
  readonly fleet: boolean;
}

/** A planning window from a policy's options: by default a day and a half of half-hours, re-planned daily. */
export function planningWindow(options: { horizonSteps?: number; replanEverySteps?: number } = {}) {
  return { horizonSteps: options.horizonSteps ?? 72, replanEverySteps: options.replanEverySteps ?? 48 };
}

/** Defines a policy for the registry's list (the identity, typed: it keeps the name's literal type). */
export function definePolicy<Name extends string>(
  definition: PolicyDefinition<Name>,
): PolicyDefinition<Name> {
  return definition;
}
