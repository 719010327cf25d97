import type { HomeSpec } from '../homes/index.js';
import { findNashEquilibrium } from './coordination.js';
import {
  FleetPolicyBase,
  type FleetPolicyOptions,
  type HomeProblem,
  type NetworkView,
  planFromResponse,
} from './fleet.js';
import type { Plan, PlanContext } from './policy.js';

/** Options of {@link NashPolicy}. */
export interface NashPolicyOptions extends FleetPolicyOptions {
  /** Load-dependent network price on imports: £/kWh per kW of street net import (0 = prices ignore load). */
  loadPriceSlopeGbpPerKwhPerKw: number;
}

/**
 * Selfish homes at the Nash equilibrium of load-dependent prices: each best-responds (its own LP) to the
 * price the street's aggregate sets, in turn, until no home gains; with load-blind prices this is one pass.
 */
export class NashPolicy extends FleetPolicyBase {
  readonly name = 'nash';

  constructor(
    problemFactory: (home: HomeSpec, horizonSteps: number) => HomeProblem,
    view: NetworkView,
    private readonly options: NashPolicyOptions,
  ) {
    super(problemFactory, view, options);
  }

  planFleet(contexts: readonly PlanContext[]): Plan[] {
    const slope = this.options.loadPriceSlopeGbpPerKwhPerKw;
    const dtHours = contexts[0]?.dtHours ?? 0.5;
    const result = findNashEquilibrium(
      this.responders(contexts),
      (aggregateKw, prices) => {
        for (let t = 0; t < prices.length; t++) prices[t] = slope * Math.max(0, aggregateKw[t] as number);
      },
      this.horizonSteps,
      { dtHours },
    );
    this.report.windows++;
    this.report.iterations += result.iterations;
    this.report.messages += result.iterations * contexts.length * 2;
    if (result.converged) this.report.convergedWindows++;
    if (result.cycled) this.report.cycledWindows++;
    return result.responses.map(planFromResponse);
  }
}
