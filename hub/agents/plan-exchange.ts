import type { AgentPlanRequest, ResidentPlan } from '../../protocol/gridflex.js';

/** Sends a plan request to a home's outside agent (the live hub publishes it on MQTT). */
export type PlanRequestSender = (request: AgentPlanRequest) => void;

/** A plan that answered a request, with the request it answered. */
export interface AnsweredPlan {
  request: AgentPlanRequest;
  plan: ResidentPlan;
}

const LIMIT_TOLERANCE_KW = 1e-6;

/**
 * Policy `external`'s mailbox: the requests sent to each home's outside agent and the plans that answered
 * them. The live hub installs a sender (hub/live/extensions/external-agents.ts) and delivers the plans it
 * receives; without a sender no request goes out and every home falls back to the built-in policy.
 */
export class PlanExchange {
  private sender: PlanRequestSender | undefined;
  private readonly latestRequest = new Map<string, AgentPlanRequest>();
  private readonly answers = new Map<string, AnsweredPlan>();

  install(sender: PlanRequestSender): void {
    this.sender = sender;
  }

  uninstall(): void {
    this.sender = undefined;
    this.latestRequest.clear();
    this.answers.clear();
  }

  get connected(): boolean {
    return this.sender !== undefined;
  }

  /** Sends a request (when a sender is installed); it replaces the home's earlier one. */
  ask(request: AgentPlanRequest): void {
    if (!this.sender) return;
    this.latestRequest.set(request.home, request);
    this.sender(request);
  }

  /** The plan that answered `requestId` for `home`, if it came. */
  answerTo(home: string, requestId: string): AnsweredPlan | undefined {
    const answer = this.answers.get(home);
    return answer?.request.requestId === requestId ? answer : undefined;
  }

  /** Takes an agent's plan for its home's latest request, or says why not (an old request, a broken limit). */
  deliver(home: string, plan: ResidentPlan): { accepted: boolean; reason: string } {
    const request = this.latestRequest.get(home);
    if (!request) return { accepted: false, reason: `no plan request is open for ${home}` };
    if (plan.requestId !== request.requestId) {
      return {
        accepted: false,
        reason: `plan answers ${plan.requestId}, but ${home}'s open request is ${request.requestId}`,
      };
    }
    const problem = limitProblem(request, plan);
    if (problem) return { accepted: false, reason: problem };
    this.answers.set(home, { request, plan });
    return { accepted: true, reason: `plan for ${home} from step ${request.step} taken` };
  }
}

/** The first value of the plan outside the request's device limits, in words. */
function limitProblem(request: AgentPlanRequest, plan: ResidentPlan): string | undefined {
  const { limits } = request;
  return (
    seriesProblem('evKw', plan.evKw, 0, limits.evMaxChargeKw ?? 0, 'the EV charger') ??
    seriesProblem(
      'batteryKw',
      plan.batteryKw,
      -(limits.batteryMaxDischargeKw ?? 0),
      limits.batteryMaxChargeKw ?? 0,
      'the battery',
    ) ??
    seriesProblem('heatPumpKw', plan.heatPumpKw, 0, limits.heatPumpMaxKw ?? 0, 'the heat pump')
  );
}

function seriesProblem(
  field: string,
  series: readonly number[] | undefined,
  minKw: number,
  maxKw: number,
  device: string,
): string | undefined {
  const index = (series ?? []).findIndex(
    (kw) => kw < minKw - LIMIT_TOLERANCE_KW || kw > maxKw + LIMIT_TOLERANCE_KW,
  );
  if (index < 0) return undefined;
  return `${field}[${index}] = ${series?.[index]} kW is outside ${device}'s limits ${minKw}…${maxKw} kW`;
}

/** The hub's one mailbox (one live table per process). */
export const planExchange = new PlanExchange();
