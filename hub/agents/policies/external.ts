import type { AgentPlanRequest, ResidentPlan } from '../../../protocol/gridflex.js';
import type { HomeSpec } from '../../homes/index.js';
import { type PlanExchange, planExchange } from '../plan-exchange.js';
import { formatClock, type Plan, type PlanContext, type Policy, type TariffChoice } from '../policy.js';
import { definePolicy, planningWindow } from '../policy-definition.js';
import { SelfishPolicy } from '../selfish.js';

/**
 * Bring your own agent: every plan step each home asks its outside agent for a plan
 * (`gridflex/v1/agents/<home>/plan-request`, answered on `gridflex/control/v1/resident/<home>/plan`, docs/agents.md).
 * The answer to a request is due before the home's next plan step, where it is followed from the step it
 * starts at; a home whose agent missed the deadline (or that has no agent) runs the built-in selfish plan,
 * and its decision says so.
 */
export class ExternalPolicy implements Policy {
  readonly name = 'external';
  readonly horizonSteps: number;
  /** Plans every step: each step sends the next request and collects the last one's answer. */
  readonly replanEverySteps = 1;
  readonly tariffChoice: TariffChoice = 'resident';
  private readonly openRequest = new Map<string, AgentPlanRequest>();

  constructor(
    private readonly fallback: SelfishPolicy,
    private readonly exchange: PlanExchange = planExchange,
  ) {
    this.horizonSteps = fallback.horizonSteps;
  }

  plan(context: PlanContext): Plan {
    const answered = this.answered(context);
    this.ask(context);
    if (answered) return this.followed(answered.plan, context.step - answered.request.step, context);
    return this.fellBack(context);
  }

  dispose(): void {
    this.fallback.dispose();
  }

  /** The answer to the home's previous request, if it came before this plan step (its deadline). */
  private answered(context: PlanContext) {
    const previous = this.openRequest.get(context.home.id);
    if (!previous) return undefined;
    const answer = this.exchange.answerTo(previous.home, previous.requestId);
    const offset = context.step - previous.step;
    return answer && offset >= 0 && offset < this.horizonSteps ? answer : undefined;
  }

  private ask(context: PlanContext): void {
    const request = planRequest(context, this.horizonSteps);
    this.openRequest.set(context.home.id, request);
    this.exchange.ask(request);
  }

  /**
   * The agent's plan from `offset` steps in, as long as the horizon (zeros after its end); a device the
   * agent left out follows the built-in selfish plan.
   */
  private followed(plan: ResidentPlan, offset: number, context: PlanContext): Plan {
    const left = SERIES.filter((field) => plan[field] === undefined);
    const builtIn = left.length > 0 ? this.fallback.plan(context) : undefined;
    const series = (field: (typeof SERIES)[number]) => {
      const values = plan[field];
      if (values === undefined) return (builtIn as Plan)[field];
      const out = new Float64Array(this.horizonSteps);
      out.set(values.slice(offset, offset + this.horizonSteps));
      return out;
    };
    const rest =
      left.length > 0 ? ` (${left.map((field) => DEVICE_OF[field]).join(', ')}: built-in selfish plan)` : '';
    return {
      evKw: series('evKw'),
      batteryKw: series('batteryKw'),
      heatPumpKw: series('heatPumpKw'),
      explanation: `outside agent: ${plan.explanation ?? 'no explanation given'}${rest}`,
      cannotKeep: builtIn?.cannotKeep ?? [],
    };
  }

  private fellBack(context: PlanContext): Plan {
    const plan = this.fallback.plan(context);
    const why = this.exchange.connected
      ? `the outside agent did not answer by ${formatClock(context.forecast.minuteOfDay[0] ?? 0)}`
      : 'no outside agent is connected (the live hub carries the requests)';
    return { ...plan, explanation: `${why}: built-in selfish plan. ${plan.explanation ?? ''}`.trim() };
  }
}

const SERIES = ['evKw', 'batteryKw', 'heatPumpKw'] as const;
const DEVICE_OF = { evKw: 'EV', batteryKw: 'battery', heatPumpKw: 'heat pump' } as const;

/** The request for the home's plan from this step: its forecast, stores, device limits and preferences. */
function planRequest(context: PlanContext, horizonSteps: number): AgentPlanRequest {
  const { home, state, forecast, step, dtHours } = context;
  const name = homeName(home);
  const list = (values: ArrayLike<number>) => Array.from(values).slice(0, horizonSteps);
  const stepMinutes = dtHours * 60;
  const minuteOfDay = Math.round(forecast.minuteOfDay[0] ?? 0) % 1440;
  return {
    requestId: `${name}-${step}`,
    home: name,
    step,
    stepMinutes,
    minuteOfDay,
    deadlineMinuteOfDay: Math.round(minuteOfDay + stepMinutes) % 1440,
    horizonSteps,
    importPriceGbpPerKwh: list(forecast.importPriceGbpPerKwh),
    exportPriceGbpPerKwh: list(forecast.exportPriceGbpPerKwh),
    carbonKgPerKwh: list(forecast.carbonKgPerKwh),
    baseLoadKw: list(forecast.baseLoadKw),
    pvAvailableKw: list(forecast.pvAvailableKw),
    evAtHome: list(forecast.evAtHome),
    ...(home.ev ? { evSocKwh: state.evSocKwh } : {}),
    ...(home.battery ? { batterySocKwh: state.batterySocKwh } : {}),
    ...(home.heatPump ? { indoorC: state.indoorC } : {}),
    limits: deviceLimits(home),
    preferences: {
      evReadyByMinute: home.preferences.evReadyByMinute,
      evTargetSocPct: home.preferences.evTargetSocPct,
      comfortMinCelsius: home.preferences.comfortMinC,
      comfortMaxCelsius: home.preferences.comfortMaxC,
    },
  };
}

/** The home's name on the wire: the live table's specs are `<home>/<its devices>`, one per composition. */
function homeName(home: HomeSpec): string {
  return home.id.split('/')[0] ?? home.id;
}

function deviceLimits(home: HomeSpec): AgentPlanRequest['limits'] {
  return {
    ...(home.ev ? { evMaxChargeKw: home.ev.maxChargeKw, evCapacityKwh: home.ev.capacityKwh } : {}),
    ...(home.battery
      ? {
          batteryMaxChargeKw: home.battery.maxChargeKw,
          batteryMaxDischargeKw: home.battery.maxDischargeKw,
          batteryCapacityKwh: home.battery.capacityKwh,
        }
      : {}),
    ...(home.heatPump ? { heatPumpMaxKw: home.heatPump.maxElectricKw } : {}),
  };
}

/** A team's own agent plans each home over MQTT; the built-in selfish plan when it misses its deadline. */
export const external = definePolicy({
  name: 'external',
  description:
    'each home’s own outside agent plans it over MQTT (docs/agents.md); a home whose agent misses its deadline runs the selfish plan',
  needsStreet: false,
  liveShadow: false,
  liveInHubThread: true,
  // The selfish fallback's horizon; every step plans (ExternalPolicy).
  schedule: (options) => ({
    horizonSteps: planningWindow(options.selfish).horizonSteps,
    replanEverySteps: 1,
    tariffChoice: 'resident',
    fleet: false,
  }),
  create: (context) => new ExternalPolicy(new SelfishPolicy(context.highs, context.selfish)),
});
