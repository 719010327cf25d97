/**
 * A planner's tariff review: the home is planned alone under each tariff it may take, over the days until
 * the next review (one LP over the whole period), and each plan is billed on its own tariff and weighed by
 * the policy's objective (bill, carbon, autarky). The home takes the cheapest, counting the exit fee of
 * leaving its tariff. Each tariff is priced on use planned for it, not on the use planned under the current
 * one, so the choice does not depend on which tariff the home happens to be on. To save time a week's plan
 * under each tariff first picks the contenders for the whole period. Choosing on a week's plans alone, scaled
 * to the period, left central £69 (0.9 %) dearer over the table street's year, two weeks £41; the screen
 * changes none of the year's figures. Reviews run on a year's world, where a plan step is a run step.
 * A policy that shares the network (central, cooperative) plans alone at the network's expected shadow
 * prices (Policy.planAlone), so a tariff that loads the hours the street binds carries their cost; a policy
 * that switches at the resident's threshold (cooperative) stays below it.
 */
import type { LookAheadPlan, ObjectiveValuation, Policy } from '../../agents/policy.js';
import { DAYS_PER_YEAR, MINUTES_PER_DAY } from '../../environment/calendar.js';
import { type BillStep, billForSeries, type Tariff } from '../../market/tariff.js';
import { emptyForecast, type StreetHome } from '../street-home.js';
import type { StreetWorld } from '../world.js';

/** What a planner's review decided. */
export interface PlannedTariffChoice {
  /** The tariff to switch to, or null to stay. */
  switchTo: Tariff | null;
  exitFeeGbp: number;
  /**
   * The cost by the objective of each tariff planned over the whole period, cheapest first (the current one
   * included), and the part of it that is the network's expected shadow prices on the plan's imports.
   */
  ranked: { tariffId: string; costGbp: number; networkGbp: number }[];
  explanation: string;
}

/**
 * A first pass plans each tariff over this many days and only the cheapest CONTENDERS (and the current
 * tariff) over the whole period: a week's LP costs about a quarter of a 30-day one (4.7 against 18.3 ms a
 * home and tariff, measured together).
 */
const SCREEN_DAYS = 7;
const CONTENDERS = 2;

/** The review's span, and the cost in £ of leaving the home's current tariff. */
export interface TariffReviewTerms {
  /** The review's first step (the run's step index). */
  step: number;
  /** Steps the chosen tariff will run before the next review (or the run's end). */
  periodSteps: number;
  exitFeeGbp: number;
  /** The resident's saving threshold, £/yr: a policy that switches at it (cooperative) stays below it, pro rata. */
  minSavingGbpPerYear: number;
}

type TariffPlanner = Policy & Required<Pick<Policy, 'planAlone'>>;

/** Whether a policy chooses tariffs by planning under each (tariffChoice 'planner'). */
export function isTariffPlanner(policy: Policy): policy is TariffPlanner {
  return policy.tariffChoice === 'planner' && typeof policy.planAlone === 'function';
}

/** Plans the home under its current tariff and each candidate; chooses by the policy's objective. */
export function planTariffChoice(
  home: StreetHome & { policy: TariffPlanner },
  candidates: readonly Tariff[],
  world: StreetWorld,
  valuation: ObjectiveValuation,
  terms: TariffReviewTerms,
): PlannedTariffChoice {
  const lookAheadSteps = terms.periodSteps;
  const screenSteps = Math.min(lookAheadSteps, (SCREEN_DAYS * MINUTES_PER_DAY) / world.stepMinutes);
  const forecast = emptyForecast(lookAheadSteps);
  const planUnder = (tariff: Tariff, steps: number): LookAheadPlan => {
    world.fillForecast({ ...home, tariff, forecast }, terms.step, steps);
    return home.policy.planAlone({
      home: home.spec,
      state: home.state,
      step: terms.step,
      dtHours: world.stepMinutes / 60,
      horizonSteps: steps,
      forecast,
      valuation,
    });
  };
  // A home with nothing to shift uses the same energy under any tariff: one plan, billed on each.
  const { battery, ev, heatPump } = home.spec;
  const fixedPlan = battery || ev || heatPump ? undefined : planUnder(home.tariff, lookAheadSteps);
  let costWeight = 1;
  const costOf = (tariff: Tariff, steps: number): { costGbp: number; networkGbp: number } => {
    const plan = fixedPlan ?? planUnder(tariff, steps);
    costWeight = plan.weights.cost;
    return objectiveGbp(plan, tariff, world, terms.step, forecast.carbonKgPerKwh);
  };
  const rank = (tariffs: readonly Tariff[], steps: number) =>
    tariffs
      .map((tariff) => ({ tariff, ...costOf(tariff, steps) }))
      .sort((a, b) => a.costGbp - b.costGbp || a.tariff.id.localeCompare(b.tariff.id));
  // The whole period is planned only for the current tariff and the cheapest of a first week's plans.
  const all = [home.tariff, ...candidates];
  const contenders =
    fixedPlan || screenSteps === lookAheadSteps
      ? all
      : [
          home.tariff,
          ...rank(candidates, screenSteps)
            .slice(0, CONTENDERS)
            .map((entry) => entry.tariff),
        ];
  const ranked = rank(contenders, lookAheadSteps);
  const current = ranked.find((entry) => entry.tariff === home.tariff) as (typeof ranked)[number];
  const best = ranked[0] as (typeof ranked)[number];
  const netSavingGbp = current.costGbp - best.costGbp - costWeight * terms.exitFeeGbp;
  const days = (lookAheadSteps * world.stepMinutes) / MINUTES_PER_DAY;
  // The threshold is money, so it weighs as the objective weighs money (as the exit fee does).
  const thresholdGbp = home.policy.switchesAtResidentThreshold
    ? (costWeight * terms.minSavingGbpPerYear * days) / DAYS_PER_YEAR
    : 0;
  const switchTo =
    best.tariff !== home.tariff && netSavingGbp > 0 && netSavingGbp >= thresholdGbp ? best.tariff : null;
  const costs = ranked
    .slice(0, 3)
    .map(
      (entry) =>
        `${entry.tariff.id} £${entry.costGbp.toFixed(2)}${entry.networkGbp > 0 ? ` with £${entry.networkGbp.toFixed(2)} at the network's prices` : ''}`,
    )
    .join(', ');
  const fee = terms.exitFeeGbp > 0 ? ` after a £${terms.exitFeeGbp.toFixed(2)} exit fee` : '';
  const period = `the next ${days.toFixed(0)} day${days === 1 ? '' : 's'}`;
  const planned =
    contenders === all
      ? `planned ${period} under each of ${all.length} tariffs (${costs}${ranked.length > 3 ? ', …' : ''})`
      : `planned a week under each of ${all.length} tariffs, then ${period} under the ${CONTENDERS} cheapest and ${home.tariff.id} (${costs})`;
  const threshold = `the resident's £${terms.minSavingGbpPerYear.toFixed(2)}/yr threshold (£${thresholdGbp.toFixed(2)} over ${period})`;
  const below =
    netSavingGbp > 0 ? `; £${netSavingGbp.toFixed(2)} less${fee}, below ${threshold}` : `; no saving${fee}`;
  const explanation = switchTo
    ? `Switch ${home.tariff.id} -> ${switchTo.id}: ${planned}; £${netSavingGbp.toFixed(2)} less${fee}${thresholdGbp > 0 ? `, at or above ${threshold}` : ''}.`
    : `Stay on ${home.tariff.id}: ${planned}${best.tariff === home.tariff ? '' : below}.`;
  return {
    switchTo,
    exitFeeGbp: terms.exitFeeGbp,
    ranked: ranked.map((entry) => ({
      tariffId: entry.tariff.id,
      costGbp: entry.costGbp,
      networkGbp: entry.networkGbp,
    })),
    explanation,
  };
}

/**
 * A look-ahead plan's cost by its objective: the bill on `tariff`, carbon and imports at their values, and
 * the network's expected shadow prices on its imports (0 for a policy that ignores the network).
 */
function objectiveGbp(
  plan: LookAheadPlan,
  tariff: Tariff,
  world: StreetWorld,
  fromStep: number,
  carbonKgPerKwh: Float64Array,
): { costGbp: number; networkGbp: number } {
  const dtHours = world.stepMinutes / 60;
  const steps: BillStep[] = [];
  let carbonKg = 0;
  let importKwh = 0;
  plan.importKw.forEach((kw, t) => {
    // The solver's tolerance can leave a flow a hair below zero; a meter reads none.
    const stepImportKwh = Math.max(0, kw) * dtHours;
    steps.push({
      importKwh: stepImportKwh,
      exportKwh: Math.max(0, plan.exportKw[t] as number) * dtHours,
      wholesaleGbpPerKwh: world.wholesaleGbpPerKwh((fromStep + t) % world.stepCount),
    });
    carbonKg += stepImportKwh * (carbonKgPerKwh[t] as number);
    importKwh += stepImportKwh;
  });
  const billGbp = billForSeries(tariff, steps, world.stepMinutes, world.minuteOfYear(fromStep)).totalGbp;
  const { weights, valuation, networkGbp } = plan;
  const costGbp =
    weights.cost * billGbp +
    weights.carbon * valuation.carbonValueGbpPerKg * carbonKg +
    weights.autarky * valuation.autarkyValueGbpPerKwh * importKwh +
    networkGbp;
  return { costGbp, networkGbp };
}
