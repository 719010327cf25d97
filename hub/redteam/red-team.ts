/**
 * Red team: attacks and defences as Street participants. An attack or a defence is defined once
 * (`defineAttack` / `defineDefence`: its `kind` in the scenario's `redTeam:` section, the zod schema of its
 * entry, what it checks against the scenario, and the participants it adds to the street, each placed
 * before or after one of the engine's own participants). The registry (./registry.ts) lists them.
 */
import { z } from 'zod';
import type { LiveRedTeamClient } from '../../protocol/gridflex.js';
import { type ObjectiveValuation, type Policy, setpointsAt } from '../agents/index.js';
import type { RedTeamLogin, RedTeamRights } from '../broker/red-team-logins.js';
import type { ForecastSource } from '../engine/participants/residents.js';
import type { StepFrame, StreetParticipant } from '../engine/street.js';
import type { StreetHome } from '../engine/street-home.js';
import type { StreetWorld } from '../engine/world.js';
import { clockLabel, MINUTES_PER_DAY } from '../environment/calendar.js';
import type { HomeSetpoints } from '../homes/index.js';
import type { SwitchingSystem, SwitchRequest } from '../market/switching.js';
import type { Rng } from '../random.js';

/** An engine participant's name (tariffs, residents, world, market, homes, bills, power-flow, network). */
export type EngineParticipant =
  | 'tariffs'
  | 'residents'
  | 'world'
  | 'market'
  | 'homes'
  | 'bills'
  | 'power-flow';

/** A red-team participant and where it steps: just before or just after one of the engine's participants. */
export type RedTeamPart = { participant: StreetParticipant } & (
  | { before: EngineParticipant }
  | { after: EngineParticipant }
);

/** What the scenario offers an entry's references (checked when the scenario is read). */
export interface RedTeamReferences {
  homeIds: readonly string[];
  tariffIds: readonly string[];
}

/** Throws an InputError naming the field (`path`), what was expected and what was found. */
export type Problem = (path: string, expected: string, found: unknown) => Error;

/** What an attack or defence may use when the street is built. */
export interface RedTeamContext {
  homes: readonly StreetHome[];
  /** The year's world, or the live table's (forecasts, the step length, the table's clock and the trips its EVs took). */
  world: ForecastSource & Pick<StreetWorld, 'stepMinutes'> & Partial<TripsTaken> & Partial<TableClock>;
  /**
   * What the hub itself does to the homes' setpoints after their agents planned: the start-delay defence adds
   * its delays (a year run's and the table's), the live table has its smart chargers' delays and boosts.
   */
  hubChanges: HubChanges;
  /** The street's tariff switching: the year's switching system, or the live table's market in front of its own. */
  switching?: RedTeamSwitching;
  /** The entry's own random stream (seeded from the scenario). */
  rng: Rng;
  /** How the residents put carbon and autarky in £ (a lying agent's own objective). */
  valuation: ObjectiveValuation;
  /** Makes a policy from the registry by name (a lying agent's own plan); released with the street. */
  makePolicy(name: string): Promise<Policy>;
  /** What the red team did, in words, for the study's report (e.g. "home-5 excluded at 18:30"). */
  note(text: string): void;
  /** An InputError naming the entry's field (`redTeam.attacks.2.device`), what was expected and found. */
  refuse(field: string, expected: string, found: unknown): Error;
  /** The street's set-up with the section's defences applied (the broker's limits an attack runs into). */
  settings: StreetSettings;
  /** Marks a home whose own agent attacks (its bill is not counted among the honest homes'). */
  markAttacker(home: StreetHome): void;
}

/** Trips taken outside the homes' physics: the table's EVs lose a trip's charge as they leave. */
export interface TripsTaken {
  /** Charge the home's EV lost to a trip in this step, kWh. */
  tripTakenKwh(home: StreetHome): number;
}

/**
 * The live table's clock as the red team reads it: its plan steps are half-hours of several clock steps, and
 * its "minute of year" counts from 1970 (the year runs plan every step and count from the year's start).
 */
export interface TableClock {
  /** The plan slot (the plan step, as `StreetHome.planSlot` counts them) the frame falls in. */
  planSlotOf(frame: StepFrame): number;
  /** The frame's time in the notes, e.g. "2026-01-16 00:30". */
  labelOf(frame: StepFrame): string;
}

/** The plan slot a frame falls in: the table's, or the step itself (a year run plans every step). */
export function planSlotOf(world: Partial<TableClock>, frame: StepFrame): number {
  return world.planSlotOf ? world.planSlotOf(frame) : frame.step;
}

/** The frame's time for a note: the table's, or the year's day and clock time. */
export function stepLabel(world: Partial<TableClock>, frame: StepFrame): string {
  return world.labelOf ? world.labelOf(frame) : clockLabel(frame.minuteOfYear);
}

/**
 * Changes the hub itself makes to a home's setpoints in this step after its agent planned (start delays, the
 * live table's residents' boosts): a home running them has not strayed from its plan.
 */
export interface HubOverrides {
  /** What `proposed` becomes under the hub's own changes to the home's setpoints in this step. */
  applied(home: StreetHome, proposed: HomeSetpoints): HomeSetpoints;
}

/**
 * All the hub's own changes to the homes' setpoints in a step, in the order it makes them: the defences'
 * (placed just after the residents), then the live table's own (its engine's overrides step after them).
 */
export class HubChanges implements HubOverrides {
  private readonly defences: HubOverrides[] = [];

  /** `table`: the live table's smart-charger delays and boosts (none in a year run). */
  constructor(private readonly table?: HubOverrides) {}

  /** A defence's own change to the setpoints. */
  add(change: HubOverrides): void {
    this.defences.push(change);
  }

  applied(home: StreetHome, proposed: HomeSetpoints): HomeSetpoints {
    const byDefences = this.defences.reduce((setpoints, change) => change.applied(home, setpoints), proposed);
    return this.table ? this.table.applied(home, byDefences) : byDefences;
  }
}

/** The setpoints a home's plan (its proposal to a coordinator) gives for the frame's plan slot; none without a plan. */
export function proposalAt(
  world: Partial<TableClock>,
  home: StreetHome,
  frame: StepFrame,
): HomeSetpoints | undefined {
  return home.plan ? setpointsAt(home.plan, planSlotOf(world, frame) - home.planSlot) : undefined;
}

/** Tariff switching as an attack uses it: the tariff each home is on, and requests into the switching system. */
export interface RedTeamSwitching {
  tariffOf(home: StreetHome): string;
  isPending(homeId: string): boolean;
  request(request: SwitchRequest): void;
}

/** A year run's switching system as the red team uses it (its homes carry their tariffs). */
export function yearSwitching(system: SwitchingSystem): RedTeamSwitching {
  return {
    tariffOf: (home) => home.tariff.id,
    isPending: (homeId) => system.isPending(homeId),
    request: (request) => {
      system.request(request);
    },
  };
}

/** How a defence changes the street's set-up before it is built. */
export interface StreetSettings {
  /** Switches the industry processes per working day for this street. */
  switchingCapacityPerWorkingDay: number;
  /** Messages one identity may publish a second at the hub's broker (absent: no limit). */
  publishRateLimitPerSecond?: number;
  /** Whether the broker lets a board publish only under its own ID (absent: it does not check). */
  boardIdentityChecked?: boolean;
}

interface Definition<Kind extends string, Schema extends z.ZodType> {
  kind: Kind;
  /** One sentence for the room. */
  description: string;
  /** The entry in `redTeam.attacks` / `redTeam.defences` (a field without a default only the scenario can give). */
  schema: Schema;
  /** Checks the entry's references (homes, tariffs) against the scenario; `path` is the entry's. */
  check?(entry: z.infer<Schema>, references: RedTeamReferences, problem: Problem, path: string): void;
  /** The participants it adds. */
  create(entry: z.infer<Schema>, context: RedTeamContext): Promise<RedTeamPart[]> | RedTeamPart[];
}

export interface AttackDefinition<Kind extends string = string, Schema extends z.ZodType = z.ZodType>
  extends Definition<Kind, Schema> {
  /**
   * On the live table: a real MQTT client against the hub's own broker, started instead of `create`'s model
   * (the defences' settings say what the broker still enforces on it). Throws an Error naming the field.
   */
  live?(entry: z.infer<Schema>, context: LiveAttackContext): LiveAttack;
}

/** The hub's own (embedded) broker as the live red team's clients reach it. */
export interface RedTeamBroker {
  /** e.g. mqtt://127.0.0.1:1883 */
  url: string;
  /** Board logins of the red team's own, with what the operator lifted for each (hub/broker/red-team-logins.ts). */
  logins: { add(boardId: string, rights: RedTeamRights): RedTeamLogin };
}

/** What a live attack's client may use. */
export interface LiveAttackContext {
  broker: RedTeamBroker;
  /** The red team's defences applied: the broker's limits the operator keeps on. */
  settings: StreetSettings;
  /** The board of the table map hosting a home's asset of this kind, if any. */
  boardOf(homeId: string, kind: 'battery' | 'pv' | 'heat-pump'): string | undefined;
}

/** A live attack's client: what it did so far, and stopping it. */
export interface LiveAttack {
  status(): LiveRedTeamClient;
  stop(): Promise<void>;
}

export interface DefenceDefinition<Kind extends string = string, Schema extends z.ZodType = z.ZodType>
  extends Definition<Kind, Schema> {
  /** The attacks it is meant to blunt (the study's defences when none are named). */
  counters: readonly string[];
  /** Changes to the street's set-up (default: none). */
  settings?(entry: z.infer<Schema>, settings: StreetSettings): StreetSettings;
}

export function defineAttack<Kind extends string, Schema extends z.ZodType>(
  definition: AttackDefinition<Kind, Schema>,
): AttackDefinition<Kind, Schema> {
  return definition;
}

export function defineDefence<Kind extends string, Schema extends z.ZodType>(
  definition: DefenceDefinition<Kind, Schema>,
): DefenceDefinition<Kind, Schema> {
  return definition;
}

/** The engine's participants with the red team's placed among them. */
export function placeParts(
  engine: readonly StreetParticipant[],
  parts: readonly RedTeamPart[],
): StreetParticipant[] {
  return engine.flatMap((participant) => [
    ...parts
      .filter((part) => 'before' in part && part.before === participant.name)
      .map((part) => part.participant),
    participant,
    ...parts
      .filter((part) => 'after' in part && part.after === participant.name)
      .map((part) => part.participant),
  ]);
}

/**
 * The homes an entry names: a count takes the first N homes that pass `eligible`, a list takes those ids,
 * none takes every eligible home.
 */
export function chosenHomes(
  homes: readonly StreetHome[],
  choice: number | readonly string[] | undefined,
  eligible: (home: StreetHome) => boolean = () => true,
): StreetHome[] {
  if (choice === undefined) return homes.filter(eligible);
  if (typeof choice === 'number') return homes.filter(eligible).slice(0, choice);
  return homes.filter((home) => choice.includes(home.spec.id));
}

/** Checks that every home id a `homes:` list names is in the scenario. */
export function checkHomeIds(
  choice: number | readonly string[] | undefined,
  references: RedTeamReferences,
  problem: Problem,
  path: string,
): void {
  if (choice === undefined || typeof choice === 'number') return;
  choice.forEach((id, index) => {
    if (!references.homeIds.includes(id))
      throw problem(
        `${path}.homes.${index}`,
        `a home of the scenario (${references.homeIds.join(', ')})`,
        id,
      );
  });
}

/** A `homes:` entry: how many homes (the first N that qualify) or which, by id. */
export const HomesChoiceSchema = z.union([z.number().int().min(1), z.array(z.string().min(1)).min(1)]);

/** Minutes of the run at the start of a step (from step 0, so a window is never cut at the year's end). */
export function runMinute(step: number, stepMinutes: number): number {
  return step * stepMinutes;
}

/** Whether a minute of the day falls in the window of `durationMinutes` from `startMinute` (may wrap midnight). */
export function inDailyWindow(minuteOfDay: number, startMinute: number, durationMinutes: number): boolean {
  return (minuteOfDay - startMinute + MINUTES_PER_DAY) % MINUTES_PER_DAY < durationMinutes;
}
