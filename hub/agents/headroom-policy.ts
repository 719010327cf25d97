import type { Highs } from 'highs';
import { baseLoadQKvar, type HomeSpec } from '../homes/index.js';
import { WindowCableRows } from './cable-rows.js';
import type { SharedLimit } from './coordination.js';
import {
  FleetPolicyBase,
  type FleetPolicyOptions,
  type HomeProblem,
  type NetworkView,
  ROW_TOLERANCE,
} from './fleet.js';
import { NetworkPriceMemory } from './network-price-memory.js';
import { PaidPeak } from './paid-peak.js';
import type { PlanContext } from './policy.js';
import {
  type InverterResponse,
  inverterResponses,
  VOLTAGE_MARGIN_VOLTS,
  voltageLimits,
} from './voltage-rows.js';
import { shiftedWindow } from './window-shift.js';

/**
 * A fleet policy that shares the street's headroom. Headroom up to a peak the street has already drawn in the
 * period (./paid-peak.ts) is paid for, so only a new peak costs reinforcement: the limit each step plans
 * against is the larger of the street limit and the period's peak so far.
 */
export abstract class HeadroomPolicyBase extends FleetPolicyBase {
  private readonly paidPeak: PaidPeak;
  /** The network prices each home's executed steps were planned at (created at the first window). */
  private networkPrices: NetworkPriceMemory | undefined;
  /** Each home's PV inverter answer (Volt-VAr, Volt-Watt) to the last window's plan: the next one's guess. */
  private readonly lastInverters = new Map<string, InverterResponse>();

  constructor(
    protected readonly highs: Highs,
    problemFactory: (home: HomeSpec, horizonSteps: number) => HomeProblem,
    view: NetworkView,
    options: FleetPolicyOptions,
  ) {
    super(problemFactory, view, options);
    this.paidPeak = new PaidPeak(options.peakPeriodSteps);
  }

  /** The street import each step of this window may reach without new reinforcement, kW. */
  protected streetUpperKw(contexts: readonly PlanContext[]): Float64Array {
    return this.paidPeak.upperByStep(this.view.transformerLimitKw, contexts[0]?.step ?? 0, this.horizonSteps);
  }

  /** Records the network prices (£/kWh per home and step) of the steps that will run before the next plan. */
  protected recordNetworkPrices(
    contexts: readonly PlanContext[],
    pricesGbpPerKwh: readonly Float64Array[],
  ): void {
    const first = contexts[0];
    if (!first) return;
    this.networkPrices ??= new NetworkPriceMemory(Math.round(24 / first.dtHours));
    const executedSteps = Math.min(this.replanEverySteps, this.horizonSteps);
    contexts.forEach(({ home, step }, h) => {
      this.networkPrices?.record(home.id, step, pricesGbpPerKwh[h] as Float64Array, executedSteps);
    });
  }

  override expectedNetworkPrices(homeId: string, fromStep: number, steps: number): Float64Array | undefined {
    return this.networkPrices?.expected(homeId, fromStep, steps);
  }

  /**
   * The network rows of the window: the voltage rows with the homes' PV inverters answering as `inverters` and
   * the voltages VOLTAGE_MARGIN_VOLTS inside the band, and the window's `cables` rows.
   */
  protected networkRows(
    contexts: readonly PlanContext[],
    inverters: readonly (InverterResponse | undefined)[] | undefined,
    cables: readonly SharedLimit[],
  ): SharedLimit[] {
    return [
      ...voltageLimits(this.view, this.horizonSteps, contexts, inverters, VOLTAGE_MARGIN_VOLTS),
      ...cables,
    ];
  }

  /** The window's cable rows, starting at the inverter figures `guess` (./cable-rows.ts). */
  protected windowCables(
    contexts: readonly PlanContext[],
    guess: readonly (InverterResponse | undefined)[],
  ): WindowCableRows {
    return new WindowCableRows(this.view, this.horizonSteps, contexts, guess);
  }

  /** The last window's inverter figures moved to this window as its prices are (shiftedWindow); none cold. */
  protected inverterGuess(contexts: readonly PlanContext[]): (InverterResponse | undefined)[] {
    const stepsPerDay = Math.round(24 / (contexts[0]?.dtHours ?? 0.5));
    const shifted = (series: Float64Array) => shiftedWindow(series, this.replanEverySteps, stepsPerDay);
    return contexts.map(({ home }) => {
      const last = this.lastInverters.get(home.id);
      return (
        last && {
          kvar: shifted(last.kvar),
          curtailedKw: shifted(last.curtailedKw),
          volts: shifted(last.volts),
        }
      );
    });
  }

  /**
   * The network rows at the plan `netImportKw`'s own inverter answer: its PV inverters' Volt-VAr and Volt-Watt
   * answer to the voltages it brings (./voltage-rows.ts), remembered as the next window's guess. Rows made
   * with a guess are volts off where the plan moves the inverters, so a plan is checked against these and made
   * again while it breaks them. First among them, the street limit `street` (as planned so far: `planned`) at
   * the plan's own losses (streetAtPlan); last, the window's `cables` rows as the plan checks them.
   */
  protected rowsAtPlan(
    contexts: readonly PlanContext[],
    netImportKw: readonly Float64Array[],
    guess: readonly (InverterResponse | undefined)[],
    street: SharedLimit,
    planned: SharedLimit,
    cables: WindowCableRows,
  ): SharedLimit[] {
    const inverters = this.invertersAtPlan(contexts, netImportKw, guess);
    return [
      this.streetAtPlan(contexts, netImportKw, inverters, street, planned),
      ...this.networkRows(contexts, inverters, cables.atPlan(netImportKw, inverters)),
    ];
  }

  /**
   * `planned` (the street limit `street` as planned so far), lowered to the street limit at the plan's own
   * losses (transformerAtPlan) at the steps where the plan takes the transformer over its rating by the full
   * power flow. Only there: at the limit most plans lose more than the allowance, but within the operating
   * margin, and a pass for each would cost rounds for nothing the transformer sees; lowered at every step as
   * central's is, the 7 summer days of the IEEE 70 % street went from 990 to 2,550 bus-minutes outside the band
   * (1,260 so).
   */
  private streetAtPlan(
    contexts: readonly PlanContext[],
    netImportKw: readonly Float64Array[],
    inverters: readonly InverterResponse[] | undefined,
    street: SharedLimit,
    planned: SharedLimit,
  ): SharedLimit {
    const margin = this.view.losses?.marginKw;
    if (margin === undefined) return planned;
    const atLosses = this.transformerAtPlan(contexts, netImportKw, inverters, street.upperByStep);
    let anyOver = false;
    const upperByStep = atLosses.map((kw, t) => {
      const streetKw = netImportKw.reduce((sum, net) => sum + (net[t] as number), 0);
      const over = streetKw - kw > margin + ROW_TOLERANCE;
      anyOver ||= over;
      return over ? Math.min(kw, planned.upperByStep[t] as number) : (planned.upperByStep[t] as number);
    });
    return anyOver ? { ...planned, upperByStep } : planned;
  }

  /** The plan's PV inverter answer (see rowsAtPlan), remembered as the next window's guess; none without a voltage model. */
  protected invertersAtPlan(
    contexts: readonly PlanContext[],
    netImportKw: readonly Float64Array[],
    guess: readonly (InverterResponse | undefined)[],
  ): InverterResponse[] | undefined {
    const inverters = inverterResponses(this.view, contexts, this.horizonSteps, netImportKw, guess);
    if (inverters && this.warmStart) {
      contexts.forEach(({ home }, h) => {
        this.lastInverters.set(home.id, inverters[h] as InverterResponse);
      });
    }
    return inverters;
  }

  /**
   * The street limit each step at the plan's own losses: `upperKw` less what the plan's losses by the full power
   * flow (with its base loads' and PV inverters' reactive power, and the PV Volt-Watt holds back) exceed the
   * limit's allowance by, and less that held-back PV, which the homes draw on top of their planned net import
   * (the IEEE 70 % street's first summer morning: 1.2 kW at 07:00, which took the transformer 0.1 kW over its
   * rating where the plan's own figures without it left 1.1 kW); `upperKw` itself without a loss model.
   */
  protected transformerAtPlan(
    contexts: readonly PlanContext[],
    netImportKw: readonly Float64Array[],
    inverters: readonly InverterResponse[] | undefined,
    upperKw: Float64Array,
  ): Float64Array {
    const losses = this.view.losses;
    if (!losses) return upperKw;
    const loads = contexts.map(({ home }) => {
      const load = losses.homeIds.indexOf(home.id);
      if (load < 0) throw new Error(`home ${home.id} is not one of the street's loss model's homes`);
      return load;
    });
    const pKw = new Float64Array(losses.homeIds.length);
    const qKvar = new Float64Array(losses.homeIds.length);
    return upperKw.map((upper, t) => {
      let heldBackKw = 0;
      contexts.forEach(({ home, forecast }, m) => {
        const load = loads[m] as number;
        const inverter = inverters?.[m];
        const curtailedKw = (inverter?.curtailedKw[t] as number) ?? 0;
        heldBackKw += curtailedKw;
        pKw[load] = ((netImportKw[m] as Float64Array)[t] as number) + curtailedKw;
        qKvar[load] =
          baseLoadQKvar(home, forecast.baseLoadKw[t] as number) + ((inverter?.kvar[t] as number) ?? 0);
      });
      return upper - (losses.lossesKw(pKw, qKvar) - losses.allowanceKw) - heldBackKw;
    });
  }

  /**
   * Counts a planned window in the report, with the largest violation its plans left of a network row, and
   * whether it was made again as often as it may and kept the rows it was made under, so a row broken is broken
   * only at its own reactive power.
   */
  protected countWindow(maxViolation: number, outOfReactivePasses: boolean): void {
    this.report.windows++;
    this.report.maxViolation = Math.max(this.report.maxViolation, maxViolation);
    if (maxViolation <= ROW_TOLERANCE) return;
    this.report.windowsBreakingLimits++;
    if (outOfReactivePasses) this.report.windowsOutOfReactivePasses++;
  }

  /** Records the peak of the steps that will run before the next plan. */
  protected recordExecutedPeak(contexts: readonly PlanContext[], netImportKw: readonly Float64Array[]): void {
    const executedSteps = Math.min(this.replanEverySteps, this.horizonSteps);
    this.paidPeak.record(contexts[0]?.step ?? 0, netImportKw, executedSteps);
  }
}

/** The largest violation of any of `limits` by the homes' net imports (per home, per step); 0 when all are kept. */
export function largestViolation(limits: readonly SharedLimit[], nets: readonly Float64Array[]): number {
  return limits.reduce((largest, limit) => Math.max(largest, violationOf(limit, nets)), 0);
}

/** Whether the homes' net imports (per home, per step) break a shared limit at some step. */
export function breaks(limit: SharedLimit, nets: readonly Float64Array[]): boolean {
  return violationOf(limit, nets) > 1e-6;
}

/** How far the homes' net imports (per home, per step) break a shared limit at its worst step (≤ 0: kept). */
export function violationOf(limit: SharedLimit, nets: readonly Float64Array[]): number {
  let largest = Number.NEGATIVE_INFINITY;
  limit.upperByStep.forEach((upper, t) => {
    const total = nets.reduce(
      (sum, net, h) => sum + (limit.coefficientByHome[h] as number) * (net[t] as number),
      0,
    );
    largest = Math.max(largest, total - upper);
  });
  return largest;
}

/**
 * `next` with each row's bound at each step no looser than the same row's in `last`: a plan made again keeps
 * every reactive power it was checked at so far, so the passes do not swing between two.
 */
export function tightest(next: readonly SharedLimit[], last: readonly SharedLimit[]): SharedLimit[] {
  const lastByName = new Map(last.map((limit) => [limit.name, limit]));
  return next.map((limit) => {
    const before = lastByName.get(limit.name);
    if (!before) return limit;
    const upperByStep = limit.upperByStep.map((upper, t) => Math.min(upper, before.upperByStep[t] as number));
    return { ...limit, upperByStep };
  });
}
