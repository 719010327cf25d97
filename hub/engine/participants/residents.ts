/**
 * The residents' agents: fleet policies (nash, cooperative, central) plan all their homes at once, then
 * every home whose plan has run out (or was dropped) plans alone; each home's setpoints for the step are
 * its plan's. Plans are made in plan slots: in a year run a slot is a step; on the live table a slot is a
 * half-hour of several clock steps, and a step follows the slot it falls in.
 */
import type { FleetPolicy } from '../../agents/fleet.js';
import { isFleetPolicy } from '../../agents/fleet.js';
import { type ObjectiveValuation, type Plan, type PlanContext, setpointsAt } from '../../agents/index.js';
import { clockLabel } from '../../environment/calendar.js';
import type { StreetLinks } from '../links.js';
import type { DecisionEntry, RunTiming } from '../outcomes.js';
import type { StepFrame, StreetParticipant } from '../street.js';
import type { StreetHome } from '../street-home.js';

/** What the agents read of the world: their forecasts, made at the plan slot's resolution. */
export interface ForecastSource {
  /** Minutes per plan step (the LP's time step). */
  readonly planStepMinutes: number;
  /** Copies the coming `horizonSteps` plan steps from `slot` into the home's forecast buffers. */
  fillForecast(home: StreetHome, slot: number, horizonSteps: number): void;
}

/** Optional behaviour of the live table, where a failed plan must not stop the street. */
export interface ResidentHooks {
  /** The plan slot a frame falls in (default: the step itself, as in a year run). */
  slotOf?(frame: StepFrame): number;
  /**
   * Plan again after this many slots whatever the policy's own interval (live: every half-hour, while
   * the policy explains and books its plan over its own, longer, interval).
   */
  replanEverySlots?: number;
  /** A plan to follow when the policy throws; without it the error propagates. */
  fallback?(home: StreetHome, error: Error): Plan;
  /** Called after a home adopts a plan, with the wall time its planning took. */
  adopted?(home: StreetHome, plan: Plan, planningMs: number): void;
}

export class ResidentAgents implements StreetParticipant {
  readonly name = 'residents';

  constructor(
    private readonly homes: readonly StreetHome[],
    private readonly world: ForecastSource,
    private readonly valuation: ObjectiveValuation,
    private readonly decisions: DecisionEntry[],
    private readonly timing: RunTiming,
    private readonly hooks: ResidentHooks = {},
    /** The scenario's links: agents plan on the readings that reached the hub, coordinators talk over them. */
    private readonly links?: StreetLinks,
  ) {}

  step(frame: StepFrame): void {
    const slot = this.hooks.slotOf ? this.hooks.slotOf(frame) : frame.step;
    this.links?.sendReadings(frame.step, this.homes);
    // Fleets in the order their first home appears (a home's policy may change between steps live).
    for (const policy of new Set(this.homes.map((home) => home.policy))) {
      if (isFleetPolicy(policy) && this.fleetDue(policy, slot)) this.planFleet(policy, slot, frame);
    }
    // Every home plans before any steps, so the market module sees the whole street's setpoints.
    for (const home of this.homes) {
      if (!home.plan || slot - home.planSlot >= home.policy.replanEverySteps)
        this.planHome(home, slot, frame);
    }
    for (const home of this.homes) {
      frame.setpoints[home.index] = setpointsAt(home.plan as Plan, slot - home.planSlot);
    }
  }

  /** A fleet plans at its re-plan interval, and at once when one of its homes has no plan. */
  private fleetDue(policy: FleetPolicy, slot: number): boolean {
    const fleet = this.homes.filter((home) => home.policy === policy);
    if (fleet.some((home) => !home.plan)) return true;
    return slot % this.replanEvery(policy) === 0 && fleet.some((home) => home.planSlot !== slot);
  }

  private replanEvery(policy: { replanEverySteps: number }): number {
    return this.hooks.replanEverySlots ?? policy.replanEverySteps;
  }

  private planHome(home: StreetHome, slot: number, frame: StepFrame): void {
    const context = this.context(home, slot, frame);
    const started = performance.now();
    let plan: Plan;
    try {
      plan = home.policy.plan(context);
    } catch (error) {
      if (!this.hooks.fallback) throw error;
      plan = this.hooks.fallback(home, error as Error);
    }
    const planningMs = performance.now() - started;
    this.timing.optimisationMs += planningMs;
    this.adopt(home, plan, slot, frame, planningMs);
  }

  private planFleet(policy: FleetPolicy, slot: number, frame: StepFrame): void {
    const fleet = this.homes.filter((home) => home.policy === policy);
    const contexts = fleet.map((home) => this.context(home, slot, frame));
    const links = this.links;
    const homeIds = fleet.map((home) => home.spec.id);
    const started = performance.now();
    let plans: Plan[];
    try {
      plans = links
        ? policy.planFleet(contexts, () => links.coordinatorChannel(homeIds))
        : policy.planFleet(contexts);
    } catch (error) {
      const fallback = this.hooks.fallback;
      if (!fallback) throw error;
      plans = fleet.map((home) => fallback(home, error as Error));
    }
    const planningMs = performance.now() - started;
    this.timing.optimisationMs += planningMs;
    fleet.forEach((home, index) => {
      this.adopt(home, plans[index] as Plan, slot, frame, planningMs / fleet.length);
    });
  }

  private context(home: StreetHome, slot: number, frame: StepFrame): PlanContext {
    this.world.fillForecast(home, slot, home.policy.horizonSteps);
    return {
      home: home.spec,
      state: this.links ? this.links.readingOf(home, frame.step) : home.state,
      step: slot,
      dtHours: this.world.planStepMinutes / 60,
      horizonSteps: home.policy.horizonSteps,
      forecast: home.forecast,
      valuation: this.valuation,
    };
  }

  private adopt(home: StreetHome, plan: Plan, slot: number, frame: StepFrame, planningMs: number): void {
    this.timing.plans++;
    home.plan = plan;
    home.planSlot = slot;
    this.hooks.adopted?.(home, plan, planningMs);
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
