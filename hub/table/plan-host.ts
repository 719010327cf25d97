/**
 * The live table's policies in the plan thread (hub/table/plan-worker.ts): made by name from the registry with
 * the live context, they plan the requests the hub's streets hand out, with the residents' own code
 * (`answerPlans`), so a plan made here is the plan the hub's thread would have made.
 */
import type { Highs } from 'highs';
import type { Plan, PlanContext, Policy } from '../agents/index.js';
import { createPolicyWith } from '../agents/registry.js';
import { answerPlans } from '../engine/participants/residents.js';
import { livePolicyContext } from './live-policies.js';

/** One request of a plan message: the policy by its id, fleet or one home, the contexts. */
export interface ThreadPlanRequest {
  id: number;
  fleet: boolean;
  contexts: PlanContext[];
}

/** What the hub sends the plan thread, in order. */
export type PlanThreadMessage =
  | { kind: 'create'; id: number; name: string }
  | { kind: 'plan'; seq: number; requests: ThreadPlanRequest[] }
  | { kind: 'dispose'; id: number };

/** A request's plans, or its error's message (an Error does not keep its class across threads). */
export type ThreadPlanAnswer = { plans: Plan[]; planningMs: number } | { error: string; planningMs: number };

/** The plan thread's answer to a plan message. */
export interface PlanThreadReply {
  seq: number;
  answers: ThreadPlanAnswer[];
}

/** The plan thread's data at start: the import limit the street policies plan against, kW. */
export interface PlanThreadData {
  limitKw: number;
}

export class PlanHost {
  private readonly policies = new Map<number, Policy>();

  constructor(
    private readonly highs: Highs,
    data: PlanThreadData,
    private readonly context = livePolicyContext(highs, data.limitKw),
  ) {}

  /** Handles one message; a plan message is answered. */
  handle(message: PlanThreadMessage): PlanThreadReply | undefined {
    if (message.kind === 'create') {
      this.policies.set(message.id, createPolicyWith(this.highs, message.name, this.context));
      return undefined;
    }
    if (message.kind === 'dispose') {
      this.policies.get(message.id)?.dispose();
      this.policies.delete(message.id);
      return undefined;
    }
    return { seq: message.seq, answers: message.requests.map((request) => this.answer(request)) };
  }

  private answer(request: ThreadPlanRequest): ThreadPlanAnswer {
    const policy = this.policies.get(request.id);
    if (!policy) return { error: `the plan thread has no policy ${request.id}`, planningMs: 0 };
    const answer = answerPlans(policy, request.fleet, request.contexts);
    return 'error' in answer ? { error: answer.error.message, planningMs: answer.planningMs } : answer;
  }
}
