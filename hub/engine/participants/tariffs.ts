/**
 * Tariffs: once a day, switches whose lag is over take effect, and on review days every agent that
 * reviews tariffs bills the last period's metered use on every tariff on offer (evaluateSwitch) and asks
 * its resident whether to switch, or (a planner's policy) switches to the cheapest itself.
 */
import { clockLabel, STEPS_PER_DAY } from '../../environment/calendar.js';
import { evaluateSwitch } from '../../market/evaluate-switch.js';
import type { SwitchingSystem, SwitchLogEntry } from '../../market/switching.js';
import type { BillStep, Eligibility, Tariff } from '../../market/tariff.js';
import type { Rng } from '../../random.js';
import type { Scenario } from '../../scenarios/resolve.js';
import type { DecisionEntry } from '../outcomes.js';
import type { StepFrame, StreetParticipant } from '../street.js';
import type { StreetHome } from '../street-home.js';
import type { StreetWorld } from '../world.js';

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
    const { enabled, reviewEveryDays } = this.scenario.switching;
    if (!enabled || day === 0 || day % reviewEveryDays !== 0) return;
    for (const home of this.homes) {
      if (home.policy.tariffChoice === 'none' || this.switching.isPending(home.spec.id)) continue;
      this.review(home, k, frame.minuteOfYear);
    }
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
    const { switching, catalogue, regulator } = this.scenario;
    const periodSteps = Math.min(k, switching.reviewEveryDays * STEPS_PER_DAY);
    const history = meteredBillSteps(home, this.world, k - periodSteps, k);
    const planner = home.policy.tariffChoice === 'planner';
    const evaluation = evaluateSwitch(
      history,
      home.tariff,
      catalogue,
      regulator,
      { minSavingGbpPerYear: planner ? 0 : switching.minSavingGbpPerYear, assets: eligibility(home) },
      {
        stepMinutes: this.world.stepMinutes,
        startMinuteOfYear: this.world.minuteOfYear(k - periodSteps),
        contractStartMinute: home.contractStartMinute,
        switchMinute: minuteOfYear,
      },
    );
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
        text += planner ? ' The planner switches; request sent.' : ' Resident agreed; request sent.';
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
}

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
