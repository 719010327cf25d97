/**
 * The switching system: finite capacity, a queue, working-day lag, late-switch compensation, failures,
 * and a log. It shows what synchronous mass switching does (requests beyond capacity wait; some fail).
 *
 * Timeline: requests queue in arrival order. At the start (00:00) of every working day the system first
 * fails queued requests that have waited more than `maxQueueWorkingDays`, then processes up to
 * `capacityPerWorkingDay` requests made before that instant; a processed switch takes effect at 00:00 of
 * the working day `processingWorkingDays` later. The lag is the number of working days after the request
 * day up to and including the effective day; above `rules.maxSwitchingLagWorkingDays` the switch is late:
 * it completes with `rules.lateSwitchCompensationGbp` paid to the customer, or fails when
 * `lateSwitches: 'fail'`. One pending request per home; a second is rejected.
 *
 * The live table's workshop-scale rules (`lagMinutes`): requests are processed as they come, up to the
 * capacity of their day, and take effect that many minutes after processing; every day is a working day
 * (the table has no weekends), minutes count from any origin (1970 on the table) and the clock may jump back.
 *
 * API:
 *   class SwitchingSystem(rules: SwitchingRules, options: SwitchingOptions)
 *     request(request: SwitchRequest): SwitchLogEntry | undefined   (a 'rejected' entry, or undefined when queued)
 *     advanceTo(minuteOfYear): SwitchLogEntry[]   outcomes decided in (last, minuteOfYear]; apply the completed ones
 *     isPending(homeId): boolean;  pendingSwitch(homeId);  cancel(homeId);  setCapacityPerWorkingDay(count)
 *     queueLength(): number;  inFlightCount(): number
 *     log(): readonly SwitchLogEntry[];  dailyStats(): readonly SwitchingDayStats[]
 */
import { isWorkingDay, MINUTES_PER_DAY } from '../environment/calendar.js';
import type { RegulatorRules } from './regulator.js';

/** Options of the switching system. */
export interface SwitchingOptions {
  /** Switches processed per working day (the industry's finite capacity), >= 0 (Infinity: no cap). */
  capacityPerWorkingDay: number;
  /** Working days from processing to the switch taking effect (default 1). */
  processingWorkingDays?: number;
  /** A request still queued after this many working days fails (default 10). */
  maxQueueWorkingDays?: number;
  /** What happens to a switch that would exceed the regulator's lag: pay compensation (default) or fail. */
  lateSwitches?: 'compensate' | 'fail';
  /**
   * The live table's lag: a switch is processed at once (capacity allowing) and takes effect this many minutes
   * later, read at processing (the regulator may change it) instead of `processingWorkingDays`.
   */
  lagMinutes?: () => number;
}

/** The regulator's rules the switching system follows. */
export type SwitchingRules = Pick<RegulatorRules, 'maxSwitchingLagWorkingDays' | 'lateSwitchCompensationGbp'>;

/** A home's switch not yet in effect: queued (`effectiveMinute` null) or processed. */
export interface PendingSwitch {
  readonly request: SwitchRequest;
  readonly effectiveMinute: number | null;
}

/** A home's request to change tariff. */
export interface SwitchRequest {
  readonly homeId: string;
  readonly fromTariffId: string;
  readonly toTariffId: string;
  readonly requestMinute: number;
  /** Why the agent asked (its explanation with numbers). */
  readonly reason: string;
  /** Exit fee due on leaving the current tariff (see exitFeeGbp in ./regulator.ts), £. */
  readonly exitFeeGbp?: number;
}

export type SwitchOutcome = 'completed' | 'completed-late' | 'failed' | 'rejected';

/** One decided request. */
export interface SwitchLogEntry {
  readonly homeId: string;
  readonly fromTariffId: string;
  readonly toTariffId: string;
  readonly requestMinute: number;
  /** When the system processed it (null if it never was). */
  readonly processedMinute: number | null;
  /** When the new tariff applies (null unless completed). */
  readonly effectiveMinute: number | null;
  /** Working days from request to effect (null unless completed). */
  readonly lagWorkingDays: number | null;
  readonly outcome: SwitchOutcome;
  /** The agent's reason, then the system's note on the outcome. */
  readonly reason: string;
  readonly exitFeeGbp: number;
  readonly compensationGbp: number;
}

/** What happened at one working-day boundary. */
export interface SwitchingDayStats {
  readonly day: number;
  readonly queuedBefore: number;
  readonly processed: number;
  readonly failed: number;
}

interface InFlight {
  readonly request: SwitchRequest;
  readonly processedMinute: number;
  readonly effectiveMinute: number;
  readonly lagWorkingDays: number;
}

type WorkingDay = (day: number) => boolean;
const EVERY_DAY: WorkingDay = () => true;

/** Working days d with fromDay < d <= toDay. */
function workingDaysBetween(fromDay: number, toDay: number, workingDay: WorkingDay): number {
  let count = 0;
  for (let day = fromDay + 1; day <= toDay; day++) if (workingDay(day)) count++;
  return count;
}

/** The working day `count` working days after `day` (count 0: `day` itself). */
function addWorkingDays(day: number, count: number): number {
  let result = day;
  for (let added = 0; added < count; ) {
    result++;
    if (isWorkingDay(result)) added++;
  }
  return result;
}

function dayOf(minute: number): number {
  return Math.floor(minute / MINUTES_PER_DAY);
}

/** A switching system with finite daily capacity (see the module note for the timeline). */
export class SwitchingSystem {
  private capacity: number;
  private readonly processingWorkingDays: number;
  private readonly lagMinutes: (() => number) | undefined;
  private readonly workingDay: WorkingDay;
  /** Live: the day whose capacity is being used, and how much of it. */
  private capacityDay = Number.NaN;
  private processedOnCapacityDay = 0;
  private readonly maxQueueWorkingDays: number;
  private readonly lateSwitches: 'compensate' | 'fail';
  private readonly queue: SwitchRequest[] = [];
  private readonly inFlight: InFlight[] = [];
  private readonly entries: SwitchLogEntry[] = [];
  private readonly stats: SwitchingDayStats[] = [];
  private nextBoundaryDay = 0;
  private lastMinute = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly rules: SwitchingRules,
    options: SwitchingOptions,
  ) {
    this.capacity = checkedCapacity(options.capacityPerWorkingDay);
    this.processingWorkingDays = options.processingWorkingDays ?? 1;
    this.maxQueueWorkingDays = options.maxQueueWorkingDays ?? 10;
    this.lateSwitches = options.lateSwitches ?? 'compensate';
    this.lagMinutes = options.lagMinutes;
    this.workingDay = options.lagMinutes ? EVERY_DAY : isWorkingDay;
  }

  /** A new capacity from the next processing on (the live table's switching cap, switched by the operator). */
  setCapacityPerWorkingDay(count: number): void {
    this.capacity = checkedCapacity(count);
  }

  /** Queues a request; returns the log entry when it is rejected at once (same tariff, already pending). */
  request(request: SwitchRequest): SwitchLogEntry | undefined {
    const rejection =
      request.fromTariffId === request.toTariffId
        ? `already on ${request.toTariffId}`
        : this.isPending(request.homeId)
          ? 'a switch for this home is already pending'
          : undefined;
    if (rejection) {
      const entry = this.entry(request, 'rejected', `rejected: ${rejection}`, null, null, null, 0);
      this.entries.push(entry);
      return entry;
    }
    this.queue.push(request);
    return undefined;
  }

  /** Runs every working-day boundary up to `minuteOfYear`; returns the outcomes decided on the way. */
  advanceTo(minuteOfYear: number): SwitchLogEntry[] {
    if (this.lagMinutes) return this.advanceLive(minuteOfYear);
    if (minuteOfYear < this.lastMinute) {
      throw new RangeError(`time went backwards: ${minuteOfYear} < ${this.lastMinute}`);
    }
    this.lastMinute = minuteOfYear;
    const decided: SwitchLogEntry[] = [];
    while (this.nextBoundaryDay * MINUTES_PER_DAY <= minuteOfYear) {
      const day = this.nextBoundaryDay++;
      if (isWorkingDay(day)) this.processBoundary(day, decided);
      this.release(day * MINUTES_PER_DAY, decided);
    }
    this.entries.push(...decided);
    return decided;
  }

  isPending(homeId: string): boolean {
    return this.pendingSwitch(homeId) !== undefined;
  }

  /** The home's switch not yet in effect, if any. */
  pendingSwitch(homeId: string): PendingSwitch | undefined {
    const flight = this.inFlight.find((entry) => entry.request.homeId === homeId);
    if (flight) return { request: flight.request, effectiveMinute: flight.effectiveMinute };
    const request = this.queue.find((entry) => entry.homeId === homeId);
    return request ? { request, effectiveMinute: null } : undefined;
  }

  /** Drops the home's switch not yet in effect (its tariff was withdrawn, or a better one came); not logged. */
  cancel(homeId: string): void {
    removeWhere(this.queue, (request) => request.homeId === homeId);
    removeWhere(this.inFlight, (flight) => flight.request.homeId === homeId);
  }

  /** Requests waiting to be processed. */
  queueLength(): number {
    return this.queue.length;
  }

  /** Processed switches not yet in effect. */
  inFlightCount(): number {
    return this.inFlight.length;
  }

  /** Every decided request so far, in decision order. */
  log(): readonly SwitchLogEntry[] {
    return this.entries;
  }

  /** Per working-day boundary: queue length before processing, processed, failed. */
  dailyStats(): readonly SwitchingDayStats[] {
    return this.stats;
  }

  /** Live: processes what was asked up to now within the day's capacity, then completes what is due. */
  private advanceLive(minute: number): SwitchLogEntry[] {
    const day = dayOf(minute);
    if (day !== this.capacityDay) {
      this.capacityDay = day;
      this.processedOnCapacityDay = 0;
    }
    const decided: SwitchLogEntry[] = [];
    const capacityLeft = this.capacity - this.processedOnCapacityDay;
    const { processed } = this.process(
      minute,
      capacityLeft,
      (request) => request.requestMinute <= minute,
      decided,
    );
    this.processedOnCapacityDay += processed;
    this.release(minute, decided);
    this.entries.push(...decided);
    return decided;
  }

  private processBoundary(day: number, decided: SwitchLogEntry[]): void {
    const boundaryMinute = day * MINUTES_PER_DAY;
    const queuedBefore = this.queue.length;
    const { processed, failed } = this.process(
      boundaryMinute,
      this.capacity,
      (request) => request.requestMinute < boundaryMinute,
      decided,
    );
    this.stats.push({ day, queuedBefore, processed, failed });
  }

  /**
   * Processes, at `atMinute`, the queued requests that are due, in order, up to `capacity`; fails those that
   * waited too long. Returns how many were processed and failed.
   */
  private process(
    atMinute: number,
    capacity: number,
    isDue: (request: SwitchRequest) => boolean,
    decided: SwitchLogEntry[],
  ): { processed: number; failed: number } {
    const day = dayOf(atMinute);
    let failed = 0;
    let processed = 0;
    const remaining: SwitchRequest[] = [];
    for (const request of this.queue) {
      const requestDay = dayOf(request.requestMinute);
      const waited = workingDaysBetween(requestDay, day, this.workingDay);
      if (!isDue(request)) {
        remaining.push(request);
      } else if (waited > this.maxQueueWorkingDays) {
        failed++;
        decided.push(
          this.entry(
            request,
            'failed',
            `failed: still queued after ${this.maxQueueWorkingDays} working days (capacity ${this.capacity}/working day)`,
            null,
            null,
            null,
            0,
          ),
        );
      } else if (processed < capacity) {
        processed++;
        const effectiveMinute = this.effectiveMinute(day, atMinute);
        const lagWorkingDays = workingDaysBetween(requestDay, dayOf(effectiveMinute), this.workingDay);
        if (lagWorkingDays > this.rules.maxSwitchingLagWorkingDays && this.lateSwitches === 'fail') {
          failed++;
          decided.push(
            this.entry(
              request,
              'failed',
              `failed: would take ${lagWorkingDays} working days, above the ${this.rules.maxSwitchingLagWorkingDays}-day limit`,
              atMinute,
              null,
              null,
              0,
            ),
          );
        } else {
          this.inFlight.push({ request, processedMinute: atMinute, effectiveMinute, lagWorkingDays });
        }
      } else {
        remaining.push(request);
      }
    }
    this.queue.splice(0, this.queue.length, ...remaining);
    return { processed, failed };
  }

  /** When a switch processed at `atMinute` (on `day`) takes effect. */
  private effectiveMinute(day: number, atMinute: number): number {
    if (this.lagMinutes) return atMinute + this.lagMinutes();
    return addWorkingDays(day, this.processingWorkingDays) * MINUTES_PER_DAY;
  }

  private release(boundaryMinute: number, decided: SwitchLogEntry[]): void {
    const due = this.inFlight.filter((flight) => flight.effectiveMinute <= boundaryMinute);
    if (due.length === 0) return;
    const stillInFlight = this.inFlight.filter((flight) => flight.effectiveMinute > boundaryMinute);
    this.inFlight.splice(0, this.inFlight.length, ...stillInFlight);
    for (const flight of due) {
      const late = flight.lagWorkingDays > this.rules.maxSwitchingLagWorkingDays;
      decided.push(
        this.entry(
          flight.request,
          late ? 'completed-late' : 'completed',
          late
            ? `completed late: ${flight.lagWorkingDays} working days, above the ${this.rules.maxSwitchingLagWorkingDays}-day limit; £${this.rules.lateSwitchCompensationGbp} compensation`
            : `completed in ${flight.lagWorkingDays} working days`,
          flight.processedMinute,
          flight.effectiveMinute,
          flight.lagWorkingDays,
          late ? this.rules.lateSwitchCompensationGbp : 0,
        ),
      );
    }
  }

  private entry(
    request: SwitchRequest,
    outcome: SwitchOutcome,
    note: string,
    processedMinute: number | null,
    effectiveMinute: number | null,
    lagWorkingDays: number | null,
    compensationGbp: number,
  ): SwitchLogEntry {
    const completed = outcome === 'completed' || outcome === 'completed-late';
    return {
      homeId: request.homeId,
      fromTariffId: request.fromTariffId,
      toTariffId: request.toTariffId,
      requestMinute: request.requestMinute,
      processedMinute,
      effectiveMinute,
      lagWorkingDays,
      outcome,
      reason: request.reason === '' ? note : `${request.reason} | ${note}`,
      exitFeeGbp: completed ? (request.exitFeeGbp ?? 0) : 0,
      compensationGbp,
    };
  }
}

function checkedCapacity(count: number): number {
  if (!((Number.isInteger(count) || count === Number.POSITIVE_INFINITY) && count >= 0)) {
    throw new RangeError(`capacityPerWorkingDay must be a whole number >= 0, got ${count}`);
  }
  return count;
}

function removeWhere<T>(list: T[], test: (item: T) => boolean): void {
  const kept = list.filter((item) => !test(item));
  list.splice(0, list.length, ...kept);
}
