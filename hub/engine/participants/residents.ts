/**
 * The residents' agents: fleet policies (nash, cooperative, central) plan all their homes at once, then
 * every home whose plan has run out (or was dropped) plans alone; each home's setpoints for the step are
 * its plan's. Plans are made in plan slots: in a year run a slot is a step; on the live table a slot is a
 * half-hour of several clock steps, and a step follows the slot it falls in.
 */
import type { FleetPolicy, OpenCoordinatorChannel } from '../../agents/fleet.js';
import { isFleetPolicy } from '../../agents/fleet.js';
import {
  type ObjectiveValuation,
  type Plan,
  type PlanContext,
  type Policy,
  setpointsAt,
} from '../../agents/index.js';
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
  /**
   * Where the step's plans are made when the street steps with `stepAsync` (live: a worker thread owns the
   * policies, hub/table/plan-thread.ts); answers in the requests' order. Without it (and in `step`) the
   * policies plan here. Not for a street with links: their coordinator channel stays in this thread.
   */
  plans?(requests: readonly PlanRequest[]): Promise<PlanAnswer[]>;
}

/** Plans a step asks for: a fleet policy's homes at once, or one home alone. */
export interface PlanRequest {
  readonly policy: Policy;
  /** planFleet for the homes (a fleet policy's), or plan for the one home. */
  readonly fleet: boolean;
  readonly homes: readonly StreetHome[];
  readonly contexts: readonly PlanContext[];
}

/** A request's plans (in its homes' order) or the error that stopped them, with the wall time taken. */
export type PlanAnswer = { plans: Plan[]; planningMs: number } | { error: Error; planningMs: number };

/** Makes a request's plans with the policy here (the residents' step, or the live table's plan thread). */
export function answerPlans(
  policy: Policy,
  fleet: boolean,
  contexts: readonly PlanContext[],
  openChannel?: OpenCoordinatorChannel,
): PlanAnswer {
  const started = performance.now();
  try {
    const plans = fleet
      ? (policy as FleetPolicy).planFleet(contexts, openChannel)
      : [policy.plan(contexts[0] as PlanContext)];
    return { plans, planningMs: performance.now() - started };
  } catch (error) {
    return { error: error as Error, planningMs: performance.now() - started };
  }
}

export class ResidentAgents implements StreetParticipant {
  readonly name = 'residents';
  /** The step's requests and their answers, made by `hooks.plans` before the step. */
  private prepared: { frame: StepFrame; requests: PlanRequest[]; answers: PlanAnswer[] } | undefined;

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

  /** Hands the step's plan requests to `hooks.plans` (when set) and keeps the answers for `step`. */
  async prepare(frame: StepFrame): Promise<void> {
    const plans = this.hooks.plans;
    if (!plans) return;
    const requests = this.requests(frame);
    this.prepared = { frame, requests, answers: await plans(requests) };
  }

  step(frame: StepFrame): void {
    const slot = this.slotOf(frame);
    const prepared = this.prepared?.frame === frame ? this.prepared : undefined;
    this.prepared = undefined;
    const requests = prepared?.requests ?? this.requests(frame);
    requests.forEach((request, index) => {
      const answer = prepared?.answers[index] ?? this.answer(request);
      this.adoptAnswer(request, answer, slot, frame);
    });
    for (const home of this.homes) {
      frame.setpoints[home.index] = setpointsAt(home.plan as Plan, slot - home.planSlot);
    }
  }

  private slotOf(frame: StepFrame): number {
    return this.hooks.slotOf ? this.hooks.slotOf(frame) : frame.step;
  }

  /**
   * The plans due this step: fleets (in the order their first home appears; a home's policy may change
   * between steps live), then every other home whose plan has run out or was dropped. All are due before any
   * home steps, so the market module sees the whole street's setpoints.
   */
  private requests(frame: StepFrame): PlanRequest[] {
    const slot = this.slotOf(frame);
    this.links?.sendReadings(frame.step, this.homes);
    const requests: PlanRequest[] = [];
    const inFleetPlan = new Set<StreetHome>();
    for (const policy of new Set(this.homes.map((home) => home.policy))) {
      if (!isFleetPolicy(policy) || !this.fleetDue(policy, slot)) continue;
      const fleet = this.homes.filter((home) => home.policy === policy);
      for (const home of fleet) inFleetPlan.add(home);
      const contexts = fleet.map((home) => this.context(home, slot, frame));
      requests.push({ policy, fleet: true, homes: fleet, contexts });
    }
    for (const home of this.homes) {
      if (inFleetPlan.has(home)) continue;
      if (!home.plan || slot - home.planSlot >= home.policy.replanEverySteps) {
        const contexts = [this.context(home, slot, frame)];
        requests.push({ policy: home.policy, fleet: false, homes: [home], contexts });
      }
    }
    return requests;
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

  /** Plans a request here; a fleet's coordinator talks over the street's links when there are any. */
  private answer(request: PlanRequest): PlanAnswer {
    const links = this.links;
    const homeIds = request.homes.map((home) => home.spec.id);
    const openChannel = links && request.fleet ? () => links.coordinatorChannel(homeIds) : undefined;
    return answerPlans(request.policy, request.fleet, request.contexts, openChannel);
  }

  /** Each home of the request adopts its plan (the fallback's when the policy threw, where there is one). */
  private adoptAnswer(request: PlanRequest, answer: PlanAnswer, slot: number, frame: StepFrame): void {
    this.timing.optimisationMs += answer.planningMs;
    const share = answer.planningMs / request.homes.length;
    request.homes.forEach((home, index) => {
      const plan = 'error' in answer ? this.fallback(home, answer.error) : (answer.plans[index] as Plan);
      this.adopt(home, plan, slot, frame, share);
    });
  }

  /** The hooks' fallback plan for a home whose policy threw; without a fallback the error propagates. */
  private fallback(home: StreetHome, error: Error): Plan {
    if (!this.hooks.fallback) throw error;
    return this.hooks.fallback(home, error);
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
