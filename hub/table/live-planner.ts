/**
 * Where the live streets' policies plan. With a plan thread (the hub) each policy of the registry is made in
 * the thread, which plans; here a stand-in gives the streets its name, horizon and re-plan interval from the
 * policy's definition, and makes the policy here only if the thread fails (from then on it plans here, with
 * its own solver state). A policy whose definition says `liveInHubThread` (external: its plans come over the
 * hub's broker) is made and plans here only. Given a loader rather than HiGHS itself, this thread loads HiGHS
 * (some 11 MB) only when a policy is first made here: with a running plan thread and no such policy, never.
 */
import type { Highs } from 'highs';
import type { FleetPolicy, OpenCoordinatorChannel } from '../agents/fleet.js';
import type { Plan, PlanContext, Policy, TariffChoice } from '../agents/index.js';
import {
  createPolicyWith,
  POLICIES,
  type PolicyDefinition,
  type PolicySchedule,
  unknownPolicy,
} from '../agents/registry.js';
import { answerPlans, type PlanAnswer, type PlanRequest } from '../engine/participants/residents.js';
import { InputError } from '../errors.js';
import { livePolicyContext } from './live-policies.js';
import type { PlanThread } from './plan-thread.js';

/**
 * A policy the plan thread plans; here it stands in for it, and makes and plans it if the thread fails. Without
 * a thread, a policy that plans here, made at its first plan (once HiGHS is loaded).
 */
class ThreadPolicy implements Policy {
  readonly horizonSteps: number;
  readonly replanEverySteps: number;
  readonly tariffChoice: TariffChoice;
  private made: Policy | undefined;

  constructor(
    readonly name: string,
    schedule: PolicySchedule,
    private readonly make: () => Policy,
    private readonly inThread?: { id: number; thread: PlanThread },
  ) {
    ({
      horizonSteps: this.horizonSteps,
      replanEverySteps: this.replanEverySteps,
      tariffChoice: this.tariffChoice,
    } = schedule);
  }

  /** The plan thread's id of the policy; undefined when it plans here only. */
  get id(): number | undefined {
    return this.inThread?.id;
  }

  /** The policy in this thread, made on first use: only once the thread has failed (or without a thread). */
  protected get local(): Policy {
    this.made ??= this.make();
    return this.made;
  }

  plan(context: PlanContext): Plan {
    return this.local.plan(context);
  }

  dispose(): void {
    this.made?.dispose();
    this.inThread?.thread.dispose(this.inThread.id);
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
  private highs: Highs | undefined;
  private readonly loadHighs: () => Promise<Highs>;

  /** `highs`: HiGHS, or its loader, called when a policy is first made in this thread. */
  constructor(
    highs: Highs | (() => Promise<Highs>),
    limitKw: number,
    private readonly thread?: PlanThread,
  ) {
    if (typeof highs === 'function') this.loadHighs = highs;
    else {
      this.highs = highs;
      this.loadHighs = () => Promise.resolve(highs);
    }
    this.context = livePolicyContext(() => this.loaded(), limitKw);
  }

  /** A fresh policy of the registry for a live street. */
  create(name: string): Policy {
    const definition = POLICIES.find((candidate) => candidate.name === name) as PolicyDefinition | undefined;
    if (!definition) throw new InputError('policy', unknownPolicy(name));
    const make = () => createPolicyWith(this.loaded(), name, this.context);
    const here = !this.thread || definition.liveInHubThread;
    if (here && this.highs) return make();
    const schedule = definition.schedule(this.context);
    const StandIn = schedule.fleet ? ThreadFleetPolicy : ThreadPolicy;
    const inThread = here
      ? undefined
      : { id: (this.thread as PlanThread).create(name), thread: this.thread as PlanThread };
    return new StandIn(name, schedule, make, inThread);
  }

  /**
   * The residents' plan requests of one street step: the thread's policies' in one message, the others here
   * meanwhile; all here when the thread has failed.
   */
  readonly plans = async (requests: readonly PlanRequest[]): Promise<PlanAnswer[]> => {
    const thread = this.thread?.running ? this.thread : undefined;
    const inThread = thread ? requests.filter((request) => threadId(request) !== undefined) : [];
    const fromThread =
      thread && inThread.length > 0
        ? thread.plan(
            inThread.map((request) => ({
              id: threadId(request) as number,
              fleet: request.fleet,
              contexts: [...request.contexts],
            })),
          )
        : Promise.resolve([]);
    const hereRequests = requests.filter((request) => !inThread.includes(request));
    if (hereRequests.length > 0 && !this.highs) await this.load();
    const here = new Map(hereRequests.map((request) => [request, answerHere(request)] as const));
    const fromThreadAnswers = await fromThread;
    if (!fromThreadAnswers && inThread.length > 0 && !this.highs) await this.load();
    const threadAnswers = fromThreadAnswers ?? inThread.map(answerHere);
    return requests.map(
      (request) => here.get(request) ?? (threadAnswers[inThread.indexOf(request)] as PlanAnswer),
    );
  };

  /** HiGHS, loaded (this thread makes a policy only after {@link load}). */
  private loaded(): Highs {
    if (!this.highs) throw new Error('HiGHS is not loaded in this thread yet');
    return this.highs;
  }

  private async load(): Promise<void> {
    this.highs ??= await this.loadHighs();
  }

  /** Ends the plan thread, if any. */
  async stop(): Promise<void> {
    await this.thread?.stop();
  }
}

/** The plan thread's id of the request's policy, if the thread plans it. */
function threadId(request: PlanRequest): number | undefined {
  return request.policy instanceof ThreadPolicy ? request.policy.id : undefined;
}

function answerHere(request: PlanRequest): PlanAnswer {
  return answerPlans(request.policy, request.fleet, request.contexts);
}
