/**
 * How a market module is defined: its `kind` in the scenario's `market.module`, the zod schema of that
 * section, how it is resolved against the feeder and homes, the run it adds to every step (the MarketRun
 * contract), and the files and metrics it writes. Each module's file in ./modules/ defines one; the registry
 * (./modules.ts) lists them.
 */
import type { z } from 'zod';
import type { FeederNetwork, LoadConnection } from '../feeder/index.js';
import type { HomeSetpoints, HomeSpec, HomeState, HomeStepInputs, HomeStepResult } from '../homes/index.js';
import { stepHome } from '../homes/index.js';

/** How one home's step settles beyond its supplier's tariff. */
export interface HomeSettlement {
  /** kWh drawn from the shared battery this step (netted off the supplier's metered import). */
  drawnKwh: number;
  /** kWh stored in the shared battery this step (netted off the supplier's metered export). */
  storedKwh: number;
  /** Added to the home's bill, £ (negative = a credit or a payment received). */
  billGbp: number;
  /** The home's setpoints were changed: its agent re-plans at the next step. */
  replan: boolean;
}

/** What the module sees of one step. Arrays follow the homes' order. */
export interface MarketStepInput {
  step: number;
  minuteOfYear: number;
  /** The agents' setpoints; the module may lower them. */
  setpoints: HomeSetpoints[];
  inputs: readonly HomeStepInputs[];
  states: readonly HomeState[];
  /** The home's import / export price at a step of the run (steps past the end wrap), £/kWh. */
  importPriceGbpPerKwh: (homeIndex: number, step: number) => number;
  exportPriceGbpPerKwh: (homeIndex: number, step: number) => number;
}

/**
 * A module inside a run (pure). Before the homes step, the runner hands over every home's setpoints for the
 * step; the module may change them and says how each home's step settles.
 */
export interface MarketRun<Outcome = object> {
  /** Power-flow loads the module adds after the homes' (the shared battery). */
  readonly loads: LoadConnection[];
  /** Their power this step (set by step()), kW, charge positive. */
  readonly loadPKw: Float64Array;
  step(input: MarketStepInput): readonly HomeSettlement[];
  /** What the module did over the run (undefined for retail). */
  outcome(): Outcome | undefined;
}

export interface MarketRunOptions {
  stepMinutes: number;
  stepCount: number;
  /** Line-to-neutral volts at which an added load draws its nominal power. */
  nominalVoltsLn: number;
}

/** What resolving a scenario's `market.module` section may use. */
export interface MarketModuleContext {
  /** The scenario file (for messages). */
  file: string;
  feeder: FeederNetwork;
  /** The scenario's home ids, in order. */
  homeIds: readonly string[];
  /** Finds a file named in the scenario (relative to it, else to the repository root); throws if absent. */
  locate: (path: string, key: string) => string;
  /** Makes the error for a scenario path: what was expected, what was found. */
  problem: (path: string, expected: string, found: unknown) => Error;
}

/** One market module of the registry. */
export interface MarketModuleDefinition<
  Kind extends string = string,
  Schema extends z.core.$ZodTypeDiscriminable = z.core.$ZodTypeDiscriminable,
  Module extends { kind: Kind } = { kind: Kind },
  Outcome extends { kind: Kind } = { kind: Kind },
  Files extends Record<string, string> = Record<string, string>,
  Figures extends object = object,
> {
  /** `market.module.kind` in a scenario. */
  readonly kind: Kind;
  /** What the module does, in one sentence. */
  readonly description: string;
  /** The scenario's section, with `kind: z.literal(kind)`. */
  readonly schema: Schema;
  /** The files the module writes beside metrics.json, by key. */
  readonly files: Files;
  /** The section resolved against the feeder and homes (files it names are read here); throws context.problem. */
  resolve(entry: z.output<Schema>, context: MarketModuleContext): Module;
  createRun(module: Module, homes: readonly HomeSpec[], options: MarketRunOptions): MarketRun<Outcome>;
  /** The files' texts for an outcome: [file name, text]. */
  outputFiles(outcome: Outcome, startDay: number, stepMinutes: number): [name: string, text: string][];
  /** The module's keys in metrics.json (without per-step series). */
  metrics(outcome: Outcome): Figures;
  /**
   * What the module's counterparty (the network operator, the street's scheme) gained from the homes over the
   * run, £ (negative: what it paid them). The homes' bills count it; the study's social cost nets it out, as
   * money that only moved between the homes and that party.
   */
  counterpartyGainGbp(outcome: Outcome): number;
}

/** Defines a market module for the registry's list (the identity, typed). */
export function defineMarketModule<
  Kind extends string,
  Schema extends z.core.$ZodTypeDiscriminable,
  Module extends { kind: Kind },
  Outcome extends { kind: Kind },
  Files extends Record<string, string>,
  Figures extends object,
>(
  definition: MarketModuleDefinition<Kind, Schema, Module, Outcome, Files, Figures>,
): MarketModuleDefinition<Kind, Schema, Module, Outcome, Files, Figures> {
  return definition;
}

/** A settlement with nothing to settle. */
export function emptySettlement(): HomeSettlement {
  return { drawnKwh: 0, storedKwh: 0, billGbp: 0, replan: false };
}

/**
 * Each home's step on a copy of its state: exactly what the real step will give (the voltage is the
 * previous power flow's in both).
 */
export function previewHomes(homes: readonly HomeSpec[], input: MarketStepInput): HomeStepResult[] {
  return homes.map((spec, index) =>
    stepHome(
      spec,
      { ...(input.states[index] as HomeState) },
      input.setpoints[index] as HomeSetpoints,
      input.inputs[index] as HomeStepInputs,
    ),
  );
}

/** Where the module's section sits in a scenario file (for messages). */
export const MARKET_MODULE_PATH = 'market.module';
