/**
 * Where the live streets' policies plan. With a plan thread (the hub) each policy of the registry is made in
 * the thread, which plans; here a stand-in gives the streets its name, horizon and re-plan interval from the
 * policy's definition, and makes the policy here only if the thread fails (from then on it plans here, with
 * its own solver state). A policy whose definition says `liveInHubThread` (external: its plans come over the
 * hub's broker) is made and plans here only.
 */
import type { Highs } from 'highs';
import type { FleetPolicy, OpenCoordinatorChannel } from '../agents/fleet.js';
import type { Plan, PlanContext, Policy, TariffChoice } from '../agents/index.js';
import {
  createPolicyWith,
  POLICIES,
  type PolicyDefinition,
  type PolicySchedule,
} from '../agents/registry.js';
import { answerPlans, type PlanAnswer, type PlanRequest } from '../engine/participants/residents.js';
import { livePolicyContext } from './live-policies.js';
import type { PlanThread } from './plan-thread.js';

/** A policy the plan thread plans; here it stands in for it, and makes and plans it if the thread fails. */
class ThreadPolicy implements Policy {
  readonly horizonSteps: number;
  readonly replanEverySteps: number;
  readonly tariffChoice: TariffChoice;
  private made: Policy | undefined;

  constructor(
    readonly name: string,
    schedule: PolicySchedule,
    private readonly make: () => Policy,
    readonly id: number,
    private readonly thread: PlanThread,
  ) {
    ({
      horizonSteps: this.horizonSteps,
      replanEverySteps: this.replanEverySteps,
      tariffChoice: this.tariffChoice,
    } = schedule);
  }

  /** The policy in this thread, made on first use: only once the thread has failed. */
  protected get local(): Policy {
    this.made ??= this.make();
    return this.made;
  }

  plan(context: PlanContext): Plan {
    return this.local.plan(context);
  }

  dispose(): void {
    this.made?.dispose();
    this.thread.dispose(this.id);
  }
}

/** A fleet policy the plan thread plans (the residents tell fleets by `planFleet`). */
class ThreadFleetPolicy extends ThreadPolicy implements FleetPolicy {
  planFleet(contexts: readonly PlanContext[], openChannel?: OpenCoordinatorChannel): Plan[] {
    return (this.local as FleetPolicy).planFleet(contexts, openChannel);
  }

  get report() {
    return (this.local as FleetPolicy).report;
  }

  resetReport(): void {
    (this.local as FleetPolicy).resetReport();
  }
}

export class LivePlanner {
  private readonly context;

  constructor(
    private readonly highs: Highs,
    limitKw: number,
    private readonly thread?: PlanThread,
  ) {
    this.context = livePolicyContext(highs, limitKw);
  }

  /** A fresh policy of the registry for a live street. */
  create(name: string): Policy {
    const make = () => createPolicyWith(this.highs, name, this.context);
    const definition = POLICIES.find((candidate) => candidate.name === name) as PolicyDefinition | undefined;
    // An unknown name: made here, so the registry refuses it as it words it.
    if (!this.thread || !definition || definition.liveInHubThread) return make();
    const id = this.thread.create(name);
    const schedule = definition.schedule(this.context);
    const StandIn = schedule.fleet ? ThreadFleetPolicy : ThreadPolicy;
    return new StandIn(name, schedule, make, id, this.thread);
  }

  /**
   * The residents' plan requests of one street step: the thread's policies' in one message, the others here
   * meanwhile; all here when the thread has failed.
   */
  readonly plans = async (requests: readonly PlanRequest[]): Promise<PlanAnswer[]> => {
    const thread = this.thread?.running ? this.thread : undefined;
    const inThread = thread ? requests.filter((request) => request.policy instanceof ThreadPolicy) : [];
    const fromThread =
      thread && inThread.length > 0
        ? thread.plan(
            inThread.map((request) => ({
              id: (request.policy as ThreadPolicy).id,
              fleet: request.fleet,
              contexts: [...request.contexts],
            })),
          )
        : Promise.resolve([]);
    const here = new Map(
      requests
        .filter((request) => !inThread.includes(request))
        .map((request) => [request, answerHere(request)] as const),
    );
    const threadAnswers = (await fromThread) ?? inThread.map(answerHere);
    return requests.map(
      (request) => here.get(request) ?? (threadAnswers[inThread.indexOf(request)] as PlanAnswer),
    );
  };

  /** Ends the plan thread, if any. */
  async stop(): Promise<void> {
    await this.thread?.stop();
  }
}

function answerHere(request: PlanRequest): PlanAnswer {
  return answerPlans(request.policy, request.fleet, request.contexts);
}
