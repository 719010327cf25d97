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
 * API:
 *   class SwitchingSystem(rules: RegulatorRules, options: SwitchingOptions)
 *     request(request: SwitchRequest): SwitchLogEntry | undefined   (a 'rejected' entry, or undefined when queued)
 *     advanceTo(minuteOfYear): SwitchLogEntry[]   outcomes decided in (last, minuteOfYear]; apply the completed ones
 *     isPending(homeId): boolean;  queueLength(): number;  inFlightCount(): number
 *     log(): readonly SwitchLogEntry[];  dailyStats(): readonly SwitchingDayStats[]
 */
import { isWorkingDay, MINUTES_PER_DAY } from '../environment/calendar.js';
import type { RegulatorRules } from './regulator.js';

/** Options of the switching system. */
export interface SwitchingOptions {
  /** Switches processed per working day (the industry's finite capacity), >= 0. */
  capacityPerWorkingDay: number;
  /** Working days from processing to the switch taking effect (default 1). */
  processingWorkingDays?: number;
  /** A request still queued after this many working days fails (default 10). */
  maxQueueWorkingDays?: number;
  /** What happens to a switch that would exceed the regulator's lag: pay compensation (default) or fail. */
  lateSwitches?: 'compensate' | 'fail';
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

/** Working days d with fromDay < d <= toDay. */
function workingDaysBetween(fromDay: number, toDay: number): number {
  let count = 0;
  for (let day = fromDay + 1; day <= toDay; day++) if (isWorkingDay(day)) count++;
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

/** A switching system with finite daily capacity (see the module note for the timeline). */
export class SwitchingSystem {
  private readonly capacity: number;
  private readonly processingWorkingDays: number;
  private readonly maxQueueWorkingDays: number;
  private readonly lateSwitches: 'compensate' | 'fail';
  private readonly queue: SwitchRequest[] = [];
  private readonly inFlight: InFlight[] = [];
  private readonly entries: SwitchLogEntry[] = [];
  private readonly stats: SwitchingDayStats[] = [];
  private nextBoundaryDay = 0;
  private lastMinute = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly rules: RegulatorRules,
    options: SwitchingOptions,
  ) {
    if (!(Number.isInteger(options.capacityPerWorkingDay) && options.capacityPerWorkingDay >= 0)) {
      throw new RangeError(
        `capacityPerWorkingDay must be a whole number >= 0, got ${options.capacityPerWorkingDay}`,
      );
    }
    this.capacity = options.capacityPerWorkingDay;
    this.processingWorkingDays = options.processingWorkingDays ?? 1;
    this.maxQueueWorkingDays = options.maxQueueWorkingDays ?? 10;
    this.lateSwitches = options.lateSwitches ?? 'compensate';
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
    return (
      this.queue.some((request) => request.homeId === homeId) ||
      this.inFlight.some((flight) => flight.request.homeId === homeId)
    );
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

  private processBoundary(day: number, decided: SwitchLogEntry[]): void {
    const boundaryMinute = day * MINUTES_PER_DAY;
    const queuedBefore = this.queue.length;
    let failed = 0;
    let processed = 0;
    const remaining: SwitchRequest[] = [];
    for (const request of this.queue) {
      const requestDay = Math.floor(request.requestMinute / MINUTES_PER_DAY);
      const waited = workingDaysBetween(requestDay, day);
      if (request.requestMinute >= boundaryMinute) {
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
      } else if (processed < this.capacity) {
        processed++;
        const effectiveDay = addWorkingDays(day, this.processingWorkingDays);
        const lagWorkingDays = workingDaysBetween(requestDay, effectiveDay);
        if (lagWorkingDays > this.rules.maxSwitchingLagWorkingDays && this.lateSwitches === 'fail') {
          failed++;
          decided.push(
            this.entry(
              request,
              'failed',
              `failed: would take ${lagWorkingDays} working days, above the ${this.rules.maxSwitchingLagWorkingDays}-day limit`,
              boundaryMinute,
              null,
              null,
              0,
            ),
          );
        } else {
          this.inFlight.push({
            request,
            processedMinute: boundaryMinute,
            effectiveMinute: effectiveDay * MINUTES_PER_DAY,
            lagWorkingDays,
          });
        }
      } else {
        remaining.push(request);
      }
    }
    this.queue.splice(0, this.queue.length, ...remaining);
    this.stats.push({ day, queuedBefore, processed, failed });
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
