/**
 * Assembles the Street for a scenario's year run (or its first days): the year's world, the homes with
 * their policies and tariffs, and the participants in step order; `finish()` turns the recorders into
 * the run's result.
 */
import { createPolicy, type Policy, type PolicyOptions } from '../agents/index.js';
import type { BaseLoadLibrary } from '../environment/base-load.js';
import type { RepresentativeYear } from '../environment/year.js';
import { InputError } from '../errors.js';
import { type FeederNetwork, voltageIndexOf } from '../feeder/index.js';
import { initialHomeState } from '../homes/index.js';
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
import { BillsRecorder, emptySeries, NetworkRecorder } from './participants/recorder.js';
import { ResidentAgents } from './participants/residents.js';
import { TariffReviews } from './participants/tariffs.js';
import { Street } from './street.js';
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
  /** Simulate only this many days from the scenario's start (e.g. 7 for a quick look). */
  days?: number;
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
  const days = Math.max(1, Math.min(options.days ?? scenario.days, scenario.days));
  const rng = createRng(scenario.seed);
  const policies = await policiesByName(scenario, policyName, options);
  const world = new YearWorld(
    scenario,
    inputs.year,
    inputs.baseLoadLibrary,
    { startDay: scenario.startDay, days },
    rng,
  );
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
  const series = (options.recordSeries ?? true) ? emptySeries(homes.length, world.stepCount) : undefined;
  const market = createMarketRun(
    scenario.marketModule,
    homes.map((home) => home.spec),
    { stepMinutes: world.stepMinutes, stepCount: world.stepCount, nominalVoltsLn: NOMINAL_VOLTS_LN },
  );
  const bills = new BillsRecorder(homes, world, ledgers, series);
  const network = new NetworkRecorder(feeder, homes, world.stepMinutes, series);
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
    const cannotKeep = cannotKeepCounts(decisions);
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
      startDay: scenario.startDay,
      days,
      stepMinutes: world.stepMinutes,
      stepCount: world.stepCount,
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
      switchingLog: [...switching.log()],
      decisions,
      timing,
      ...(marketOutcome ? { market: marketOutcome } : {}),
      networkStress: network.stress.result(),
      ...(influence ? { influence: influence.outcome } : {}),
      ...(links ? { links: links.outcome() } : {}),
    };
  };
  return { street, world, stepCount: world.stepCount, redTeam, switching, decisions, finish };
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
