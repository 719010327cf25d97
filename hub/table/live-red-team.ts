/**
 * The operator's red team on the live table: the attacks and defences of the year runs' registry
 * (hub/redteam/), placed among the running street's participants from the step after the operator's word,
 * and the damage since then: the running street (booked from the published power flow) beside the running
 * policy's shadow run, which runs without them.
 */
import type { Clock, FeederSummary, LiveRedTeam as LiveRedTeamStatus } from '../../protocol/gridflex.js';
import type { Policy } from '../agents/index.js';
import type { StreetParticipant } from '../engine/street.js';
import type { LiveAttack, LiveAttackContext, RedTeamBroker } from '../redteam/red-team.js';
import {
  buildRedTeam,
  liveAttackOf,
  type RedTeamSection,
  redTeamKinds,
  redTeamSettings,
} from '../redteam/registry.js';
import type { PriceSource } from './home-forecast.js';
import type { MarketRedTeam } from './live-market.js';
import { LIVE_VALUATION, type LivePolicyStreet } from './live-street.js';
import { StreetBook, type StreetFigures } from './shadow-runs.js';

/** Each entry draws its own stream from this seed, so a replayed table draws the same delays. */
const LIVE_RED_TEAM_SEED = 20_261_206;
const NO_RED_TEAM: RedTeamSection = { attacks: [], defences: [] };
/**
 * Where the year runs review and complete tariff switches: on the table its market does (ticked by the hub
 * each step), so the red team's tariff parts are placed here, at the start of the street's step.
 */
const TABLE_TARIFFS: StreetParticipant = { name: 'tariffs', step: () => {} };

type HomeNetPKw = readonly { home: string; netPKw: number }[];

export class LiveRedTeam {
  private section: RedTeamSection = NO_RED_TEAM;
  private pendingSection: RedTeamSection | undefined;
  private attackers = new Set<string>();
  private notes: string[] = [];
  private since: string | null = null;
  private attacked: StreetBook | undefined;
  private baseline: StreetBook | undefined;
  /** The hub's own broker, for the attacks that run as real clients on it (none on an external broker). */
  private broker: Omit<LiveAttackContext, 'settings'> | undefined;
  /** The running attacks' MQTT clients. */
  private clients: LiveAttack[] = [];

  /** Lets the attacks with a live client (flooding-client, rogue-device) run them on the hub's own broker. */
  useBroker(broker: RedTeamBroker, boardOf: LiveAttackContext['boardOf']): void {
    this.broker = { broker, boardOf };
  }

  /** Stops the running attacks' clients (the hub is stopping). */
  async stopClients(): Promise<void> {
    const clients = this.clients;
    this.clients = [];
    await Promise.all(clients.map((client) => client.stop()));
  }

  /** Whether the operator sent a change that starts at the next step. */
  get pending(): boolean {
    return this.pendingSection !== undefined;
  }

  /** Whether any attack or defence runs or is about to. */
  get active(): boolean {
    const section = this.pendingSection ?? this.section;
    return section.attacks.length + section.defences.length > 0;
  }

  /** The operator's word: this red team from the next step. */
  request(section: RedTeamSection): void {
    this.pendingSection = section;
  }

  /**
   * Places the pending red team among the street's participants (its homes as they are now: an attack picks
   * them by their assets) at the step ending `simTime`, its tariff attacks and switching cap on the `market`'s
   * switching. Returns what went wrong in words, the red team then staying as it was.
   */
  async apply(
    street: LivePolicyStreet,
    makePolicy: (name: string) => Policy,
    simTime: string,
    market?: MarketRedTeam,
  ): Promise<string | undefined> {
    const section = this.pendingSection;
    if (!section) return undefined;
    this.pendingSection = undefined;
    let started: LiveAttack[] = [];
    try {
      started = this.startClients(section);
      const run = await buildRedTeam(section, {
        // An attack with a live client runs as that client here, not as its batch model.
        skipLiveAttacks: true,
        homes: street.redTeamHomes(),
        world: street.redTeamWorld,
        hubOverrides: street.redTeamOverrides,
        ...(market ? { switching: market.switching } : {}),
        valuation: LIVE_VALUATION,
        makePolicy: async (name) => makePolicy(name),
        seed: LIVE_RED_TEAM_SEED,
        problem: (path, expected, found) =>
          new Error(
            `${path.replace(/^redTeam\./, '')}: expected ${expected}, found ${JSON.stringify(found)}`,
          ),
      });
      street.setRedTeam((engine) =>
        run.place([TABLE_TARIFFS, ...engine]).filter((part) => part !== TABLE_TARIFFS),
      );
      const settings = redTeamSettings(section, { switchingCapacityPerWorkingDay: Number.POSITIVE_INFINITY });
      market?.setSwitchingCap(settings.switchingCapacityPerWorkingDay);
      if (section.attacks.length === 0) market?.forget();
      await this.stopClients();
      this.clients = started;
      this.section = section;
      this.attackers = run.attackers;
      this.notes = run.notes;
      this.restart(street.runningPolicyName, simTime);
      return undefined;
    } catch (error) {
      await Promise.all(started.map((client) => client.stop()));
      return `the red team stays as it was: ${(error as Error).message}`;
    }
  }

  /** Starts the section's live clients (all or none: a failing one stops those started before it). */
  private startClients(section: RedTeamSection): LiveAttack[] {
    const settings = redTeamSettings(section, { switchingCapacityPerWorkingDay: Number.POSITIVE_INFINITY });
    const started: LiveAttack[] = [];
    try {
      section.attacks.forEach((entry, index) => {
        const live = liveAttackOf(entry.kind);
        if (!live) return;
        if (!this.broker)
          throw new Error(`attacks.${index}: ${entry.kind} runs on the hub's own broker, not on --broker`);
        try {
          started.push(live(entry, { ...this.broker, settings }));
        } catch (error) {
          throw new Error(`attacks.${index}.${(error as Error).message}`);
        }
      });
    } catch (error) {
      for (const client of started) client.stop().catch(() => {});
      throw error;
    }
    return started;
  }

  /** Books the running street's step (the published power flow); figures restart when the policy changes. */
  recordAttacked(
    policy: string,
    summary: FeederSummary,
    homes: HomeNetPKw,
    prices: PriceSource,
    clock: Clock,
  ): void {
    if (this.section === NO_RED_TEAM) return;
    if (this.attacked?.figures.policy !== policy) this.restart(policy, clock.simTime);
    this.attacked?.record(summary, this.honest(homes), prices, clock);
  }

  /** Books the step of the running policy's shadow run, the baseline. */
  recordBaseline(
    policy: string,
    summary: FeederSummary,
    homes: HomeNetPKw,
    prices: PriceSource,
    clock: Clock,
  ): void {
    if (this.section === NO_RED_TEAM || this.baseline?.figures.policy !== policy) return;
    this.baseline.record(summary, this.honest(homes), prices, clock);
  }

  /** The red team for `live/red-team`. */
  status(): LiveRedTeamStatus {
    const section = this.section;
    return {
      attacks: section.attacks,
      defences: section.defences,
      pending: this.pending,
      kinds: redTeamKinds(),
      attackers: [...this.attackers].sort(),
      notes: this.notes,
      clients: this.clients.map((client) => client.status()),
      since: this.since,
      policy: this.attacked?.figures.policy ?? null,
      attacked: this.attacked ? damage(this.attacked.figures) : null,
      baseline: this.baseline && this.baseline.figures.steps > 0 ? damage(this.baseline.figures) : null,
    };
  }

  /** Figures start again from the step ending `simTime` (a new red team, or a policy switch); none without one. */
  private restart(policy: string, simTime: string): void {
    const off = this.section.attacks.length + this.section.defences.length === 0;
    if (off) this.section = NO_RED_TEAM;
    this.since = off ? null : simTime;
    this.attacked = off ? undefined : new StreetBook(policy);
    this.baseline = off ? undefined : new StreetBook(policy);
  }

  private honest(homes: HomeNetPKw): HomeNetPKw {
    return homes.filter((home) => !this.attackers.has(home.home));
  }
}

function damage(figures: StreetFigures): NonNullable<LiveRedTeamStatus['attacked']> {
  const finite = (value: number) => (Number.isFinite(value) && figures.steps > 0 ? round3(value) : null);
  return {
    steps: figures.steps,
    peakKw: round3(figures.peakKw),
    minVolts: finite(figures.minVolts),
    maxVolts: finite(figures.maxVolts),
    stepsOutsideStatutory: figures.stepsOutsideStatutory,
    honestBillsGbp: round3(figures.billsGbp),
  };
}

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}
