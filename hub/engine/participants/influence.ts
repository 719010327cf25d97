/**
 * Influence: residents copy their neighbours along the scenario's social graph (hub/social/). Once a day,
 * before the tariff reviews, on the state the previous day left (every home reads the same snapshot, so the
 * homes' order changes nothing):
 *   adoption  a home on `from` takes up `to` when at least `threshold` of its neighbours are on it (a
 *             threshold rule: one cooperative neighbour of two tips a ring; a home nobody hears never moves)
 *   tariffs   on review days, a home asks for the tariff at least `threshold` of its neighbours are on (if
 *             eligible); the review that follows skips it while the switch is pending
 *   drift     objective weights move `ratePerDay` of the way to the neighbours' mean
 * It counts the homes on `to` each day (the adoption curve in metrics.json) and, after the power flow, the
 * street's peak each day.
 */
import type { Policy } from '../../agents/index.js';
import { clockLabel, STEPS_PER_DAY } from '../../environment/calendar.js';
import type { SwitchingSystem } from '../../market/switching.js';
import type { Tariff } from '../../market/tariff.js';
import type { Scenario } from '../../scenarios/resolve.js';
import type { SocialGraph } from '../../social/graph.js';
import { edgeCount } from '../../social/graph.js';
import type { Influence, SocialGraphSection } from '../../social/registry.js';
import type { DecisionEntry } from '../outcomes.js';
import type { StepFrame, StreetParticipant } from '../street.js';
import type { StreetHome } from '../street-home.js';
import { eligibility, onReviewCycle } from './tariffs.js';

/** What the influence did, for metrics.json. */
export interface InfluenceOutcome {
  kind: string;
  edges: number;
  maxDegree: number;
  /** The policy adoption spreads (default cooperative). */
  adoptedPolicy: string;
  /** Homes on the adopted policy at the start of each day, after that day's adoption. */
  adoptersPerDay: number[];
  /** Each adoption: the home and the day (0: seeded). */
  adoptions: { home: string; day: number }[];
  /** Tariff switches asked for because the neighbours were on that tariff. */
  tariffCopies: number;
  /** The street's largest import at the transformer each day, kW: what the adoption curve does to the peak. */
  peakKwPerDay: number[];
}

export class SocialInfluence implements StreetParticipant {
  readonly name = 'influence';
  readonly outcome: InfluenceOutcome;
  private readonly influence: Influence;

  constructor(
    private readonly homes: readonly StreetHome[],
    private readonly graph: SocialGraph,
    section: SocialGraphSection,
    /** The policy adoption moves homes to (undefined without adoption). */
    private readonly adoptedPolicy: Policy | undefined,
    private readonly scenario: Scenario,
    private readonly switching: SwitchingSystem,
    private readonly decisions: DecisionEntry[],
  ) {
    this.influence = section;
    this.outcome = {
      kind: section.kind,
      edges: edgeCount(graph),
      maxDegree: Math.max(0, ...graph.neighbours.map((list) => list.length)),
      adoptedPolicy: section.adoption?.to ?? 'cooperative',
      adoptersPerDay: [],
      adoptions: [],
      tariffCopies: 0,
      peakKwPerDay: [],
    };
    this.seed();
  }

  /** Steps after the power flow: keeps each day's peak. */
  readonly peakRecorder: StreetParticipant = {
    name: 'influence-peak',
    step: (frame) => {
      const kw = frame.flow?.substationPTotalKw;
      if (kw === undefined) return;
      const day = Math.floor(frame.step / STEPS_PER_DAY);
      const peaks = this.outcome.peakKwPerDay;
      peaks[day] = Math.max(peaks[day] ?? Number.NEGATIVE_INFINITY, kw);
    },
  };

  step(frame: StepFrame): void {
    if (frame.step % STEPS_PER_DAY !== 0) return;
    const day = frame.step / STEPS_PER_DAY;
    if (day > 0) {
      this.adopt(day);
      this.copyTariffs(day, frame);
      this.drift();
    }
    this.outcome.adoptersPerDay.push(
      this.homes.filter((home) => home.policy.name === this.outcome.adoptedPolicy).length,
    );
  }

  private seed(): void {
    for (const id of this.influence.adoption?.seedHomes ?? []) {
      const home = this.homes.find((candidate) => candidate.spec.id === id) as StreetHome;
      this.switchPolicy(home, 0);
    }
    for (const home of this.homes) {
      const recorded = this.outcome.adoptions.some((entry) => entry.home === home.spec.id);
      if (home.policy.name === this.outcome.adoptedPolicy && !recorded)
        this.outcome.adoptions.push({ home: home.spec.id, day: 0 });
    }
  }

  /** Share of a home's neighbours for which `pick` holds (0 for a home nobody hears). */
  private neighbourShare(home: StreetHome, pick: (neighbour: StreetHome) => boolean): number {
    const list = this.graph.neighbours[home.index] ?? [];
    if (list.length === 0) return 0;
    return list.filter((index) => pick(this.homes[index] as StreetHome)).length / list.length;
  }

  private adopt(day: number): void {
    const adoption = this.influence.adoption;
    if (!adoption) return;
    const to = (home: StreetHome) => home.policy.name === adoption.to;
    const adopters = this.homes.filter(
      (home) => home.policy.name === adoption.from && this.neighbourShare(home, to) >= adoption.threshold,
    );
    for (const home of adopters) this.switchPolicy(home, day);
  }

  private switchPolicy(home: StreetHome, day: number): void {
    if (!this.adoptedPolicy || home.policy === this.adoptedPolicy) return;
    home.policy = this.adoptedPolicy;
    // Planned again at once: a fleet policy plans the home with the rest of its fleet.
    home.plan = undefined;
    this.outcome.adoptions.push({ home: home.spec.id, day });
  }

  private copyTariffs(day: number, frame: StepFrame): void {
    const copying = this.influence.tariffs;
    const { switching } = this.scenario;
    if (!copying || !switching.enabled) return;
    const requests = this.homes.flatMap((home, homeIndex) => {
      if (!onReviewCycle(homeIndex, day, switching)) return [];
      if (home.policy.tariffChoice === 'none' || this.switching.isPending(home.spec.id)) return [];
      const tariff = this.neighboursTariff(home, copying.threshold);
      return tariff ? [{ home, tariff }] : [];
    });
    for (const { home, tariff } of requests) {
      this.switching.request({
        homeId: home.spec.id,
        fromTariffId: home.tariff.id,
        toTariffId: tariff.id,
        requestMinute: frame.minuteOfYear,
        reason: 'copies its neighbours',
      });
      this.outcome.tariffCopies++;
      this.decisions.push({
        step: frame.step,
        time: clockLabel(frame.minuteOfYear),
        home: home.spec.id,
        policy: home.policy.name,
        kind: 'tariff-review',
        text: `Most of its neighbours are on ${tariff.id}: asks for it too.`,
      });
    }
  }

  /** The tariff at least `threshold` of the neighbours are on, when it is not the home's and it may take it. */
  private neighboursTariff(home: StreetHome, threshold: number): Tariff | undefined {
    const assets = eligibility(home);
    return this.scenario.catalogue.tariffs.find(
      (tariff) =>
        tariff.id !== home.tariff.id &&
        tariff.requires.every((asset) => assets.includes(asset)) &&
        this.neighbourShare(home, (neighbour) => neighbour.tariff.id === tariff.id) >= threshold,
    );
  }

  private drift(): void {
    const rate = this.influence.drift?.ratePerDay;
    if (rate === undefined || rate === 0) return;
    const next = this.homes.map((home) => {
      const list = this.graph.neighbours[home.index] ?? [];
      const own = home.spec.preferences.weights;
      if (list.length === 0) return own;
      const mean = (key: keyof typeof own) =>
        list.reduce(
          (sum, index) => sum + (this.homes[index] as StreetHome).spec.preferences.weights[key],
          0,
        ) / list.length;
      return {
        cost: own.cost + rate * (mean('cost') - own.cost),
        carbon: own.carbon + rate * (mean('carbon') - own.carbon),
        autarky: own.autarky + rate * (mean('autarky') - own.autarky),
      };
    });
    this.homes.forEach((home, index) => {
      const weights = next[index] as typeof home.spec.preferences.weights;
      home.spec = { ...home.spec, preferences: { ...home.spec.preferences, weights } };
    });
  }
}
