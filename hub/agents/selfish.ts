import type { Highs } from 'highs';
import type { HomeSpec } from '../homes/index.js';
import { brokenPromises, explainPlan } from './explain.js';
import { HomeLp } from './home-lp.js';
import type { Plan, PlanContext, Policy, TariffChoice } from './policy.js';
import { planningWindow } from './policy-definition.js';

/** Options of {@link SelfishPolicy}. */
export interface SelfishPolicyOptions {
  /** Look-ahead of each plan in steps (default 72: 36 h at 30 min, so the next morning's ready-by is in view). */
  horizonSteps?: number;
  /** Steps executed before re-planning (default 48: once a day at 30 min). */
  replanEverySteps?: number;
}

/**
 * Each home minimises its own resident's weighted objective (cost, carbon, autarky) over a rolling
 * horizon, one LP per home per re-plan (HiGHS), blind to the network. Homes without a battery, EV or heat
 * pump have nothing to decide and get no LP.
 */
export class SelfishPolicy implements Policy {
  readonly name: string = 'selfish';
  readonly horizonSteps: number;
  readonly replanEverySteps: number;
  readonly tariffChoice: TariffChoice = 'resident';
  private readonly problems = new Map<string, HomeLp>();

  constructor(
    private readonly highs: Highs,
    options: SelfishPolicyOptions = {},
  ) {
    ({ horizonSteps: this.horizonSteps, replanEverySteps: this.replanEverySteps } = planningWindow(options));
    if (!(this.replanEverySteps >= 1 && this.replanEverySteps <= this.horizonSteps)) {
      throw new RangeError('replanEverySteps must be between 1 and horizonSteps');
    }
  }

  plan(context: PlanContext): Plan {
    const { home } = context;
    if (!home.battery && !home.ev && !home.heatPump) {
      const zeros = new Float64Array(this.horizonSteps);
      return { batteryKw: zeros, evKw: zeros, heatPumpKw: zeros, cannotKeep: [] };
    }
    const solution = this.problemFor(home).solve(context);
    return {
      batteryKw: solution.batteryKw,
      evKw: solution.evKw,
      heatPumpKw: solution.heatPumpKw,
      explanation: explainPlan(context, solution, this.window),
      cannotKeep: brokenPromises(context, solution, this.window),
    };
  }

  dispose(): void {
    for (const problem of this.problems.values()) problem.dispose();
    this.problems.clear();
  }

  /** The steps each plan runs before the next: what its explanation and promises cover. */
  private get window(): number {
    return Math.min(this.replanEverySteps, this.horizonSteps);
  }

  private problemFor(home: HomeSpec): HomeLp {
    let problem = this.problems.get(home.id);
    if (!problem) {
      problem = new HomeLp(this.highs, home, this.horizonSteps);
      this.problems.set(home.id, problem);
    }
    return problem;
  }
}
