/**
 * A scenario's street stepped by a resident's outside agent over MCP (`gridflex mcp --scenario`): the same
 * year street as `gridflex run`, with the agent's home on policy `external`. The street advances only when
 * the agent asks; each step's plan request is the agent's to answer, and a plan it gave keeps being followed
 * step after step until its horizon ends (then the built-in selfish plan takes over, and the decision says so).
 */
import type { AgentPlanRequest, ResidentPlan } from '../../protocol/gridflex.js';
import { planExchange } from '../agents/plan-exchange.js';
import type { YearResult } from '../engine/outcomes.js';
import { eligibility, meteredBillSteps } from '../engine/participants/tariffs.js';
import type { StreetHome } from '../engine/street-home.js';
import { buildYearStreet, type YearStreet, type YearStreetOptions } from '../engine/year-street.js';
import { clockLabel } from '../environment/calendar.js';
import { InputError } from '../errors.js';
import type { PowerFlowResult } from '../feeder/index.js';
import type { HomeStepResult } from '../homes/index.js';
import { evaluateSwitch, type SwitchEvaluation } from '../market/evaluate-switch.js';
import type { Tariff } from '../market/tariff.js';
import type { Metrics } from '../sim/metrics.js';
import type { RunInputs } from '../sim/runner.js';
import { withPassiveBaseline } from '../sim/study.js';

/** One step of the agent's home as its meter and devices saw it. */
export interface SteppedReading {
  step: number;
  time: string;
  netKw: number;
  importKwh: number;
  exportKwh: number;
  baseLoadKw: number;
  pvKw: number;
  evKw: number;
  batteryKw: number;
  heatPumpKw: number;
}

/** What the run needs to be built: its inputs and the choices `gridflex mcp --scenario` was given. */
export interface SteppedRunOptions {
  /** The home the agent acts for (its policy becomes `external`). */
  home: string;
  /** The other homes' policy; default each home's own. */
  othersPolicy?: string;
  days?: number;
  createPolicy: YearStreetOptions['createPolicy'];
}

/** A plan the agent gave, and the request it answered: followed until its series end. */
interface StandingPlan {
  request: AgentPlanRequest;
  plan: ResidentPlan;
}

export class SteppedRun {
  private nextStep = 0;
  private openRequest: AgentPlanRequest | undefined;
  private standing: StandingPlan | undefined;
  private lastFlow: PowerFlowResult | undefined;
  private readonly readings: SteppedReading[] = [];
  private readonly openedMs = performance.now();

  private constructor(
    private readonly inputs: RunInputs,
    private readonly year: YearStreet,
    readonly home: StreetHome,
  ) {}

  /** Builds the street with `options.home` on policy `external`, answered by this run's agent. */
  static async open(inputs: RunInputs, options: SteppedRunOptions): Promise<SteppedRun> {
    const scenario = inputs.scenario;
    if (!scenario.homes.some((home) => home.spec.id === options.home)) {
      const ids = scenario.homes.map((home) => home.spec.id).join(', ');
      throw new InputError('--home', `"${options.home}" is not a home of ${scenario.file} (homes: ${ids})`);
    }
    const homes = scenario.homes.map((home) => ({
      ...home,
      policy: home.spec.id === options.home ? 'external' : (options.othersPolicy ?? home.policy),
    }));
    const stepped = { ...inputs, scenario: { ...scenario, homes } };
    let run: SteppedRun | undefined;
    const year = await buildYearStreet(stepped, undefined, {
      ...(options.days !== undefined ? { days: options.days } : {}),
      ...(options.createPolicy ? { createPolicy: options.createPolicy } : {}),
      onHomeStep: (step, index, result) => run?.onHomeStep(step, index, result),
    });
    const home = year.street.homes.find((candidate) => candidate.spec.id === options.home) as StreetHome;
    run = new SteppedRun(inputs, year, home);
    planExchange.install((request) => run?.onRequest(request));
    return run;
  }

  get stepCount(): number {
    return this.year.stepCount;
  }

  /** The next step to run (= steps done). */
  get step(): number {
    return this.nextStep;
  }

  get done(): boolean {
    return this.nextStep >= this.year.stepCount;
  }

  /** Simulated time at the start of the next step (or the end of the run). */
  get time(): string {
    return clockLabel(this.year.world.minuteOfYear(this.nextStep));
  }

  get stepMinutes(): number {
    return this.year.world.stepMinutes;
  }

  /** The plan request of the last step run: what the agent answers with {@link submitPlan}. */
  get request(): AgentPlanRequest | undefined {
    return this.openRequest;
  }

  /** Runs up to `steps` steps of the street; returns how many ran. */
  advance(steps: number): number {
    const until = Math.min(this.year.stepCount, this.nextStep + steps);
    const from = this.nextStep;
    for (; this.nextStep < until; this.nextStep++) {
      this.lastFlow = this.year.street.step(this.nextStep).flow;
    }
    return this.nextStep - from;
  }

  /** Takes the agent's plan for the open request; refused (with why) outside the device limits. */
  submitPlan(plan: Omit<ResidentPlan, 'requestId'>): { accepted: boolean; reason: string } {
    const request = this.openRequest;
    if (!request) return { accepted: false, reason: 'no plan request yet: advance the run a step first' };
    const answer = planExchange.deliver(request.home, { ...plan, requestId: request.requestId });
    if (answer.accepted) this.standing = { request, plan: { ...plan, requestId: request.requestId } };
    return answer;
  }

  /** The home's readings, oldest first. */
  meterHistory(lastSteps: number): SteppedReading[] {
    return this.readings.slice(-lastSteps);
  }

  /** The power flow of the last step run. */
  get flow(): PowerFlowResult | undefined {
    return this.lastFlow;
  }

  /** Every tariff on offer billed on the home's metered use so far (the review's own comparison). */
  compareTariffs(): SwitchEvaluation {
    const { scenario } = this.inputs;
    const world = this.year.world;
    return evaluateSwitch(
      meteredBillSteps(this.home, world, 0, this.nextStep),
      this.home.tariff,
      scenario.catalogue,
      scenario.regulator,
      { minSavingGbpPerYear: 0, assets: eligibility(this.home) },
      {
        stepMinutes: world.stepMinutes,
        startMinuteOfYear: world.minuteOfYear(0),
        contractStartMinute: this.home.contractStartMinute,
        switchMinute: world.minuteOfYear(this.nextStep),
      },
    );
  }

  /** Asks the switching system (its capacity and lag) to move the home to `tariffId`. */
  requestSwitch(tariffId: string, reason: string): { accepted: boolean; reason: string } {
    const { catalogue } = this.inputs.scenario;
    if (!catalogue.tariffs.some((tariff) => tariff.id === tariffId)) {
      const ids = catalogue.tariffs.map((tariff) => tariff.id).join(', ');
      return { accepted: false, reason: `no tariff "${tariffId}" on offer (offered: ${ids})` };
    }
    const rejected = this.year.switching.request({
      homeId: this.home.spec.id,
      fromTariffId: this.home.tariff.id,
      toTariffId: tariffId,
      requestMinute: this.year.world.minuteOfYear(this.nextStep),
      reason,
    });
    if (rejected) return { accepted: false, reason: rejected.reason };
    return {
      accepted: true,
      reason: `switch from ${this.home.tariff.id} to ${tariffId} queued: the switching system processes it on a working day and it takes effect after the regulator's lag`,
    };
  }

  /** The scenario's tariffs on offer. */
  offers(): readonly Tariff[] {
    return this.inputs.scenario.catalogue.tariffs;
  }

  /** The scenario's regulator rules (an MCP resource). */
  get rules(): unknown {
    return this.inputs.scenario.regulator;
  }

  /** What the run is (an MCP resource): the scenario, its span, its homes and their policies. */
  get scenarioSummary(): Record<string, unknown> {
    const { scenario } = this.inputs;
    return {
      file: scenario.file,
      name: scenario.name,
      ...(scenario.description !== undefined ? { description: scenario.description } : {}),
      feeder: this.inputs.feeder.name,
      stepMinutes: this.stepMinutes,
      stepCount: this.stepCount,
      marketModule: scenario.marketModule ?? 'retail only',
      homes: this.year.street.homes.map((home) => ({ home: home.spec.id, policy: home.policy.name })),
    };
  }

  /** Whether a switch of the home is waiting in the switching system. */
  get switchPending(): boolean {
    return this.year.switching.isPending(this.home.spec.id);
  }

  /** Writes one line into the run's decisions.jsonl. */
  note(text: string): void {
    const minute = this.year.world.minuteOfYear(Math.min(this.nextStep, this.year.stepCount - 1));
    this.year.decisions.push({
      step: this.nextStep,
      time: clockLabel(minute),
      home: this.home.spec.id,
      policy: 'external',
      kind: 'agent-call',
      text,
    });
  }

  /**
   * Runs the steps left (the standing plan, then the built-in one), releases the policies and the agent's
   * mailbox, and returns the result with its passive baseline and metrics.
   */
  async finish(): Promise<{ result: YearResult; passive: YearResult; metrics: Metrics }> {
    this.advance(this.year.stepCount);
    planExchange.uninstall();
    const result = this.year.finish(performance.now() - this.openedMs);
    return withPassiveBaseline(this.inputs, result, { days: result.days });
  }

  /** Drops the mailbox without finishing (the agent left). */
  close(): void {
    planExchange.uninstall();
  }

  private onRequest(request: AgentPlanRequest): void {
    if (request.home !== this.home.spec.id) return;
    this.openRequest = request;
    const standing = this.standing;
    if (!standing) return;
    const offset = request.step - standing.request.step;
    const length = Math.max(
      standing.plan.evKw?.length ?? 0,
      standing.plan.batteryKw?.length ?? 0,
      standing.plan.heatPumpKw?.length ?? 0,
    );
    if (offset <= 0 || offset >= length) return;
    // The plan goes on: the same series from this step, as the answer to this step's request.
    const shifted = (series: number[] | undefined) => series?.slice(offset);
    planExchange.deliver(request.home, {
      requestId: request.requestId,
      ...(standing.plan.evKw ? { evKw: shifted(standing.plan.evKw) } : {}),
      ...(standing.plan.batteryKw ? { batteryKw: shifted(standing.plan.batteryKw) } : {}),
      ...(standing.plan.heatPumpKw ? { heatPumpKw: shifted(standing.plan.heatPumpKw) } : {}),
      ...(standing.plan.explanation ? { explanation: standing.plan.explanation } : {}),
    });
  }

  private onHomeStep(step: number, index: number, result: HomeStepResult): void {
    if (index !== this.home.index) return;
    this.readings.push({
      step,
      time: clockLabel(this.year.world.minuteOfYear(step)),
      netKw: result.pKw,
      importKwh: result.importKwh,
      exportKwh: result.exportKwh,
      baseLoadKw: result.baseLoadKw,
      pvKw: result.pvKw,
      evKw: result.evKw,
      batteryKw: result.batteryKw,
      heatPumpKw: result.heatPumpKw,
    });
  }
}
