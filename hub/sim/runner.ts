/**
 * The year runner: every home's agent plans, every home steps, the feeder power flow solves, the market
 * bills and switches — one step at a time over the scenario's span. Pure (no I/O): inputs come from
 * ./inputs.ts, outputs go to ./output.ts. Same inputs and seed, same numbers.
 */

import { isFleetPolicy } from '../agents/fleet.js';
import {
  createPolicy,
  type HomeForecast,
  type Plan,
  type PlanContext,
  type Policy,
  type PolicyOptions,
  setpointsAt,
} from '../agents/index.js';
import {
  type BaseLoadLibrary,
  createBaseLoadGenerator,
  TDCV_KWH_PER_YEAR,
} from '../environment/base-load.js';
import { clockLabel, MINUTES_PER_DAY, STEPS_PER_DAY } from '../environment/calendar.js';
import type { RepresentativeYear } from '../environment/year.js';
import {
  type FeederNetwork,
  type LoadConnection,
  PHASES,
  PowerFlowSolver,
  STATUTORY_VOLTS,
} from '../feeder/index.js';
import {
  drawEvPattern,
  type EvPattern,
  type HomeSetpoints,
  type HomeState,
  type HomeStepInputs,
  type HomeStepResult,
  initialHomeState,
  pvAvailableKw,
  stepHome,
} from '../homes/index.js';
import { evaluateSwitch } from '../market/evaluate-switch.js';
import { SupplierLedger } from '../market/supplier.js';
import { SwitchingSystem, type SwitchLogEntry } from '../market/switching.js';
import {
  type BillStep,
  type Eligibility,
  exportPriceGbpPerKwh,
  importPriceGbpPerKwh,
  networkChargeGbpPerKwh,
  standingChargeGbpPerDay,
  type Tariff,
} from '../market/tariff.js';
import { createRng } from '../random.js';
import type { ResolvedHome, Scenario } from '../scenarios/resolve.js';
import { createMarketRun, type HomeSettlement, type MarketOutcome } from './market-step.js';
import { type NetworkStress, NetworkStressTracker } from './network-stress.js';

/** Everything a run reads, already loaded and validated. */
export interface RunInputs {
  scenario: Scenario;
  feeder: FeederNetwork;
  year: RepresentativeYear;
  /** Measured daily profiles the synthetic base loads are drawn from. */
  baseLoadLibrary: BaseLoadLibrary;
}

/** Options of {@link runYear}. */
export interface RunOptions {
  /** Simulate only this many days from the scenario's start (e.g. 7 for a quick look). */
  days?: number;
  /** Options passed to the policies (horizon, re-plan interval). */
  policyOptions?: PolicyOptions;
  /** Keep the per-step series (default true; a study that needs only totals can save memory). */
  recordSeries?: boolean;
  /** Called after each simulated day with steps done and the total. */
  onProgress?: (stepsDone: number, stepCount: number) => void;
  /** Called after every home step with the home's index in `homes`, its flows and its new state (tests, live views). */
  onHomeStep?: (step: number, homeIndex: number, result: HomeStepResult, state: Readonly<HomeState>) => void;
  /**
   * Makes the policy for a name (default: the registry's createPolicy). Lets a study bring policies that
   * need the street (fleet policies: central, cooperative, Nash) or its own options.
   */
  createPolicy?: (name: string) => Policy | Promise<Policy>;
}

/** One logged decision of a resident's agent, with its explanation. */
export interface DecisionEntry {
  step: number;
  time: string;
  home: string;
  policy: string;
  kind: 'plan' | 'cannot-keep' | 'tariff-review';
  text: string;
}

export interface HomeOutcome {
  home: string;
  bus: string;
  phase: string;
  policy: string;
  assets: string[];
  tariffAtStart: string;
  tariffAtEnd: string;
  billGbp: number;
  importKwh: number;
  exportKwh: number;
  carbonKg: number;
  /** °C·h spent outside the comfort band (heat-pump homes; 0 otherwise). */
  comfortDegreeHoursOutside: number;
  /** kWh the EV lacked against the resident's target at departures. */
  evShortfallKwh: number;
  switches: number;
  /** Plans that said they could not keep a promise (comfort, EV ready-by). */
  cannotKeepCount: number;
  pvKwh: number;
  pvCurtailedKwh: number;
  heatPumpKwh: number;
  /** Heat the heat pump delivered; heatPumpHeatKwh / heatPumpKwh is its seasonal performance factor. */
  heatPumpHeatKwh: number;
  evChargeKwh: number;
  baseLoadKwh: number;
}

export interface NetworkOutcome {
  transformerPeakKw: number;
  transformerPeakLoadingPct: number;
  minVoltageV: number;
  maxVoltageV: number;
  /**
   * Σ over steps of (customer bus-phases outside 216.2–253 V) × step minutes: the statutory limits apply at
   * the customers' supply points, so buses with no home on that phase are not counted.
   */
  busMinutesOutsideStatutoryLimits: number;
  lossesKwh: number;
  /** Steps in which the transformer was loaded above 100 %. */
  transformerOverloadSteps: number;
}

export interface SupplierOutcome {
  supplier: string;
  profitGbp: number;
  /** Customers at the end of the run. */
  customers: number;
  billRevenueGbp: number;
  wholesaleCostGbp: number;
  networkCostGbp: number;
}

/** Per-step series; per-home arrays follow `homes` order. */
export interface RunSeries {
  substationKw: Float64Array;
  transformerLoadingPct: Float64Array;
  minVoltageV: Float64Array;
  maxVoltageV: Float64Array;
  homePKw: Float64Array[];
  /** Battery, else EV, state of charge in % (NaN for homes with neither). */
  homeSocPct: Float64Array[];
  /** Indoor temperature (NaN for homes without a heat pump). */
  homeIndoorC: Float64Array[];
}

export interface RunTiming {
  totalMs: number;
  powerFlowMs: number;
  optimisationMs: number;
  bookkeepingMs: number;
  plans: number;
  powerFlowSolves: number;
}

export interface YearResult {
  scenario: string;
  /** The policy every home ran, or "scenario" when each home ran its own. */
  policy: string;
  seed: number;
  startDay: number;
  days: number;
  stepMinutes: number;
  stepCount: number;
  homes: HomeOutcome[];
  network: NetworkOutcome;
  suppliers: SupplierOutcome[];
  totals: { billsGbp: number; carbonKg: number; importKwh: number; exportKwh: number };
  series?: RunSeries;
  switchingLog: SwitchLogEntry[];
  decisions: DecisionEntry[];
  timing: RunTiming;
  /** What the scenario's market module did (absent for retail only). */
  market?: MarketOutcome;
  /** Voltage-band violations by bus and hour, line overloads (for the year report). */
  networkStress: NetworkStress;
}

/** Per-tariff price series over the run, £/kWh (import includes pass-through network charges). */
interface PriceSeries {
  importGbpPerKwh: Float64Array;
  exportGbpPerKwh: Float64Array;
}

/** A home during the run. */
interface HomeRun {
  resolved: ResolvedHome;
  index: number;
  policy: Policy;
  state: HomeState;
  baseLoadKw: Float64Array;
  pvAvailableKw: Float64Array;
  ev?: EvPattern;
  tariff: Tariff;
  contractStartMinute: number;
  plan?: Plan;
  planStep: number;
  forecast: HomeForecast;
  voltageIndex: number;
  voltsLn: number;
  importKwh: Float64Array;
  exportKwh: Float64Array;
  outcome: HomeOutcome;
}

const NOMINAL_VOLTS_LN = 230;

/** Base-load series per inputs object (read-only once made). */
const baseLoadCaches = new WeakMap<RunInputs, Map<string, Float64Array>>();

/**
 * Runs the scenario (or its first `options.days`) under one policy for every home (`policyName`), or under
 * each home's own policy from the scenario when `policyName` is undefined.
 */
export async function runYear(
  inputs: RunInputs,
  policyName: string | undefined,
  options: RunOptions = {},
): Promise<YearResult> {
  const startedMs = performance.now();
  const { scenario, feeder, year } = inputs;
  const stepMinutes = scenario.stepMinutes;
  const dtHours = stepMinutes / 60;
  const days = Math.max(1, Math.min(options.days ?? scenario.days, scenario.days));
  const stepCount = days * STEPS_PER_DAY;
  const firstStep = scenario.startDay * STEPS_PER_DAY;
  if (firstStep + stepCount > year.stepCount) {
    throw new RangeError(`the year has ${year.stepCount} steps; the run needs ${firstStep + stepCount}`);
  }
  const recordSeries = options.recordSeries ?? true;
  const rng = createRng(scenario.seed);

  // One policy instance per name: policies keep per-home solver state.
  const policies = new Map<string, Policy>();
  for (const home of scenario.homes) {
    const name = policyName ?? home.policy;
    if (!policies.has(name)) {
      policies.set(
        name,
        await (options.createPolicy ? options.createPolicy(name) : createPolicy(name, options.policyOptions)),
      );
    }
  }
  const maxHorizon = Math.max(...[...policies.values()].map((policy) => policy.horizonSteps));

  const tariffs = new Map(scenario.catalogue.tariffs.map((tariff) => [tariff.id, tariff]));
  const priceCache = new Map<string, PriceSeries>();
  const pricesOf = (tariff: Tariff): PriceSeries => {
    let prices = priceCache.get(tariff.id);
    if (!prices) {
      prices = { importGbpPerKwh: new Float64Array(stepCount), exportGbpPerKwh: new Float64Array(stepCount) };
      for (let k = 0; k < stepCount; k++) {
        const minute = (firstStep + k) * stepMinutes;
        const wholesale = year.wholesaleGbpPerKwh[firstStep + k] ?? 0;
        prices.importGbpPerKwh[k] =
          importPriceGbpPerKwh(tariff, minute, wholesale) +
          networkChargeGbpPerKwh(tariff.networkCharges, minute);
        prices.exportGbpPerKwh[k] = exportPriceGbpPerKwh(tariff, minute, wholesale);
      }
      priceCache.set(tariff.id, prices);
    }
    return prices;
  };
  const carbonKgPerKwh = new Float64Array(stepCount);
  for (let k = 0; k < stepCount; k++) carbonKgPerKwh[k] = (year.carbonGPerKwh[firstStep + k] ?? 0) / 1000;

  const baseLoads = createBaseLoadGenerator(inputs.baseLoadLibrary, { seed: scenario.seed });
  // Base loads do not depend on the policy: runs on the same inputs (a policy and its passive baseline,
  // a PoA study's policies) share them.
  let baseLoadCache = baseLoadCaches.get(inputs);
  if (!baseLoadCache) {
    baseLoadCache = new Map();
    baseLoadCaches.set(inputs, baseLoadCache);
  }
  const cache = baseLoadCache;
  const baseLoadSeriesKw = (homeId: string, annualKwh: number): Float64Array => {
    const key = `${homeId}|${annualKwh}|${scenario.startDay}|${days}|${scenario.seed}`;
    const cached = cache.get(key);
    if (cached) return cached;
    const series = new Float64Array(stepCount);
    const scale = annualKwh / TDCV_KWH_PER_YEAR / dtHours;
    for (let d = 0; d < days; d++) {
      const stepKwh = baseLoads.dayStepKwh(homeId, scenario.startDay + d, stepMinutes);
      for (let s = 0; s < STEPS_PER_DAY; s++) series[d * STEPS_PER_DAY + s] = (stepKwh[s] ?? 0) * scale;
    }
    cache.set(key, series);
    return series;
  };
  const busIndex = new Map(feeder.buses.map((bus, index) => [bus.name, index]));
  const homes: HomeRun[] = scenario.homes.map((resolved, index) => {
    const spec = resolved.spec;
    const homeRng = rng.fork(`home-${spec.id}`);
    const policy = policies.get(policyName ?? resolved.policy) as Policy;
    const pvKw = new Float64Array(stepCount);
    if (spec.pv) {
      for (let k = 0; k < stepCount; k++)
        pvKw[k] = pvAvailableKw(spec.pv, year.irradianceWPerM2[firstStep + k] ?? 0);
    }
    const ev =
      spec.ev && resolved.evHabits
        ? drawEvPattern({
            habits: resolved.evHabits,
            spec: spec.ev,
            targetSocPct: spec.preferences.evTargetSocPct,
            stepMinutes,
            stepCount,
            firstWeekday: scenario.startDay % 7,
            random: homeRng.fork('ev').next,
          })
        : undefined;
    const tariff = tariffs.get(resolved.tariffId) as Tariff;
    const assets: string[] = [];
    if (spec.pv) assets.push('pv');
    if (spec.battery) assets.push('battery');
    if (spec.ev) assets.push('ev');
    if (spec.heatPump) assets.push('heat-pump');
    return {
      resolved,
      index,
      policy,
      state: initialHomeState(spec),
      baseLoadKw: baseLoadSeriesKw(spec.id, resolved.baseLoad.annualKwh),
      pvAvailableKw: pvKw,
      ...(ev ? { ev } : {}),
      tariff,
      contractStartMinute: firstStep * stepMinutes,
      planStep: 0,
      forecast: emptyForecast(maxHorizon),
      voltageIndex: (busIndex.get(spec.bus) ?? 0) * 3 + PHASES.indexOf(spec.phase),
      voltsLn: NOMINAL_VOLTS_LN,
      importKwh: new Float64Array(stepCount),
      exportKwh: new Float64Array(stepCount),
      outcome: {
        home: spec.id,
        bus: spec.bus,
        phase: spec.phase,
        policy: policy.name,
        assets,
        tariffAtStart: tariff.id,
        tariffAtEnd: tariff.id,
        billGbp: 0,
        importKwh: 0,
        exportKwh: 0,
        carbonKg: 0,
        comfortDegreeHoursOutside: 0,
        evShortfallKwh: 0,
        switches: 0,
        cannotKeepCount: 0,
        pvKwh: 0,
        pvCurtailedKwh: 0,
        heatPumpKwh: 0,
        heatPumpHeatKwh: 0,
        evChargeKwh: 0,
        baseLoadKwh: 0,
      },
    };
  });

  const loads: LoadConnection[] = homes.map(({ resolved }) => ({
    name: resolved.spec.id,
    bus: resolved.spec.bus,
    phases: [resolved.spec.phase],
    model: 'constant-power',
    nominalVoltsLn: NOMINAL_VOLTS_LN,
    pKw: 0,
    qKvar: 0,
  }));
  const market = createMarketRun(
    scenario.marketModule,
    homes.map((home) => home.resolved.spec),
    { stepMinutes, stepCount, nominalVoltsLn: NOMINAL_VOLTS_LN },
  );
  loads.push(...market.loads);
  const solver = new PowerFlowSolver(feeder, loads);
  const customerStates = [...new Set(homes.map((home) => home.voltageIndex))];
  const stress = new NetworkStressTracker(feeder, customerStates, stepMinutes);

  const ledgers = new Map(
    scenario.catalogue.suppliers.map((supplier) => [
      supplier.id,
      new SupplierLedger(supplier, scenario.catalogue.networkCharges),
    ]),
  );
  const switching = new SwitchingSystem(scenario.regulator, {
    capacityPerWorkingDay: scenario.switching.capacityPerWorkingDay,
  });
  const switchRng = rng.fork('switch-acceptance');
  const reviewsSwitching = scenario.switching.enabled;

  const network: NetworkOutcome = {
    transformerPeakKw: Number.NEGATIVE_INFINITY,
    transformerPeakLoadingPct: 0,
    minVoltageV: Number.POSITIVE_INFINITY,
    maxVoltageV: Number.NEGATIVE_INFINITY,
    busMinutesOutsideStatutoryLimits: 0,
    lossesKwh: 0,
    transformerOverloadSteps: 0,
  };
  const series: RunSeries | undefined = recordSeries
    ? {
        substationKw: new Float64Array(stepCount),
        transformerLoadingPct: new Float64Array(stepCount),
        minVoltageV: new Float64Array(stepCount),
        maxVoltageV: new Float64Array(stepCount),
        homePKw: homes.map(() => new Float64Array(stepCount)),
        homeSocPct: homes.map(() => new Float64Array(stepCount)),
        homeIndoorC: homes.map(() => new Float64Array(stepCount)),
      }
    : undefined;
  const decisions: DecisionEntry[] = [];
  const timing: RunTiming = {
    totalMs: 0,
    powerFlowMs: 0,
    optimisationMs: 0,
    bookkeepingMs: 0,
    plans: 0,
    powerFlowSolves: 0,
  };

  for (let k = 0; k < stepCount; k++) {
    const globalStep = firstStep + k;
    const minuteOfYear = globalStep * stepMinutes;
    const wholesale = year.wholesaleGbpPerKwh[globalStep] ?? 0;
    const outdoorC = year.outdoorTempC[globalStep] ?? 0;
    const irradiance = year.irradianceWPerM2[globalStep] ?? 0;

    if (k % STEPS_PER_DAY === 0) {
      for (const entry of switching.advanceTo(minuteOfYear))
        applySwitchOutcome(entry, homes, tariffs, minuteOfYear);
      const day = k / STEPS_PER_DAY;
      if (reviewsSwitching && day > 0 && day % scenario.switching.reviewEveryDays === 0) {
        for (const home of homes) {
          if (!home.policy.reviewsTariff || switching.isPending(home.resolved.spec.id)) continue;
          reviewTariff(home, k, minuteOfYear);
        }
      }
    }

    // Fleet policies plan all their homes at once, before any home steps.
    for (const policy of policies.values()) {
      if (!isFleetPolicy(policy) || k % policy.replanEverySteps !== 0) continue;
      const fleet = homes.filter((home) => home.policy === policy);
      const contexts = fleet.map((home) => planContext(home, k));
      const planStart = performance.now();
      const plans = policy.planFleet(contexts);
      timing.optimisationMs += performance.now() - planStart;
      fleet.forEach((home, index) => {
        adoptPlan(home, plans[index] as Plan, k, minuteOfYear);
      });
    }

    // Every home plans before any steps, so the market module sees the whole street's setpoints.
    for (const home of homes) {
      const offset = k - home.planStep;
      if (!home.plan || offset >= home.policy.replanEverySteps) {
        const context = planContext(home, k);
        const planStart = performance.now();
        const plan = home.policy.plan(context);
        timing.optimisationMs += performance.now() - planStart;
        adoptPlan(home, plan, k, minuteOfYear);
      }
    }
    const setpoints = homes.map((home) => setpointsAt(home.plan as Plan, k - home.planStep));
    const stepInputs = homes.map((home) => ({
      dtHours,
      baseLoadKw: home.baseLoadKw[k] ?? 0,
      irradianceWPerM2: irradiance,
      outdoorC,
      voltsLn: home.voltsLn,
      evAtHome: (home.ev?.atHome[k] ?? 1) === 1,
      evTripKwh: home.ev?.tripKwh[k] ?? 0,
    }));
    const settlements = market.step({
      step: k,
      minuteOfYear,
      setpoints,
      inputs: stepInputs,
      states: homes.map((home) => home.state),
      importPriceGbpPerKwh: (index, j) =>
        pricesOf((homes[index] as HomeRun).tariff).importGbpPerKwh[j % stepCount] ?? 0,
      exportPriceGbpPerKwh: (index, j) =>
        pricesOf((homes[index] as HomeRun).tariff).exportGbpPerKwh[j % stepCount] ?? 0,
    });
    market.loadPKw.forEach((pKw, index) => {
      solver.loadPKw[homes.length + index] = pKw;
    });

    for (const home of homes) {
      const spec = home.resolved.spec;
      const tripKwh = home.ev?.tripKwh[k] ?? 0;
      if (tripKwh > 0 && spec.ev) {
        const targetKwh = (spec.ev.capacityKwh * spec.preferences.evTargetSocPct) / 100;
        home.outcome.evShortfallKwh += Math.max(0, targetKwh - home.state.evSocKwh);
      }
      const result = stepHome(
        spec,
        home.state,
        setpoints[home.index] as HomeSetpoints,
        stepInputs[home.index] as HomeStepInputs,
      );
      options.onHomeStep?.(k, home.index, result, home.state);
      // The shared battery's energy is settled inside the scheme, not by the supplier.
      const settlement = settlements[home.index] as HomeSettlement;
      const suppliedKwh = Math.max(0, result.importKwh - settlement.drawnKwh);
      const exportedKwh = Math.max(0, result.exportKwh - settlement.storedKwh);
      // A home whose setpoints the market changed re-plans at the next step (fleet plans stay shared).
      if (settlement.replan && !isFleetPolicy(home.policy)) home.plan = undefined;
      solver.loadPKw[home.index] = result.pKw;
      solver.loadQKvar[home.index] = result.qKvar;

      const prices = pricesOf(home.tariff);
      const outcome = home.outcome;
      outcome.billGbp +=
        suppliedKwh * (prices.importGbpPerKwh[k] ?? 0) -
        exportedKwh * (prices.exportGbpPerKwh[k] ?? 0) +
        (standingChargeGbpPerDay(home.tariff) * stepMinutes) / MINUTES_PER_DAY +
        settlement.billGbp;
      outcome.importKwh += result.importKwh;
      outcome.exportKwh += result.exportKwh;
      outcome.carbonKg += result.importKwh * (carbonKgPerKwh[k] ?? 0);
      outcome.pvKwh += result.pvKw * dtHours;
      outcome.pvCurtailedKwh += result.pvCurtailedKw * dtHours;
      outcome.heatPumpKwh += result.heatPumpKw * dtHours;
      outcome.heatPumpHeatKwh += result.heatKw * dtHours;
      outcome.evChargeKwh += result.evKw * dtHours;
      outcome.baseLoadKwh += result.baseLoadKw * dtHours;
      if (spec.heatPump) {
        const { comfortMinC, comfortMaxC } = spec.preferences;
        const below = comfortMinC - home.state.indoorC;
        const above = home.state.indoorC - comfortMaxC;
        // A small tolerance so a thermostat that lands on the band's edge is not counted outside it.
        if (below > 1e-6) outcome.comfortDegreeHoursOutside += below * dtHours;
        if (above > 1e-6) outcome.comfortDegreeHoursOutside += above * dtHours;
      }
      home.importKwh[k] = suppliedKwh;
      home.exportKwh[k] = exportedKwh;
      const billStep: BillStep = {
        importKwh: suppliedKwh,
        exportKwh: exportedKwh,
        wholesaleGbpPerKwh: wholesale,
      };
      ledgers.get(home.tariff.supplierId)?.record(home.tariff, billStep, minuteOfYear, stepMinutes);
      if (series) {
        (series.homePKw[home.index] as Float64Array)[k] = result.pKw;
        (series.homeSocPct[home.index] as Float64Array)[k] = spec.battery
          ? (100 * home.state.batterySocKwh) / spec.battery.capacityKwh
          : spec.ev
            ? (100 * home.state.evSocKwh) / spec.ev.capacityKwh
            : Number.NaN;
        (series.homeIndoorC[home.index] as Float64Array)[k] = spec.heatPump ? home.state.indoorC : Number.NaN;
      }
    }

    const flowStart = performance.now();
    const flow = solver.solve(clockLabel(minuteOfYear));
    timing.powerFlowMs += performance.now() - flowStart;
    timing.powerFlowSolves++;
    for (const home of homes) home.voltsLn = flow.busVoltsMag[home.voltageIndex] ?? NOMINAL_VOLTS_LN;
    network.transformerPeakKw = Math.max(network.transformerPeakKw, flow.substationPTotalKw);
    network.transformerPeakLoadingPct = Math.max(
      network.transformerPeakLoadingPct,
      flow.transformerLoadingPct,
    );
    if (flow.transformerLoadingPct > 100) network.transformerOverloadSteps++;
    network.minVoltageV = Math.min(network.minVoltageV, flow.vMin.volts);
    network.maxVoltageV = Math.max(network.maxVoltageV, flow.vMax.volts);
    for (const state of customerStates) {
      const volts = flow.busVoltsMag[state] as number;
      if (volts < STATUTORY_VOLTS.min || volts > STATUTORY_VOLTS.max) {
        network.busMinutesOutsideStatutoryLimits += stepMinutes;
      }
    }
    let transformerLossesKw = 0;
    for (const transformer of flow.transformers) transformerLossesKw += transformer.lossesKw;
    network.lossesKwh += (flow.lossesKw + transformerLossesKw) * dtHours;
    stress.record(flow, minuteOfYear);
    if (series) {
      series.substationKw[k] = flow.substationPTotalKw;
      series.transformerLoadingPct[k] = flow.transformerLoadingPct;
      series.minVoltageV[k] = flow.vMin.volts;
      series.maxVoltageV[k] = flow.vMax.volts;
    }
    if ((k + 1) % STEPS_PER_DAY === 0) options.onProgress?.(k + 1, stepCount);
  }
  for (const policy of policies.values()) policy.dispose();

  const customers = new Map<string, number>();
  for (const home of homes) {
    home.outcome.tariffAtEnd = home.tariff.id;
    customers.set(home.tariff.supplierId, (customers.get(home.tariff.supplierId) ?? 0) + 1);
  }
  const suppliers: SupplierOutcome[] = [...ledgers.values()].map((ledger) => {
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
  const outcomes = homes.map((home) => home.outcome);
  const marketOutcome = market.outcome();
  timing.totalMs = performance.now() - startedMs;
  timing.bookkeepingMs = timing.totalMs - timing.powerFlowMs - timing.optimisationMs;
  return {
    scenario: scenario.name,
    policy: policyName ?? 'scenario',
    seed: scenario.seed,
    startDay: scenario.startDay,
    days,
    stepMinutes,
    stepCount,
    homes: outcomes,
    network,
    suppliers,
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
    networkStress: stress.result(),
  };

  function planContext(home: HomeRun, k: number): PlanContext {
    fillForecast(home, k);
    return {
      home: home.resolved.spec,
      state: home.state,
      step: k,
      dtHours,
      horizonSteps: home.policy.horizonSteps,
      forecast: home.forecast,
      valuation: scenario.valuation,
    };
  }

  function adoptPlan(home: HomeRun, plan: Plan, k: number, minuteOfYear: number): void {
    timing.plans++;
    home.plan = plan;
    home.planStep = k;
    const entry = {
      step: k,
      time: clockLabel(minuteOfYear),
      home: home.resolved.spec.id,
      policy: home.policy.name,
    };
    if (plan.explanation) decisions.push({ ...entry, kind: 'plan', text: plan.explanation });
    for (const note of plan.cannotKeep) {
      home.outcome.cannotKeepCount++;
      decisions.push({ ...entry, kind: 'cannot-keep', text: note });
    }
  }

  /** Copies the coming horizon (wrapping past the end of the run) into the home's forecast buffers. */
  function fillForecast(home: HomeRun, k: number): void {
    const forecast = home.forecast;
    const prices = pricesOf(home.tariff);
    const horizon = home.policy.horizonSteps;
    for (let t = 0; t < horizon; t++) {
      const j = (k + t) % stepCount;
      const g = firstStep + j;
      forecast.baseLoadKw[t] = home.baseLoadKw[j] ?? 0;
      forecast.pvAvailableKw[t] = home.pvAvailableKw[j] ?? 0;
      forecast.outdoorC[t] = year.outdoorTempC[g] ?? 0;
      forecast.importPriceGbpPerKwh[t] = prices.importGbpPerKwh[j] ?? 0;
      forecast.exportPriceGbpPerKwh[t] = prices.exportGbpPerKwh[j] ?? 0;
      forecast.carbonKgPerKwh[t] = carbonKgPerKwh[j] ?? 0;
      forecast.evAtHome[t] = home.ev?.atHome[j] ?? 1;
      forecast.evTripKwh[t] = home.ev?.tripKwh[j] ?? 0;
      forecast.minuteOfDay[t] = (g * stepMinutes) % MINUTES_PER_DAY;
    }
  }

  /** The agent bills the last review period's metered use on every tariff on offer (evaluateSwitch). */
  function reviewTariff(home: HomeRun, k: number, minuteOfYear: number): void {
    const spec = home.resolved.spec;
    const periodSteps = Math.min(k, scenario.switching.reviewEveryDays * STEPS_PER_DAY);
    const history: BillStep[] = [];
    for (let j = k - periodSteps; j < k; j++) {
      history.push({
        importKwh: home.importKwh[j] ?? 0,
        exportKwh: home.exportKwh[j] ?? 0,
        wholesaleGbpPerKwh: year.wholesaleGbpPerKwh[firstStep + j] ?? 0,
      });
    }
    const assets: Eligibility[] = ['smart-meter'];
    if (spec.pv) assets.push('pv');
    if (spec.battery) assets.push('battery');
    if (spec.ev) assets.push('ev');
    if (spec.heatPump) assets.push('heat-pump');
    const evaluation = evaluateSwitch(
      history,
      home.tariff,
      scenario.catalogue,
      scenario.regulator,
      { minSavingGbpPerYear: scenario.switching.minSavingGbpPerYear, assets },
      {
        stepMinutes,
        startMinuteOfYear: (firstStep + k - periodSteps) * stepMinutes,
        contractStartMinute: home.contractStartMinute,
        switchMinute: minuteOfYear,
      },
    );
    // Draw for every review so one home's choice never shifts another's stream.
    const accepts = switchRng.next() < spec.preferences.switchWillingness;
    let text = evaluation.explanation;
    if (evaluation.switchTo) {
      if (accepts) {
        switching.request({
          homeId: spec.id,
          fromTariffId: home.tariff.id,
          toTariffId: evaluation.switchTo.id,
          requestMinute: minuteOfYear,
          reason: evaluation.explanation,
          exitFeeGbp: evaluation.exitFeeGbp,
        });
        text += ' Resident agreed; request sent.';
      } else {
        text += ` Resident declined (willingness ${spec.preferences.switchWillingness}).`;
      }
    }
    decisions.push({
      step: k,
      time: clockLabel(minuteOfYear),
      home: spec.id,
      policy: home.policy.name,
      kind: 'tariff-review',
      text,
    });
  }
}

function applySwitchOutcome(
  entry: SwitchLogEntry,
  homes: HomeRun[],
  tariffs: Map<string, Tariff>,
  minuteOfYear: number,
): void {
  if (entry.outcome !== 'completed' && entry.outcome !== 'completed-late') return;
  const home = homes.find((candidate) => candidate.resolved.spec.id === entry.homeId);
  const tariff = tariffs.get(entry.toTariffId);
  if (!home || !tariff) return;
  home.tariff = tariff;
  home.contractStartMinute = entry.effectiveMinute ?? minuteOfYear;
  home.outcome.switches++;
  home.outcome.billGbp += entry.exitFeeGbp - entry.compensationGbp;
}

function emptyForecast(horizonSteps: number): HomeForecast {
  return {
    baseLoadKw: new Float64Array(horizonSteps),
    pvAvailableKw: new Float64Array(horizonSteps),
    outdoorC: new Float64Array(horizonSteps),
    importPriceGbpPerKwh: new Float64Array(horizonSteps),
    exportPriceGbpPerKwh: new Float64Array(horizonSteps),
    carbonKgPerKwh: new Float64Array(horizonSteps),
    evAtHome: new Uint8Array(horizonSteps),
    evTripKwh: new Float64Array(horizonSteps),
    minuteOfDay: new Int32Array(horizonSteps),
  };
}
