/**
 * The lockstep coordinator (the mosaik idea over MQTT): announces step k, waits for every due participant's
 * answer for k, and settles a participant that stays silent by its timeout policy — `wait` (flag it late and
 * keep waiting), `skip-and-flag` (go on without its outputs, count the skip) or `drop` (stop waiting for it
 * until it registers again). A participant may answer ahead (its outputs for the next n steps in one message):
 * it is not asked in those steps, whose outcomes carry those outputs; a step no one is due in is not announced.
 * Pure of the hub: it needs only a way to publish and the participants' messages.
 */
import {
  COSIM_PARTICIPANT_SCHEMAS,
  type CosimAnswer,
  type CosimDone,
  type CosimParticipantState,
  type CosimParticipants,
  type CosimStep,
  type CosimWakeEvent,
  cosimTopics,
  parseCosimTopic,
  type TimeoutPolicy,
} from '../../protocol/cosim.js';

export interface LockstepOptions {
  /** Default timeout policy and timeout (a participant may choose its own when it registers). */
  policy: TimeoutPolicy;
  timeoutMs: number;
  /**
   * Sends a message. QoS 0 for the per-step announcement and outcome: on a clean session a lost message means
   * a lost connection, and a participant that connects again registers again and is sent the step it owes.
   */
  publish(topic: string, body: unknown, retain: boolean, qos: 0 | 1): Promise<void>;
  log(level: 'info' | 'warn', message: string): void;
  /** Publish `cosim/done` after every step (default true). */
  publishDone?: boolean;
}

type Outputs = Record<string, number | boolean | string | null>;

interface Participant {
  id: string;
  policy: TimeoutPolicy;
  timeoutMs: number;
  joinedAtStep: number;
  lastAnsweredStep: number | null;
  skippedSteps: number;
  staleAnswers: number;
  dropped: boolean;
  late: boolean;
  wakeAtStep?: number;
  wakeAtMs?: number;
  /** Events that wake it early; with no wake time, it sleeps until one of them. */
  wakeOn?: CosimWakeEvent[];
  refused?: { step: number; reason: string };
  ahead?: AheadOutputs;
}

/** Outputs answered ahead: `outputs[i]` is for step `fromStep + i`, ending at simulated `fromMs + i * stepMs`. */
interface AheadOutputs {
  fromStep: number;
  fromMs: number;
  stepMs: number;
  outputs: Outputs[];
}

interface PendingStep {
  step: number;
  simTime: string;
  announcement: CosimStep;
  waiting: Set<string>;
  outputs: Record<string, Outputs>;
  answered: string[];
  skipped: string[];
  dropped: string[];
  /**
   * Someone went to sleep or answered ahead, woke or used its outputs ahead up: the participants go out once,
   * when the step is done.
   */
  restChanged: boolean;
  done: () => void;
}

/** The result of one lockstep step. */
export type LockstepOutcome = CosimDone;

export class LockstepCoordinator {
  private readonly participants = new Map<string, Participant>();
  private pending: PendingStep | null = null;
  private currentStep = 0;
  private timers: NodeJS.Timeout[] = [];

  constructor(private readonly options: LockstepOptions) {}

  /** The `cosim/participants` payload. */
  snapshot(): CosimParticipants {
    return {
      step: this.currentStep,
      policy: this.options.policy,
      timeoutMs: this.options.timeoutMs,
      participants: [...this.participants.values()].map((participant) => this.stateOf(participant)),
    };
  }

  /**
   * A participant message (`gridflex/cosim/v1/<id>/<kind>`), validated here; a bad one is logged and
   * ignored. `sender` is the username the broker logged the client in with (null: unknown, e.g. behind
   * an external broker whose ACL already checked it); a sender other than the topic's participant is refused.
   * `checked`: the embedded broker already refused the payload unless it passed the same schema
   * (hub/broker/payload-check.ts), so an answer, every step's hot path, is not run through the schema twice.
   */
  onMessage(topic: string, payload: Buffer, sender: string | null, checked = false): void {
    const target = parseCosimTopic(topic);
    if (!target) return;
    const { participant: id, kind } = target;
    if (sender !== null && sender !== id) {
      this.options.log('warn', `cosim: ${sender} may not speak for participant ${id} (${topic}); ignored`);
      return;
    }
    let body: unknown;
    try {
      body = JSON.parse(payload.toString());
    } catch {
      this.options.log('warn', `cosim: ${topic}: payload is not JSON; ignored`);
      return;
    }
    if (checked && kind === 'answer') {
      const answer = body as CosimAnswer;
      this.answer(id, { ...answer, outputs: answer.outputs ?? {} });
      return;
    }
    const parsed = COSIM_PARTICIPANT_SCHEMAS[kind].safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const path = issue?.path.length ? `${issue.path.join('.')}: ` : '';
      const reason = `${path}${issue?.message ?? 'invalid'}`;
      const step = (body as { step?: unknown } | null)?.step;
      if (kind === 'answer') this.refuse(id, typeof step === 'number' ? step : this.currentStep, reason);
      else this.options.log('warn', `cosim: ${topic}: ${reason}; ignored`);
      return;
    }
    if (kind === 'register') this.register(id, parsed.data as { policy?: TimeoutPolicy; timeoutMs?: number });
    else if (kind === 'leave') this.leave(id);
    else this.answer(id, parsed.data as CosimAnswer & { outputs: Outputs });
  }

  /**
   * An event happened: every sleeping participant that asked to be woken by it is due from the next
   * announced step on (a step under way does not wait for it).
   */
  wake(event: CosimWakeEvent): void {
    const woken: string[] = [];
    for (const participant of this.participants.values()) {
      if (participant.dropped || !participant.wakeOn?.some((wanted) => sameEvent(wanted, event))) continue;
      clearSleep(participant);
      woken.push(participant.id);
    }
    if (woken.length === 0) return;
    this.options.log('info', `cosim: ${describeEvent(event)} wakes ${woken.join(', ')}`);
    this.publishParticipants();
  }

  /** Whether any participant is waiting for events (so the caller need not look for them otherwise). */
  watchesEvents(): boolean {
    for (const participant of this.participants.values()) if (participant.wakeOn) return true;
    return false;
  }

  /** Registers (or re-registers) a participant from the next step on. */
  register(id: string, settings: { policy?: TimeoutPolicy; timeoutMs?: number } = {}): void {
    const existing = this.participants.get(id);
    const participant: Participant = {
      id,
      policy: settings.policy ?? this.options.policy,
      timeoutMs: settings.timeoutMs ?? this.options.timeoutMs,
      joinedAtStep: existing && !existing.dropped ? existing.joinedAtStep : this.currentStep,
      lastAnsweredStep: existing?.lastAnsweredStep ?? null,
      skippedSteps: existing?.skippedSteps ?? 0,
      staleAnswers: existing?.staleAnswers ?? 0,
      dropped: false,
      late: false,
    };
    this.participants.set(id, participant);
    this.options.log('info', `cosim: ${id} joined (${participant.policy}, ${participant.timeoutMs} ms)`);
    this.publishParticipants();
    // Back on a new connection while the step waits for it: it may have missed the announcement.
    if (this.pending?.waiting.has(id)) this.announce(this.pending.announcement);
  }

  /** Stops waiting for a participant (it left). */
  leave(id: string): void {
    if (!this.participants.delete(id)) return;
    this.options.log('info', `cosim: ${id} left`);
    this.release(id, 'left');
    this.publishParticipants();
  }

  /**
   * Announces step `step` and resolves once every due participant answered or was settled by its
   * policy. Steps never overlap: the hub awaits this inside its step.
   */
  runStep(step: number, simTime: string, stepMinutes: number): Promise<LockstepOutcome> {
    this.currentStep = step;
    const simMs = Date.parse(simTime);
    const due: string[] = [];
    const outputs: Record<string, Outputs> = {};
    const answered: string[] = [];
    // Someone woke or used up its outputs ahead: what cosim/participants shows changes.
    let restChanged = false;
    for (const participant of this.participants.values()) {
      if (participant.dropped) continue;
      const ahead = takeAhead(participant, step, simMs);
      if (ahead) {
        outputs[participant.id] = ahead;
        answered.push(participant.id);
        participant.lastAnsweredStep = step;
        restChanged ||= participant.ahead === undefined;
        continue;
      }
      if (asleepAt(participant, step, simMs)) continue;
      restChanged ||= resting(participant);
      clearSleep(participant);
      due.push(participant.id);
    }
    const announcement: CosimStep = { step, simTime, stepMinutes, due };
    return new Promise<LockstepOutcome>((resolve) => {
      const pending: PendingStep = {
        step,
        simTime,
        announcement,
        waiting: new Set(due),
        outputs,
        answered,
        skipped: [],
        dropped: [],
        restChanged,
        done: () => {
          for (const timer of this.timers) clearTimeout(timer);
          this.timers = [];
          this.pending = null;
          const outcome: CosimDone = {
            step,
            simTime,
            answered: pending.answered,
            skipped: pending.skipped,
            dropped: pending.dropped,
            outputs: pending.outputs,
          };
          if (pending.skipped.length > 0 || pending.dropped.length > 0 || pending.restChanged)
            this.publishParticipants();
          const published =
            this.options.publishDone === false
              ? Promise.resolve()
              : this.options.publish(cosimTopics.done(), outcome, false, 0);
          published.then(
            () => resolve(outcome),
            () => resolve(outcome),
          );
        },
      };
      this.pending = pending;
      // No one to ask (all asleep or answered ahead): not announced, only its outcome published.
      if (due.length === 0) {
        pending.done();
        return;
      }
      this.announce(announcement);
      this.armTimeouts(pending, due);
    });
  }

  /**
   * Sends the step under way again (the hub's link to its broker was down: announcements and answers of that
   * time are lost). Who answered already answers again, counted as stale.
   */
  reannounce(): void {
    if (this.pending) this.announce(this.pending.announcement);
  }

  private announce(announcement: CosimStep): void {
    this.options.publish(cosimTopics.step(), announcement, false, 0).catch((error: Error) => {
      this.options.log('warn', `cosim: could not announce step ${announcement.step}: ${error.message}`);
    });
  }

  /** Drops every wait (the hub stops). */
  stop(): void {
    const pending = this.pending;
    if (pending) for (const id of [...pending.waiting]) this.release(id, 'stopped');
  }

  private armTimeouts(pending: PendingStep, due: string[]): void {
    // One timer per distinct timeout, not per participant: a step with many participants arms few timers.
    const byTimeout = new Map<number, string[]>();
    for (const id of due) {
      const timeoutMs = this.participants.get(id)?.timeoutMs ?? this.options.timeoutMs;
      byTimeout.set(timeoutMs, [...(byTimeout.get(timeoutMs) ?? []), id]);
    }
    for (const [timeoutMs, ids] of byTimeout) {
      this.timers.push(setTimeout(() => this.timeout(pending, ids), timeoutMs));
    }
  }

  private timeout(pending: PendingStep, ids: string[]): void {
    if (this.pending !== pending) return;
    let changed = false;
    for (const id of ids) {
      if (!pending.waiting.has(id)) continue;
      const participant = this.participants.get(id);
      if (!participant) continue;
      changed = true;
      participant.late = true;
      switch (participant.policy) {
        case 'wait':
          this.options.log('warn', `cosim: step ${pending.step}: still waiting for ${id}`);
          break;
        case 'skip-and-flag':
          participant.skippedSteps++;
          pending.skipped.push(id);
          this.options.log('warn', `cosim: step ${pending.step}: ${id} skipped (no answer)`);
          this.release(id, 'skipped');
          break;
        case 'drop':
          participant.dropped = true;
          pending.dropped.push(id);
          this.options.log('warn', `cosim: step ${pending.step}: ${id} dropped (no answer)`);
          this.release(id, 'dropped');
          break;
      }
    }
    // `release` may have finished the step (and published the participants); otherwise say who is late.
    if (changed && this.pending === pending) this.publishParticipants();
  }

  private answer(id: string, body: CosimAnswer & { outputs: Outputs }): void {
    const participant = this.participants.get(id);
    if (!participant || participant.dropped) {
      this.options.log('warn', `cosim: answer from ${id}, which is not registered; register first`);
      return;
    }
    const pending = this.pending;
    if (!pending || pending.step !== body.step || !pending.waiting.has(id)) {
      participant.staleAnswers++;
      return;
    }
    const wakeAtMs = body.wakeAt === undefined ? undefined : Date.parse(body.wakeAt);
    const simMs = Date.parse(pending.simTime);
    const stepMs = pending.announcement.stepMinutes * 60_000;
    const lastMs = simMs + (body.ahead?.length ?? 0) * stepMs;
    if (wakeAtMs !== undefined && wakeAtMs <= lastMs) {
      const last = body.ahead ? 'the last step answered ahead' : "this step's";
      this.refuse(
        id,
        body.step,
        `wakeAt: must be after ${last} simulated time ${new Date(lastMs).toISOString()}`,
      );
      return;
    }
    const wasLate = participant.late;
    const wasRefused = participant.refused !== undefined;
    participant.late = false;
    participant.refused = undefined;
    participant.lastAnsweredStep = body.step;
    participant.wakeAtStep = body.nextStep;
    participant.wakeAtMs = wakeAtMs;
    participant.wakeOn = body.wakeOn;
    participant.ahead = body.ahead && {
      fromStep: body.step + 1,
      fromMs: simMs + stepMs,
      stepMs,
      outputs: body.ahead,
    };
    pending.outputs[id] = body.outputs;
    pending.answered.push(id);
    const sleeps = body.nextStep !== undefined || wakeAtMs !== undefined || body.wakeOn !== undefined;
    pending.restChanged ||= sleeps || body.ahead !== undefined;
    this.release(id, 'answered');
    if (wasLate || wasRefused) this.publishParticipants();
  }

  /** A participant's answer is refused: it learns why on `cosim/participants`; the step still waits for it. */
  private refuse(id: string, step: number, reason: string): void {
    const participant = this.participants.get(id);
    this.options.log('warn', `cosim: step ${step}: answer of ${id} refused: ${reason}`);
    if (!participant) return;
    participant.refused = { step, reason };
    this.publishParticipants();
  }

  /** The step stops waiting for `id`; the last one to go finishes it. */
  private release(id: string, _why: string): void {
    const pending = this.pending;
    if (!pending?.waiting.delete(id)) return;
    if (pending.waiting.size === 0) pending.done();
  }

  private stateOf(participant: Participant): CosimParticipantState {
    const waiting = this.pending?.waiting.has(participant.id) ?? false;
    const sleeping =
      participant.wakeAtStep !== undefined ||
      participant.wakeAtMs !== undefined ||
      participant.wakeOn !== undefined;
    const state: CosimParticipantState['state'] = participant.dropped
      ? 'dropped'
      : participant.late
        ? 'late'
        : waiting
          ? 'waiting'
          : sleeping
            ? 'sleeping'
            : 'ready';
    return {
      id: participant.id,
      state,
      policy: participant.policy,
      timeoutMs: participant.timeoutMs,
      joinedAtStep: participant.joinedAtStep,
      lastAnsweredStep: participant.lastAnsweredStep,
      skippedSteps: participant.skippedSteps,
      staleAnswers: participant.staleAnswers,
      ...(participant.ahead === undefined
        ? {}
        : { aheadToStep: participant.ahead.fromStep + participant.ahead.outputs.length - 1 }),
      ...(participant.wakeAtStep === undefined ? {} : { wakeAtStep: participant.wakeAtStep }),
      ...(participant.wakeAtMs === undefined ? {} : { wakeAt: new Date(participant.wakeAtMs).toISOString() }),
      ...(participant.wakeOn === undefined ? {} : { wakeOn: participant.wakeOn }),
      ...(participant.refused === undefined ? {} : { refused: participant.refused }),
    };
  }

  private publishParticipants(): void {
    this.options.publish(cosimTopics.participants(), this.snapshot(), true, 1).catch((error: Error) => {
      this.options.log('warn', `cosim: could not publish the participants: ${error.message}`);
    });
  }
}

/** Whether a participant sleeps through step `step` (simulated end time `simMs`). */
function asleepAt(participant: Participant, step: number, simMs: number): boolean {
  if (participant.wakeAtStep !== undefined) return step < participant.wakeAtStep;
  if (participant.wakeAtMs !== undefined) return simMs < participant.wakeAtMs;
  // Only events wake it.
  return participant.wakeOn !== undefined;
}

/**
 * Its outputs answered ahead for step `step` (ending at simulated `simMs`), used up in order; outputs answered
 * for another simulated time (the clock was moved) are dropped and it is asked again.
 */
function takeAhead(participant: Participant, step: number, simMs: number): Outputs | undefined {
  const ahead = participant.ahead;
  if (!ahead) return undefined;
  const index = step - ahead.fromStep;
  const outputs = ahead.outputs[index];
  if (outputs === undefined || simMs !== ahead.fromMs + index * ahead.stepMs) {
    participant.ahead = undefined;
    return undefined;
  }
  if (index === ahead.outputs.length - 1) participant.ahead = undefined;
  return outputs;
}

/** Whether it sleeps or holds outputs answered ahead (else it is asked every step). */
function resting(participant: Participant): boolean {
  return (
    participant.ahead !== undefined ||
    participant.wakeAtStep !== undefined ||
    participant.wakeAtMs !== undefined ||
    participant.wakeOn !== undefined
  );
}

/** It is due again: its sleep and its outputs answered ahead are forgotten. */
function clearSleep(participant: Participant): void {
  participant.ahead = undefined;
  participant.wakeAtStep = undefined;
  participant.wakeAtMs = undefined;
  participant.wakeOn = undefined;
}

function sameEvent(wanted: CosimWakeEvent, event: CosimWakeEvent): boolean {
  if (wanted.on !== event.on) return false;
  if (wanted.on === 'property' && event.on === 'property')
    return wanted.device === event.device && wanted.property === event.property;
  return true;
}

function describeEvent(event: CosimWakeEvent): string {
  return event.on === 'property' ? `a new ${event.device} ${event.property}` : event.on;
}
