/**
 * Where the live streets' policies plan. With a plan thread (the hub) each policy of the registry is made
 * twice: in the thread, which plans, and here, which gives the streets its name, horizon and re-plan interval
 * and plans only if the thread fails (from then on, with its own solver state). A policy whose definition
 * says `liveInHubThread` (external: its plans come over the hub's broker) plans here only.
 */
import type { Highs } from 'highs';
import type { FleetPolicy, OpenCoordinatorChannel } from '../agents/fleet.js';
import { isFleetPolicy } from '../agents/fleet.js';
import type { Plan, PlanContext, Policy, TariffChoice } from '../agents/index.js';
import { createPolicyWith, POLICIES, type PolicyDefinition } from '../agents/registry.js';
import { answerPlans, type PlanAnswer, type PlanRequest } from '../engine/participants/residents.js';
import { livePolicyContext } from './live-policies.js';
import type { PlanThread } from './plan-thread.js';

/** A policy the plan thread plans; here it stands in for it (and plans if the thread fails). */
class ThreadPolicy implements Policy {
  readonly name: string;
  readonly horizonSteps: number;
  readonly replanEverySteps: number;
  readonly tariffChoice: TariffChoice;

  constructor(
    readonly local: Policy,
    readonly id: number,
    private readonly thread: PlanThread,
  ) {
    this.name = local.name;
    this.horizonSteps = local.horizonSteps;
    this.replanEverySteps = local.replanEverySteps;
    this.tariffChoice = local.tariffChoice;
  }

  plan(context: PlanContext): Plan {
    return this.local.plan(context);
  }

  dispose(): void {
    this.local.dispose();
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
    const local = createPolicyWith(this.highs, name, this.context);
    const definition = POLICIES.find((candidate) => candidate.name === name) as PolicyDefinition;
    if (!this.thread || definition.liveInHubThread) return local;
    const id = this.thread.create(name);
    return isFleetPolicy(local)
      ? new ThreadFleetPolicy(local, id, this.thread)
      : new ThreadPolicy(local, id, this.thread);
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
