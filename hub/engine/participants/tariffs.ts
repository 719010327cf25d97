/**
 * Tariffs: once a day, switches whose lag is over take effect, and on review days every agent that
 * reviews tariffs either bills the last period's metered use on every tariff on offer (evaluateSwitch) and
 * asks its resident whether to switch, or (a planner's policy) plans the home under each tariff until the
 * next review and switches to the one its objective prefers (./tariff-planning.ts).
 */
import { clockLabel, STEPS_PER_DAY } from '../../environment/calendar.js';
import { evaluateSwitch, switchCandidates } from '../../market/evaluate-switch.js';
import { exitFeeGbp } from '../../market/regulator.js';
import type { SwitchingSystem, SwitchLogEntry } from '../../market/switching.js';
import type { BillStep, Eligibility, Tariff } from '../../market/tariff.js';
import type { Rng } from '../../random.js';
import type { Scenario } from '../../scenarios/resolve.js';
import type { DecisionEntry } from '../outcomes.js';
import type { StepFrame, StreetParticipant } from '../street.js';
import type { StreetHome } from '../street-home.js';
import type { StreetWorld } from '../world.js';
import { isTariffPlanner, type PlannedTariffChoice, planTariffChoice } from './tariff-planning.js';

/** Called when a home's switch completes (the recorder books the exit fee and any compensation). */
export type OnSwitched = (home: StreetHome, entry: SwitchLogEntry) => void;

export class TariffReviews implements StreetParticipant {
  readonly name = 'tariffs';
  private readonly tariffs: Map<string, Tariff>;
  private readonly homeById: Map<string, StreetHome>;

  constructor(
    private readonly homes: readonly StreetHome[],
    private readonly world: StreetWorld,
    private readonly scenario: Scenario,
    private readonly switching: SwitchingSystem,
    /** Draws whether a resident accepts; one draw per review so one home's choice never shifts another's. */
    private readonly acceptance: Rng,
    private readonly decisions: DecisionEntry[],
    private readonly onSwitched: OnSwitched,
  ) {
    this.tariffs = new Map(scenario.catalogue.tariffs.map((tariff) => [tariff.id, tariff]));
    this.homeById = new Map(homes.map((home) => [home.spec.id, home]));
  }

  step(frame: StepFrame): void {
    const k = frame.step;
    if (k % STEPS_PER_DAY !== 0) return;
    for (const entry of this.switching.advanceTo(frame.minuteOfYear))
      this.complete(entry, frame.minuteOfYear);
    const day = k / STEPS_PER_DAY;
    const { switching } = this.scenario;
    if (!switching.enabled) return;
    this.homes.forEach((home, homeIndex) => {
      if (!reviewsOnDay(homeIndex, day, switching)) return;
      if (home.policy.tariffChoice === 'none' || this.switching.isPending(home.spec.id)) return;
      this.review(home, k, frame.minuteOfYear);
    });
  }

  private complete(entry: SwitchLogEntry, minuteOfYear: number): void {
    if (entry.outcome !== 'completed' && entry.outcome !== 'completed-late') return;
    const home = this.homeById.get(entry.homeId);
    const tariff = this.tariffs.get(entry.toTariffId);
    if (!home || !tariff) return;
    home.tariff = tariff;
    home.contractStartMinute = entry.effectiveMinute ?? minuteOfYear;
    this.onSwitched(home, entry);
  }

  private review(home: StreetHome, k: number, minuteOfYear: number): void {
    const { spec } = home;
    const planner = home.policy.tariffChoice === 'planner';
    const evaluation = planner
      ? this.plannerChoice(home, k, minuteOfYear)
      : this.residentChoice(home, k, minuteOfYear);
    // Drawn for every review, so the planner's choices leave the residents' draws where they were.
    const residentAccepts = this.acceptance.next() < spec.preferences.switchWillingness;
    let text = evaluation.explanation;
    if (evaluation.switchTo) {
      if (planner || residentAccepts) {
        this.switching.request({
          homeId: spec.id,
          fromTariffId: home.tariff.id,
          toTariffId: evaluation.switchTo.id,
          requestMinute: minuteOfYear,
          reason: evaluation.explanation,
          exitFeeGbp: evaluation.exitFeeGbp,
        });
        text += planner
          ? ` The ${home.policy.name} policy switches; request sent.`
          : ' Resident agreed; request sent.';
      } else {
        text += ` Resident declined (willingness ${spec.preferences.switchWillingness}).`;
      }
    }
    this.decisions.push({
      step: k,
      time: clockLabel(minuteOfYear),
      home: spec.id,
      policy: home.policy.name,
      kind: 'tariff-review',
      text,
    });
  }

  /** The resident's choice: the last review period's metered use billed on each tariff, above their threshold. */
  private residentChoice(home: StreetHome, k: number, minuteOfYear: number): TariffChoiceMade {
    const { switching, catalogue, regulator } = this.scenario;
    const periodSteps = Math.min(k, switching.reviewEveryDays * STEPS_PER_DAY);
    return evaluateSwitch(
      meteredBillSteps(home, this.world, k - periodSteps, k),
      home.tariff,
      catalogue,
      regulator,
      { minSavingGbpPerYear: switching.minSavingGbpPerYear, assets: eligibility(home) },
      {
        stepMinutes: this.world.stepMinutes,
        startMinuteOfYear: this.world.minuteOfYear(k - periodSteps),
        contractStartMinute: home.contractStartMinute,
        switchMinute: minuteOfYear,
      },
    );
  }

  /** The policy's choice: the home planned under each tariff it may take until the next review (or the run's end). */
  private plannerChoice(home: StreetHome, k: number, minuteOfYear: number): TariffChoiceMade {
    const { policy } = home;
    if (!isTariffPlanner(policy)) {
      throw new Error(
        `policy ${policy.name} chooses tariffs as a planner but cannot plan a home alone (planAlone)`,
      );
    }
    const { switching, catalogue, regulator } = this.scenario;
    const candidates = switchCandidates(home.tariff, catalogue, regulator, { assets: eligibility(home) });
    return planTariffChoice({ ...home, policy }, candidates, this.world, this.scenario.valuation, {
      step: k,
      periodSteps: Math.min(switching.reviewEveryDays * STEPS_PER_DAY, this.world.stepCount - k),
      exitFeeGbp: exitFeeGbp(home.tariff, home.contractStartMinute, minuteOfYear, regulator),
      minSavingGbpPerYear: switching.minSavingGbpPerYear,
    });
  }
}

/**
 * Whether `day` of the run is on the review cycle of the street's home number `homeIndex`. Staggered, home i's
 * days are those ≡ i mod N, so a switch's effect on the street (a shadow peak, the prices it brings) reaches
 * the homes whose day comes after it; together, every home's are the days ≡ 0. Neighbours' tariffs are copied
 * on these days from the first (docs/social-graph.md).
 */
export function onReviewCycle(
  homeIndex: number,
  day: number,
  { reviewEveryDays, reviewSchedule }: Scenario['switching'],
): boolean {
  const offsetDays = reviewSchedule === 'staggered' ? homeIndex % reviewEveryDays : 0;
  return day >= offsetDays && (day - offsetDays) % reviewEveryDays === 0;
}

/** Whether the home reviews its tariff on `day`: on its cycle, once a full cycle of metered use is in. */
export function reviewsOnDay(homeIndex: number, day: number, switching: Scenario['switching']): boolean {
  return day >= switching.reviewEveryDays && onReviewCycle(homeIndex, day, switching);
}

/** What a review decided, by the resident's rule or the planner's. */
type TariffChoiceMade = Pick<PlannedTariffChoice, 'switchTo' | 'exitFeeGbp' | 'explanation'>;

/** The home's metered use of steps `fromStep` (inclusive) to `toStep` (exclusive), as a supplier bills it. */
export function meteredBillSteps(
  home: StreetHome,
  world: StreetWorld,
  fromStep: number,
  toStep: number,
): BillStep[] {
  const history: BillStep[] = [];
  for (let j = fromStep; j < toStep; j++) {
    history.push({
      importKwh: home.meteredImportKwh[j] ?? 0,
      exportKwh: home.meteredExportKwh[j] ?? 0,
      wholesaleGbpPerKwh: world.wholesaleGbpPerKwh(j),
    });
  }
  return history;
}

/** The assets that make a home eligible for tariffs (every home has a smart meter). */
export function eligibility(home: StreetHome): Eligibility[] {
  const { spec } = home;
  const assets: Eligibility[] = ['smart-meter'];
  if (spec.pv) assets.push('pv');
  if (spec.battery) assets.push('battery');
  if (spec.ev) assets.push('ev');
  if (spec.heatPump) assets.push('heat-pump');
  return assets;
}
