/**
 * Communication constraints: the scenario's `links:` section and the link model the Street's messages
 * cross. Two link classes act in a batch run:
 *
 * - device–hub (`deviceHub`, in steps): each step every home's devices send one reading of its state; the
 *   agents plan on the newest reading that has reached the hub (the home's state at install before any).
 * - agent–coordinator (`agentCoordinator`, in rounds of the cooperative coordinator's price protocol): prices
 *   go down and proposals come up one round late or more, or not at all; the coordinator mixes the newest
 *   proposals it has (coordination.ts, `CoordinatorChannel`).
 *
 * A link delays each message by its latency plus a uniform whole number of ticks up to its jitter, loses it
 * with its loss probability, and lets through at most `messagesPer…` messages a tick (a token bucket: 0.5 is
 * one message every other tick; the others are dropped at the sender). Every link draws from its own
 * stream of the scenario's seed (`links.<class>.<home>`), so a run is the same run after run.
 */
import { z } from 'zod';
import type { CoordinatorChannel, Proposal } from '../agents/coordination.js';
import type { HomeState } from '../homes/index.js';
import { createRng, type Rng } from '../random.js';
import type { StreetHome } from './street-home.js';

const wholeTicks = () => z.number().int().min(0).max(1000);
const lossProbability = () => z.number().min(0).max(1);
const rate = () => z.number().gt(0).max(1000);

/** A device–hub link, in clock steps. */
const DeviceHubLinkSchema = z.strictObject({
  latencySteps: wholeTicks().optional(),
  jitterSteps: wholeTicks().optional(),
  loss: lossProbability().optional(),
  /** Readings a step that get through (a fraction: one every 1/x steps); absent: no limit. */
  messagesPerStep: rate().optional(),
});

/** An agent–coordinator link, in rounds of the coordinator's price protocol. */
const AgentCoordinatorLinkSchema = z.strictObject({
  latencyRounds: wholeTicks().optional(),
  jitterRounds: wholeTicks().optional(),
  loss: lossProbability().optional(),
  /** Messages a round that get through each way; absent: no limit. */
  messagesPerRound: rate().optional(),
});

/** Why a batch run refuses the hub–dashboard link class, which the live table's section takes. */
export const HUB_DASHBOARD_LIVE_ONLY =
  "no hub–dashboard link in a batch run (it has no dashboard): set it in a table map's links: section for the live table (docs/links.md)";

const LinkClassesSchema = z.strictObject({
  deviceHub: DeviceHubLinkSchema.optional(),
  agentCoordinator: AgentCoordinatorLinkSchema.optional(),
  hubDashboard: z.never({ message: HUB_DASHBOARD_LIVE_ONLY }).optional(),
});

/** The scenario's `links:` section: each class's constraints, and per home what differs from them. */
export const LinksSchema = LinkClassesSchema.extend({
  homes: z.record(z.string().min(1), LinkClassesSchema).optional(),
});
export type LinksSection = z.infer<typeof LinksSchema>;

/** Throws an InputError naming the field, what was expected and what was found. */
type Problem = (path: string, expected: string, found: unknown) => Error;

/** Checks that every home the section names is in the scenario; errors name `links.homes.<id>`. */
export function checkLinks(section: LinksSection, homeIds: readonly string[], problem: Problem): void {
  for (const id of Object.keys(section.homes ?? {})) {
    if (!homeIds.includes(id))
      throw problem(`links.homes.${id}`, `a home of the scenario (${homeIds.join(', ')})`, id);
  }
}

/** One link's constraints in its own ticks (steps or rounds). */
export interface LinkConstraint {
  latencyTicks: number;
  jitterTicks: number;
  loss: number;
  /** Token-bucket rate; undefined: no limit. */
  messagesPerTick: number | undefined;
}

/** What crossed a class of links over the run. */
export interface LinkTally {
  sent: number;
  lost: number;
  /** Dropped at the sender: over the link's messages per tick. */
  overBandwidth: number;
  /** Arrived one tick late or more. */
  delayed: number;
}

/** What the links did, in metrics.json (absent without a `links:` section). */
export interface LinksOutcome {
  deviceHub: LinkTally & {
    /** Plans made on a reading older than the step they were made in. */
    staleReadings: number;
  };
  agentCoordinator: LinkTally & {
    /** Rounds in which a home's new proposal had not reached the coordinator. */
    missingProposals: number;
  };
}

const emptyTally = (): LinkTally => ({ sent: 0, lost: 0, overBandwidth: 0, delayed: 0 });

interface InFlight<T> {
  arriveTick: number;
  sentTick: number;
  payload: T;
}

/** One link, one way: what is sent at a tick arrives later, or never; the receiver keeps the newest. */
export class Link<T> {
  private readonly inFlight: InFlight<T>[] = [];
  private newest: { sentTick: number; payload: T } | undefined;
  private tokens: number;
  private lastRefillTick: number | undefined;

  constructor(
    private readonly constraint: LinkConstraint,
    private readonly rng: Rng,
    private readonly tally: LinkTally,
  ) {
    this.tokens = bucketSize(constraint);
  }

  send(tick: number, payload: T): void {
    this.tally.sent++;
    if (!this.takeToken(tick)) {
      this.tally.overBandwidth++;
      return;
    }
    const { loss, latencyTicks, jitterTicks } = this.constraint;
    // Draw only for what is constrained, so a link with zero loss and jitter uses no random numbers.
    if (loss > 0 && this.rng.next() < loss) {
      this.tally.lost++;
      return;
    }
    const delayTicks = latencyTicks + (jitterTicks > 0 ? this.rng.int(jitterTicks + 1) : 0);
    if (delayTicks > 0) this.tally.delayed++;
    this.inFlight.push({ arriveTick: tick + delayTicks, sentTick: tick, payload });
  }

  /** The newest message (by the tick it was sent) that has arrived by `tick`, and when it was sent. */
  newestBy(tick: number): { sentTick: number; payload: T } | undefined {
    for (let index = this.inFlight.length - 1; index >= 0; index--) {
      const message = this.inFlight[index] as InFlight<T>;
      if (message.arriveTick > tick) continue;
      this.inFlight.splice(index, 1);
      // Jitter reorders: an older message arriving after a newer one is no news.
      if (!this.newest || message.sentTick > this.newest.sentTick) this.newest = message;
    }
    return this.newest;
  }

  private takeToken(tick: number): boolean {
    const perTick = this.constraint.messagesPerTick;
    if (perTick === undefined) return true;
    if (this.lastRefillTick !== undefined)
      this.tokens = Math.min(
        bucketSize(this.constraint),
        this.tokens + perTick * (tick - this.lastRefillTick),
      );
    this.lastRefillTick = tick;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/** A link may save up one tick's worth of its rate, and at least one message. */
function bucketSize(constraint: LinkConstraint): number {
  return Math.max(1, constraint.messagesPerTick ?? 1);
}

/** The scenario's links over a street's homes: the device readings and the coordinator's channels. */
export class StreetLinks {
  private readonly readings = new Map<StreetHome, Link<HomeState>>();
  private readonly installed = new Map<StreetHome, HomeState>();
  private readonly coordinatorRngs = new Map<string, { up: Rng; down: Rng }>();
  private readonly tallies = {
    deviceHub: { ...emptyTally(), staleReadings: 0 },
    agentCoordinator: { ...emptyTally(), missingProposals: 0 },
  };

  constructor(
    private readonly section: LinksSection,
    homes: readonly StreetHome[],
    private readonly seed: number,
  ) {
    for (const home of homes) {
      this.installed.set(home, copyState(home.state));
      this.readings.set(
        home,
        new Link(
          this.deviceHub(home.spec.id),
          this.stream(`deviceHub.${home.spec.id}`),
          this.tallies.deviceHub,
        ),
      );
    }
  }

  /** Every home's devices send this step's reading of its state. */
  sendReadings(step: number, homes: readonly StreetHome[]): void {
    for (const home of homes) this.readings.get(home)?.send(step, copyState(home.state));
  }

  /** The state the agents see of a home at `step`: the newest reading that reached the hub. */
  readingOf(home: StreetHome, step: number): HomeState {
    const newest = this.readings.get(home)?.newestBy(step);
    if (!newest || newest.sentTick < step) this.tallies.deviceHub.staleReadings++;
    return newest?.payload ?? (this.installed.get(home) as HomeState);
  }

  /** A new exchange between the coordinator and these homes (rounds count from 1 again). */
  coordinatorChannel(homeIds: readonly string[]): CoordinatorChannel {
    const tally = this.tallies.agentCoordinator;
    const links = homeIds.map((id) => {
      const constraint = this.agentCoordinator(id);
      const rngs = this.coordinatorRngsOf(id);
      return {
        down: new Link<Float64Array>(constraint, rngs.down, tally),
        up: new Link<Proposal>(constraint, rngs.up, tally),
        pricesSeen: -1,
        proposalSeen: -1,
      };
    });
    return {
      sendPrices: (home, round, prices) => {
        const link = links[home] as (typeof links)[number];
        link.down.send(round, Float64Array.from(prices));
        const newest = link.down.newestBy(round);
        if (!newest || newest.sentTick <= link.pricesSeen) return undefined;
        link.pricesSeen = newest.sentTick;
        return { prices: newest.payload, round: newest.sentTick };
      },
      sendProposal: (home, round, proposal) => {
        const link = links[home] as (typeof links)[number];
        if (proposal) link.up.send(round, proposal);
        const newest = link.up.newestBy(round);
        if (!newest || newest.sentTick <= link.proposalSeen) {
          tally.missingProposals++;
          return undefined;
        }
        link.proposalSeen = newest.sentTick;
        return newest.payload;
      },
    };
  }

  outcome(): LinksOutcome {
    return structuredClone(this.tallies);
  }

  private deviceHub(homeId: string): LinkConstraint {
    const link = { ...this.section.deviceHub, ...this.section.homes?.[homeId]?.deviceHub };
    return {
      latencyTicks: link.latencySteps ?? 0,
      jitterTicks: link.jitterSteps ?? 0,
      loss: link.loss ?? 0,
      messagesPerTick: link.messagesPerStep,
    };
  }

  private agentCoordinator(homeId: string): LinkConstraint {
    const link = { ...this.section.agentCoordinator, ...this.section.homes?.[homeId]?.agentCoordinator };
    return {
      latencyTicks: link.latencyRounds ?? 0,
      jitterTicks: link.jitterRounds ?? 0,
      loss: link.loss ?? 0,
      messagesPerTick: link.messagesPerRound,
    };
  }

  /** A home's coordinator streams last the whole run: each window's exchange goes on drawing from them. */
  private coordinatorRngsOf(homeId: string): { up: Rng; down: Rng } {
    let rngs = this.coordinatorRngs.get(homeId);
    if (!rngs) {
      rngs = {
        up: this.stream(`agentCoordinator.${homeId}.up`),
        down: this.stream(`agentCoordinator.${homeId}.down`),
      };
      this.coordinatorRngs.set(homeId, rngs);
    }
    return rngs;
  }

  private stream(label: string): Rng {
    return createRng(this.seed).fork(`links.${label}`);
  }
}

function copyState(state: HomeState): HomeState {
  return structuredClone(state);
}
