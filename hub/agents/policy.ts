import type { HomeSetpoints, HomeSpec, HomeState } from '../homes/index.js';

/**
 * What an agent knows about the coming steps, index 0 = the step being planned now. Every array has
 * `horizonSteps` entries. Forecasts are the scenario's own year (perfect foresight of the representative year).
 */
export interface HomeForecast {
  baseLoadKw: Float64Array;
  /** PV the panels could deliver (before any Volt-Watt curtailment, which the agent cannot foresee). */
  pvAvailableKw: Float64Array;
  outdoorC: Float64Array;
  importPriceGbpPerKwh: Float64Array;
  exportPriceGbpPerKwh: Float64Array;
  carbonKgPerKwh: Float64Array;
  /** 1 while the EV is plugged in at home. */
  evAtHome: Uint8Array;
  /** Trip energy booked at the step the EV leaves. */
  evTripKwh: Float64Array;
  /** Minutes after midnight at the start of each step (for explanations). */
  minuteOfDay: Int32Array;
}

/**
 * Optional signals from outside the home, for coordinating policies (cooperative, central, Nash best
 * response): an extra price on net import (e.g. a network price or a dual variable of a shared limit) and a
 * cap on the home's import.
 */
export interface CoordinationSignals {
  /**
   * Paid on each kWh of net import in the objective, £/kWh per step: added to the import price and taken
   * from the export price. Negative where the street needs load (e.g. a voltage above the band).
   */
  extraNetImportPriceGbpPerKwh?: Float64Array;
  /** Upper bound on the home's net import, kW per step. */
  importLimitKw?: Float64Array;
}

/** How the resident's non-money objectives are turned into £ so one weighted objective can be minimised. */
export interface ObjectiveValuation {
  carbonValueGbpPerKg: number;
  autarkyValueGbpPerKwh: number;
}

export interface PlanContext {
  home: HomeSpec;
  /** The home's state at the start of the step being planned. */
  state: HomeState;
  /** Index of the step being planned in the run. */
  step: number;
  dtHours: number;
  horizonSteps: number;
  /** At least `horizonSteps` long; the buffers are reused by the next plan, so copy what you keep. */
  forecast: HomeForecast;
  valuation: ObjectiveValuation;
  signals?: CoordinationSignals;
}

/** A plan: setpoints for each step of the horizon (the runner executes the first `replanEverySteps`). */
export interface Plan {
  batteryKw: Float64Array;
  evKw: Float64Array;
  heatPumpKw: Float64Array;
  /** One short sentence with numbers on why, or undefined when nothing worth logging was decided. */
  explanation?: string;
  /** What the plan cannot deliver (comfort band, EV ready-by), each with numbers; empty when all is kept. */
  cannotKeep: string[];
}

/** Who chooses a home's tariff under a policy. */
export type TariffChoice = 'none' | 'resident' | 'planner';

/** A home's plan made alone for a tariff review, with the objective it minimised. */
export interface LookAheadPlan {
  importKw: Float64Array;
  exportKw: Float64Array;
  /** How that objective weighs money, carbon and autarky (central: money at face value, carbon at its price). */
  weights: HomeSpec['preferences']['weights'];
  valuation: ObjectiveValuation;
  /**
   * What the plan's net imports cost at the network's expected shadow prices, £, already in the plan's objective
   * (a policy that shares the network plans alone at those prices); 0 for a policy that ignores the network.
   */
  networkGbp: number;
}

/** One policy drives every home that uses it; it may keep per-home state (warm-started solvers). */
export interface Policy {
  readonly name: string;
  /** Length of the look-ahead the policy needs in its forecast. */
  readonly horizonSteps: number;
  /** How many steps of each plan the runner executes before asking again. */
  readonly replanEverySteps: number;
  /**
   * Who chooses the home's tariff at the scenario's reviews: nobody; the resident, who bills the last
   * period's metered use on each tariff (evaluateSwitch) and switches only above their saving threshold and
   * when willing; or the policy's planner, for whom tariff choice is an action like the devices': it plans
   * the home under each tariff on offer (`planAlone`) and takes the one its objective prefers, no threshold.
   */
  readonly tariffChoice: TariffChoice;
  /**
   * Tariff choice 'planner': whether the planner switches only above the resident's saving threshold (an
   * agent acting for the resident, who would not change supplier for pennies) or on any net saving (the
   * social planner, whose objective is the street's).
   */
  readonly switchesAtResidentThreshold?: boolean;
  plan(context: PlanContext): Plan;
  /**
   * Tariff choice 'planner': the home planned alone over `context.horizonSteps` (a review's look-ahead) by
   * the policy's objective, the street left out.
   */
  planAlone?(context: PlanContext): LookAheadPlan;
  /** Releases solver memory. */
  dispose(): void;
}

export function setpointsAt(plan: Plan, offset: number): HomeSetpoints {
  return {
    batteryKw: plan.batteryKw[offset] ?? 0,
    evKw: plan.evKw[offset] ?? 0,
    heatPumpKw: plan.heatPumpKw[offset] ?? 0,
  };
}

export function formatClock(minuteOfDay: number): string {
  const minutes = ((Math.round(minuteOfDay) % 1440) + 1440) % 1440;
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

export function pence(gbp: number): string {
  return `${(gbp * 100).toFixed(1)} p/kWh`;
}
