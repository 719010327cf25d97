/**
 * The residents' agents: fleet policies (nash, cooperative, central) plan all their homes at once, then
 * every home whose plan has run out plans alone; each home's setpoints for the step are its plan's.
 */
import { isFleetPolicy } from '../../agents/fleet.js';
import {
  type ObjectiveValuation,
  type Plan,
  type PlanContext,
  type Policy,
  setpointsAt,
} from '../../agents/index.js';
import { clockLabel } from '../../environment/calendar.js';
import type { DecisionEntry, RunTiming } from '../outcomes.js';
import type { StepFrame, StreetParticipant } from '../street.js';
import type { StreetHome } from '../street-home.js';
import type { StreetWorld } from '../world.js';

export class ResidentAgents implements StreetParticipant {
  readonly name = 'residents';

  constructor(
    private readonly homes: readonly StreetHome[],
    private readonly world: StreetWorld,
    /** Each distinct policy the homes run, once. */
    private readonly policies: readonly Policy[],
    private readonly valuation: ObjectiveValuation,
    private readonly decisions: DecisionEntry[],
    private readonly timing: RunTiming,
  ) {}

  step(frame: StepFrame): void {
    const k = frame.step;
    for (const policy of this.policies) {
      if (isFleetPolicy(policy) && k % policy.replanEverySteps === 0) this.planFleet(policy, frame);
    }
    // Every home plans before any steps, so the market module sees the whole street's setpoints.
    for (const home of this.homes) {
      if (!home.plan || k - home.planStep >= home.policy.replanEverySteps) {
        const context = this.context(home, k);
        const started = performance.now();
        const plan = home.policy.plan(context);
        this.timing.optimisationMs += performance.now() - started;
        this.adopt(home, plan, frame);
      }
    }
    for (const home of this.homes) {
      frame.setpoints[home.index] = setpointsAt(home.plan as Plan, k - home.planStep);
    }
  }

  private planFleet(
    policy: Policy & { planFleet(contexts: readonly PlanContext[]): Plan[] },
    frame: StepFrame,
  ) {
    const fleet = this.homes.filter((home) => home.policy === policy);
    const contexts = fleet.map((home) => this.context(home, frame.step));
    const started = performance.now();
    const plans = policy.planFleet(contexts);
    this.timing.optimisationMs += performance.now() - started;
    fleet.forEach((home, index) => {
      this.adopt(home, plans[index] as Plan, frame);
    });
  }

  private context(home: StreetHome, k: number): PlanContext {
    this.world.fillForecast(home, k, home.policy.horizonSteps);
    return {
      home: home.spec,
      state: home.state,
      step: k,
      dtHours: this.world.stepMinutes / 60,
      horizonSteps: home.policy.horizonSteps,
      forecast: home.forecast,
      valuation: this.valuation,
    };
  }

  private adopt(home: StreetHome, plan: Plan, frame: StepFrame): void {
    this.timing.plans++;
    home.plan = plan;
    home.planStep = frame.step;
    const entry = {
      step: frame.step,
      time: clockLabel(frame.minuteOfYear),
      home: home.spec.id,
      policy: home.policy.name,
    };
    if (plan.explanation) this.decisions.push({ ...entry, kind: 'plan', text: plan.explanation });
    for (const note of plan.cannotKeep) this.decisions.push({ ...entry, kind: 'cannot-keep', text: note });
  }
}
