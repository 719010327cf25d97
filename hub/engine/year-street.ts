/**
 * Assembles the Street for a scenario's year run (or its first days): the year's world, the homes with
 * their policies and tariffs, and the participants in step order; `finish()` turns the recorders into
 * the run's result.
 */
import { isFleetPolicy } from '../agents/fleet.js';
import { createPolicy, type Policy, type PolicyOptions } from '../agents/index.js';
import type { BaseLoadLibrary } from '../environment/base-load.js';
import { STEPS_PER_DAY } from '../environment/calendar.js';
import type { RepresentativeYear } from '../environment/year.js';
import { InputError } from '../errors.js';
import { type FeederNetwork, voltageIndexOf } from '../feeder/index.js';
import { initialHomeState } from '../homes/index.js';
import { MARKET_MODULES } from '../market/modules.js';
import { SupplierLedger } from '../market/supplier.js';
import { SwitchingSystem } from '../market/switching.js';
import type { Tariff } from '../market/tariff.js';
import { createRng } from '../random.js';
import { yearSwitching } from '../redteam/red-team.js';
import { buildRedTeam, type RedTeamRun, type RedTeamSection, redTeamSettings } from '../redteam/registry.js';
import type { Scenario } from '../scenarios/resolve.js';
import { createMarketRun } from '../sim/market-step.js';
import { buildSocialGraph } from '../social/registry.js';
import { StreetLinks } from './links.js';
import { type DecisionEntry, emptyTiming, type SupplierOutcome, type YearResult } from './outcomes.js';
import { HomePhysics, HomeStepWatch, type OnHomeStep, WorldInputs } from './participants/homes.js';
import { SocialInfluence } from './participants/influence.js';
import { MarketModuleStep } from './participants/market.js';
import { PowerFlowStep } from './participants/power-flow.js';
import {
  BillsRecorder,
  type CountedSpan,
  emptySeries,
  NetworkRecorder,
  switchCounted,
} from './participants/recorder.js';
import { ResidentAgents } from './participants/residents.js';
import { TariffReviews } from './participants/tariffs.js';
import { Street, type StreetParticipant } from './street.js';
import { emptyForecast, NOMINAL_VOLTS_LN, type StreetHome } from './street-home.js';
import { YearWorld } from './year-world.js';

/** Everything a run reads, already loaded and validated. */
export interface RunInputs {
  scenario: Scenario;
  feeder: FeederNetwork;
  year: RepresentativeYear;
  /** Measured daily profiles the synthetic base loads are drawn from. */
  baseLoadLibrary: BaseLoadLibrary;
}

/** How to build a year street. */
export interface YearStreetOptions {
  /** The first day of the span counted (0 = 1 January; default: the scenario's `time.startDay`). */
  startDay?: number;
  /**
   * Simulate only this many days from the start (e.g. 7 for a quick look): at most the scenario's `time.days`,
   * and never past the year's end.
   */
  days?: number;
  /**
   * Days simulated before the start and left out of every figure (bills, network, coordination, logs), so the
   * span opens from the state the policy itself leads to rather than the scenario's initial one (default 0).
   */
  warmUpDays?: number;
  policyOptions?: PolicyOptions;
  /** Keep the per-step series (default true). */
  recordSeries?: boolean;
  onHomeStep?: OnHomeStep;
  /** Makes the policy for a name (default: the registry's); fleet policies need the street. */
  createPolicy?: (name: string) => Policy | Promise<Policy>;
  /** The attacks and defences instead of the scenario's `redTeam:` section. */
  redTeam?: RedTeamSection;
}

/** A year street ready to step, and how to read its result. */
export interface YearStreet {
  street: Street;
  world: YearWorld;
  stepCount: number;
  /** What the red team's attacks and defences did. */
  redTeam: RedTeamRun;
  /** The tariff switching system the homes' requests go through (capacity and lag). */
  switching: SwitchingSystem;
  /** The run's decision log (decisions.jsonl), in step order. */
  decisions: DecisionEntry[];
  /** Releases the policies' solvers and returns the run's result. */
  finish(totalMs: number): YearResult;
}

/**
 * Builds the street for `policyName` on every home, or each home's own scenario policy when undefined.
 */
export async function buildYearStreet(
  inputs: RunInputs,
  policyName: string | undefined,
  options: YearStreetOptions = {},
): Promise<YearStreet> {
  const { scenario, feeder } = inputs;
  const span = runSpan(inputs, options);
  const { days } = span;
  const rng = createRng(scenario.seed);
  const policies = await policiesByName(scenario, policyName, options);
  const world = new YearWorld(
    scenario,
    inputs.year,
    inputs.baseLoadLibrary,
    { startDay: span.startDay - span.warmUpDays, days: span.warmUpDays + days },
    rng,
  );
  const counted = countedSpan(world, span.warmUpDays);
  const homes = streetHomes(inputs, world, (name) => policies.get(policyName ?? name) as Policy, policies);

  const timing = emptyTiming();
  const decisions: DecisionEntry[] = [];
  const ledgers = new Map(
    scenario.catalogue.suppliers.map((supplier) => [
      supplier.id,
      new SupplierLedger(supplier, scenario.catalogue.networkCharges),
    ]),
  );
  const redTeamSection = options.redTeam ?? scenario.redTeam;
  const settings = redTeamSettings(redTeamSection, {
    switchingCapacityPerWorkingDay: scenario.switching.capacityPerWorkingDay,
  });
  const switching = new SwitchingSystem(scenario.regulator, {
    capacityPerWorkingDay: settings.switchingCapacityPerWorkingDay,
  });
  const series =
    (options.recordSeries ?? true) ? emptySeries(homes.length, world.stepCount - counted.step) : undefined;
  const market = createMarketRun(
    scenario.marketModule,
    homes.map((home) => home.spec),
    { stepMinutes: world.stepMinutes, stepCount: world.stepCount, nominalVoltsLn: NOMINAL_VOLTS_LN },
  );
  const bills = new BillsRecorder(homes, world, ledgers, series, counted);
  const network = new NetworkRecorder(feeder, homes, world.stepMinutes, series, counted);
  const redTeamPolicies: Policy[] = [];
  const redTeam = await buildRedTeam(redTeamSection, {
    homes,
    world,
    switching: yearSwitching(switching),
    valuation: scenario.valuation,
    seed: scenario.seed,
    // From the registry: a run's own createPolicy may hand every name the run's one policy (the studies).
    makePolicy: async (name) => {
      const policy = await createPolicy(name, options.policyOptions);
      redTeamPolicies.push(policy);
      return policy;
    },
    problem: (path, expected, found) =>
      new InputError(scenario.file, `${path}: expected ${expected}, found ${JSON.stringify(found)}`),
  });
  const influence = await socialInfluence(scenario, homes, policies, options, switching, decisions);
  const links = scenario.links ? new StreetLinks(scenario.links, homes, scenario.seed) : undefined;
  const street = new Street(
    homes,
    redTeam.place([
      ...(counted.step > 0 ? [warmUpEnd(counted.step, policies)] : []),
      ...(influence ? [influence] : []),
      new TariffReviews(
        homes,
        world,
        scenario,
        switching,
        rng.fork('switch-acceptance'),
        decisions,
        bills.switched,
      ),
      new ResidentAgents(homes, world, scenario.valuation, decisions, timing, {}, links),
      new WorldInputs(homes, world),
      new MarketModuleStep(homes, world, market),
      new HomePhysics(homes, world),
      new PowerFlowStep(feeder, homes, market, timing),
      ...(options.onHomeStep ? [new HomeStepWatch(homes, options.onHomeStep)] : []),
      bills,
      ...(influence ? [influence.peakRecorder] : []),
      network,
    ]),
    world,
  );

  const finish = (totalMs: number): YearResult => {
    for (const policy of [...policies.values(), ...redTeamPolicies]) policy.dispose();
    const spanDecisions = countedDecisions(decisions, counted.step);
    const cannotKeep = cannotKeepCounts(spanDecisions);
    const outcomes = bills.outcomes.map((outcome, index) => {
      outcome.tariffAtEnd = (homes[index] as StreetHome).tariff.id;
      outcome.cannotKeepCount = cannotKeep.get(outcome.home) ?? 0;
      return outcome;
    });
    timing.totalMs = totalMs;
    timing.bookkeepingMs = totalMs - timing.powerFlowMs - timing.optimisationMs;
    const marketOutcome = market.outcome();
    return {
      scenario: scenario.name,
      policy: policyName ?? 'scenario',
      seed: scenario.seed,
      startDay: span.startDay,
      days,
      ...(span.warmUpDays > 0 ? { warmUpDays: span.warmUpDays } : {}),
      stepMinutes: world.stepMinutes,
      stepCount: world.stepCount - counted.step,
      homes: outcomes,
      network: network.network,
      suppliers: supplierOutcomes(ledgers, homes),
      totals: {
        billsGbp: outcomes.reduce((sum, home) => sum + home.billGbp, 0),
        carbonKg: outcomes.reduce((sum, home) => sum + home.carbonKg, 0),
        importKwh: outcomes.reduce((sum, home) => sum + home.importKwh, 0),
        exportKwh: outcomes.reduce((sum, home) => sum + home.exportKwh, 0),
      },
      ...(series ? { series } : {}),
      switchingLog: switching.log().filter((entry) => switchCounted(entry, counted)),
      decisions: spanDecisions,
      timing,
      ...(marketOutcome ? { market: marketOutcome } : {}),
      networkStress: network.stress.result(),
      ...(influence ? { influence: influence.outcome } : {}),
      ...(links ? { links: links.outcome() } : {}),
    };
  };
  return { street, world, stepCount: world.stepCount, redTeam, switching, decisions, finish };
}

/** The days a run counts, and those it simulates before them. */
export interface RunSpanDays {
  startDay: number;
  days: number;
  warmUpDays: number;
}

/** Sections whose own outcomes would count the warm-up: a run with one has no warm-up yet. */
const SECTIONS_WITHOUT_WARM_UP = ['socialGraph', 'links', 'redTeam'] as const;

/** What of the scenario keeps a run from a warm-up: a market module other than retail, or such a section. */
function sectionsWithoutWarmUp(scenario: Scenario): string[] {
  const retail = MARKET_MODULES[0].kind;
  const module = scenario.marketModule?.kind ?? retail;
  return [
    ...(module !== retail ? [`market module ${module}`] : []),
    ...SECTIONS_WITHOUT_WARM_UP.filter((section) => scenario[section] !== undefined),
  ];
}

/**
 * The run's span from the scenario and the options, each checked against the year (the CLI calls it before any
 * work, so a bad span is refused before a study's workers start).
 */
export function runSpan(inputs: RunInputs, options: YearStreetOptions): RunSpanDays {
  const { scenario, year } = inputs;
  const yearDays = Math.floor(year.stepCount / STEPS_PER_DAY);
  const startDay = options.startDay ?? scenario.startDay;
  const warmUpDays = options.warmUpDays ?? 0;
  const problem = (what: string) => new InputError(scenario.file, what);
  if (!Number.isInteger(startDay) || startDay < 0 || startDay >= yearDays)
    throw problem(`start day ${startDay}: expected a whole day from 0 to ${yearDays - 1}`);
  if (!Number.isInteger(warmUpDays) || warmUpDays < 0)
    throw problem(`warm-up days ${warmUpDays}: expected a whole number of days, 0 or more`);
  if (warmUpDays > startDay)
    throw problem(
      `warm-up days ${warmUpDays}: the warm-up would begin before the year's first day (the span starts on day ${startDay})`,
    );
  const present = sectionsWithoutWarmUp(scenario);
  if (warmUpDays > 0 && present.length > 0)
    throw problem(
      `warm-up days ${warmUpDays}: not with the scenario's ${present.join(', ')} (its outcomes would count the warm-up)`,
    );
  const days = Math.max(1, Math.min(options.days ?? scenario.days, scenario.days, yearDays - startDay));
  return { startDay, days, warmUpDays };
}

/** The run's first counted step and its minute of the year: the recorders book from there. */
function countedSpan(world: YearWorld, warmUpDays: number): CountedSpan {
  const step = warmUpDays * STEPS_PER_DAY;
  return { step, minute: world.minuteOfYear(step) };
}

/** At the span's first step the fleet policies' coordination figures start again, to count the span alone. */
function warmUpEnd(firstCountedStep: number, policies: ReadonlyMap<string, Policy>): StreetParticipant {
  return {
    name: 'warm-up-end',
    step(frame) {
      if (frame.step !== firstCountedStep) return;
      for (const policy of policies.values()) if (isFleetPolicy(policy)) policy.resetReport();
    },
  };
}

/** The span's entries of the decision log, their steps counted from the span's first. */
function countedDecisions(decisions: DecisionEntry[], firstCountedStep: number): DecisionEntry[] {
  if (firstCountedStep === 0) return decisions;
  return decisions
    .filter((entry) => entry.step >= firstCountedStep)
    .map((entry) => ({ ...entry, step: entry.step - firstCountedStep }));
}

/** The scenario's social graph as a participant (none without a `socialGraph:` section). */
async function socialInfluence(
  scenario: Scenario,
  homes: readonly StreetHome[],
  policies: Map<string, Policy>,
  options: YearStreetOptions,
  switching: SwitchingSystem,
  decisions: DecisionEntry[],
): Promise<SocialInfluence | undefined> {
  const section = scenario.socialGraph;
  if (!section) return undefined;
  const to = section.adoption?.to;
  if (to !== undefined && !policies.has(to))
    policies.set(
      to,
      await (options.createPolicy ? options.createPolicy(to) : createPolicy(to, options.policyOptions)),
    );
  const graph = buildSocialGraph(
    section,
    homes.map((home) => home.spec.id),
    scenario.seed,
  );
  const adopted = to === undefined ? undefined : policies.get(to);
  return new SocialInfluence(homes, graph, section, adopted, scenario, switching, decisions);
}

/** One policy instance per name: policies keep per-home solver state. */
async function policiesByName(
  scenario: Scenario,
  policyName: string | undefined,
  options: YearStreetOptions,
): Promise<Map<string, Policy>> {
  const policies = new Map<string, Policy>();
  for (const home of scenario.homes) {
    const name = policyName ?? home.policy;
    if (policies.has(name)) continue;
    policies.set(
      name,
      await (options.createPolicy ? options.createPolicy(name) : createPolicy(name, options.policyOptions)),
    );
  }
  return policies;
}

function streetHomes(
  inputs: RunInputs,
  world: YearWorld,
  policyOf: (scenarioPolicy: string) => Policy,
  policies: ReadonlyMap<string, Policy>,
): StreetHome[] {
  const { scenario, feeder } = inputs;
  const maxHorizon = Math.max(...[...policies.values()].map((policy) => policy.horizonSteps));
  const tariffs = new Map(scenario.catalogue.tariffs.map((tariff) => [tariff.id, tariff]));
  const busIndex = new Map(feeder.buses.map((bus, index) => [bus.name, index]));
  const firstMinute = world.minuteOfYear(0);
  return scenario.homes.map((resolved, index) => ({
    index,
    spec: resolved.spec,
    policy: policyOf(resolved.policy),
    state: initialHomeState(resolved.spec),
    tariff: tariffs.get(resolved.tariffId) as Tariff,
    contractStartMinute: firstMinute,
    planSlot: 0,
    forecast: emptyForecast(maxHorizon),
    voltageIndex: voltageIndexOf(busIndex, resolved.spec.bus, resolved.spec.phase),
    voltsLn: NOMINAL_VOLTS_LN,
    meteredImportKwh: new Float64Array(world.stepCount),
    meteredExportKwh: new Float64Array(world.stepCount),
  }));
}

/** Promises each home's plans said they could not keep (comfort, EV ready-by), by home. */
function cannotKeepCounts(decisions: readonly DecisionEntry[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const entry of decisions) {
    if (entry.kind === 'cannot-keep') counts.set(entry.home, (counts.get(entry.home) ?? 0) + 1);
  }
  return counts;
}

function supplierOutcomes(
  ledgers: ReadonlyMap<string, SupplierLedger>,
  homes: readonly StreetHome[],
): SupplierOutcome[] {
  const customers = new Map<string, number>();
  for (const home of homes)
    customers.set(home.tariff.supplierId, (customers.get(home.tariff.supplierId) ?? 0) + 1);
  return [...ledgers.values()].map((ledger) => {
    const pnl = ledger.pnl();
    return {
      supplier: pnl.supplierId,
      profitGbp: pnl.profitGbp,
      customers: customers.get(pnl.supplierId) ?? 0,
      billRevenueGbp: pnl.billRevenueGbp,
      wholesaleCostGbp: pnl.wholesaleCostGbp,
      networkCostGbp: pnl.networkCostGbp,
    };
  });
}
