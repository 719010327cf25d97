/**
 * The lockstep clock over MQTT: ordering, the three timeout policies, a paused clock and event-driven
 * participants, through a real hub and its embedded broker on loopback. Participants are plain MQTT clients
 * with device identities, as any program would be. No test depends on how long anything takes: a timeout
 * policy is configured, and what it did is read from the hub's messages.
 */
import type { MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type {
  CosimAnswer,
  CosimDone,
  CosimParticipants,
  CosimRegister,
  CosimStep,
} from '../../../protocol/cosim.js';
import type { Clock } from '../../../protocol/gridflex.js';
import { type CosimHub, Recorder, startCosimHub, WAITING_LOCKSTEP_CLOCK } from './cosim-hub.js';

let hub: CosimHub;
let seen: Recorder;

beforeAll(async () => {
  hub = await startCosimHub(WAITING_LOCKSTEP_CLOCK);
  seen = await Recorder.on(
    await hub.viewer('cosim-viewer'),
    'gridflex/v1/cosim/#',
    'gridflex/v1/clock',
    'gridflex/v1/hub/security',
  );
});

afterAll(async () => {
  await hub?.stop();
});

/** Participants of the running test: all leave after it, passed or failed, so none blocks the next. */
const joined: Participant[] = [];
afterEach(async () => {
  for (const participant of joined.splice(0)) await participant.leave().catch(() => {});
});

interface Participant {
  id: string;
  client: MqttClient;
  /** Every announcement this participant was due in. */
  steps: CosimStep[];
  answer(body: CosimAnswer): Promise<void>;
  leave(): Promise<void>;
}

/**
 * Connects a participant, registers it and resolves once the hub lists it. `onStep` decides the answer to
 * each step it is due in (null: no answer now).
 */
async function join(
  id: string,
  register: CosimRegister,
  onStep: (step: CosimStep, self: Participant) => CosimAnswer | null,
): Promise<Participant> {
  const { client } = await hub.device(id);
  const self: Participant = {
    id,
    client,
    steps: [],
    answer: async (body) => {
      await client.publishAsync(`gridflex/cosim/v1/${id}/answer`, JSON.stringify(body), { qos: 1 });
    },
    leave: async () => {
      await client.publishAsync(`gridflex/cosim/v1/${id}/leave`, '{}', { qos: 1 });
    },
  };
  client.on('message', (topic, payload) => {
    if (topic !== 'gridflex/v1/cosim/step') return;
    const step = JSON.parse(payload.toString()) as CosimStep;
    if (!step.due.includes(id)) return;
    self.steps.push(step);
    const body = onStep(step, self);
    // A refused answer's publish never completes (the broker closes the connection); the test reads the outcome.
    if (body) self.answer(body).catch(() => {});
  });
  joined.push(self);
  await client.subscribeAsync('gridflex/v1/cosim/step', { qos: 1 });
  const listed = seen.next<CosimParticipants>('gridflex/v1/cosim/participants', (state) =>
    state.participants.some((participant) => participant.id === id && participant.state !== 'dropped'),
  );
  await client.publishAsync(`gridflex/cosim/v1/${id}/register`, JSON.stringify(register), { qos: 1 });
  await listed;
  return self;
}

const done = (test: (body: CosimDone) => boolean) => seen.find<CosimDone>('gridflex/v1/cosim/done', test);
const announced = (test: (body: CosimStep) => boolean) =>
  seen.find<CosimStep>('gridflex/v1/cosim/step', test);
const participantsShow = (id: string, test: (state: CosimParticipants['participants'][number]) => boolean) =>
  seen.find<CosimParticipants>('gridflex/v1/cosim/participants', (body) =>
    body.participants.some((participant) => participant.id === id && test(participant)),
  );
const isStep = (step: number) => (body: { step: number }) => body.step === step;
/** Who step k was announced to once it is done (no one: a step no one is due in is not announced). */
async function dueOnceDone(step: number): Promise<string[]> {
  await done(isStep(step));
  const announcement = seen.messages.find(
    (message) => message.topic === 'gridflex/v1/cosim/step' && (message.body as CosimStep).step === step,
  );
  return (announcement?.body as CosimStep | undefined)?.due ?? [];
}
const doneIndex = (step: number) =>
  seen.indexOf('gridflex/v1/cosim/done', (body) => (body as CosimDone).step === step);

/** A promise with its resolve, per step. */
function perStep(): (step: number) => { promise: Promise<void>; resolve: () => void } {
  const map = new Map<number, { promise: Promise<void>; resolve: () => void }>();
  return (step) => {
    let entry = map.get(step);
    if (!entry) {
      let resolve = () => {};
      const promise = new Promise<void>((done) => {
        resolve = done;
      });
      entry = { promise, resolve };
      map.set(step, entry);
    }
    return entry;
  };
}

describe('lockstep clock', () => {
  it('announces step k, waits for every participant’s outputs, then publishes step k, then announces k+1', async () => {
    const aAnswered = perStep();
    const a = await join('part-a', {}, (step, self) => {
      self.answer({ step: step.step, outputs: { 'a/x': step.step } }).then(aAnswered(step.step).resolve);
      return null;
    });
    // b answers each step only once a's answer for it has reached the broker.
    const b = await join('part-b', {}, (step, self) => {
      aAnswered(step.step).promise.then(() => self.answer({ step: step.step, outputs: { 'b/y': true } }));
      return null;
    });
    const first = await announced((body) => body.due.includes('part-a') && body.due.includes('part-b'));
    const outcomes: CosimDone[] = [];
    for (let step = first.step; step < first.step + 5; step++)
      outcomes.push(await done((body) => body.step === step));
    await announced(isStep(first.step + 5));
    for (const outcome of outcomes) {
      expect(outcome.answered).toEqual(['part-a', 'part-b']);
      expect(outcome.outputs).toEqual({ 'part-a': { 'a/x': outcome.step }, 'part-b': { 'b/y': true } });
      const k = outcome.step;
      const stepAt = seen.indexOf('gridflex/v1/cosim/step', (body) => (body as CosimStep).step === k);
      const clockAt = seen.indexOf('gridflex/v1/clock', (body) => (body as Clock).step === k);
      const nextAt = seen.indexOf('gridflex/v1/cosim/step', (body) => (body as CosimStep).step === k + 1);
      // Announced, answered by both, then the hub's step k (its clock), then step k+1 is announced.
      expect(stepAt).toBeLessThan(doneIndex(k));
      expect(doneIndex(k)).toBeLessThan(clockAt);
      expect(clockAt).toBeLessThan(nextAt);
    }
    await a.leave();
    await b.leave();
  });

  it('wait: a participant past its timeout is flagged late and the step waits until it answers', async () => {
    let held: CosimStep | undefined;
    let onHeld: (step: CosimStep) => void = () => {};
    const heldStep = new Promise<CosimStep>((resolve) => {
      onHeld = resolve;
    });
    const w = await join('part-wait', { policy: 'wait', timeoutMs: 20 }, (step) => {
      if (held === undefined) {
        held = step;
        onHeld(step);
        return null;
      }
      return { step: step.step, outputs: {} };
    });
    const k = (await heldStep).step;
    await participantsShow('part-wait', (state) => state.state === 'late');
    // Late, and step k is still not done: the hub is waiting.
    expect(doneIndex(k)).toBe(-1);
    await w.answer({ step: k, outputs: { 'w/late': 1 } });
    const outcome = await done((body) => body.step === k);
    expect(outcome.answered).toEqual(['part-wait']);
    expect(outcome.skipped).toEqual([]);
    expect(outcome.outputs['part-wait']).toEqual({ 'w/late': 1 });
    await announced((body) => body.step === k + 1);
    await w.leave();
  });

  it('skip-and-flag: the step goes on without a silent participant, which is flagged and still asked next step', async () => {
    const s = await join('part-skip', { policy: 'skip-and-flag', timeoutMs: 20 }, () => null);
    const skipped = await done((body) => body.skipped.includes('part-skip'));
    expect(skipped.answered).toEqual([]);
    expect(skipped.outputs).toEqual({});
    await announced((body) => body.step === skipped.step + 1 && body.due.includes('part-skip'));
    await participantsShow('part-skip', (state) => state.skippedSteps >= 1);
    // An answer for a step that is over is counted as stale, not used.
    await s.answer({ step: skipped.step, outputs: { 's/old': 1 } });
    await participantsShow('part-skip', (state) => state.staleAnswers >= 1);
    await s.leave();
  });

  it('drop: a silent participant is dropped, no longer waited for, and may register again', async () => {
    const d = await join('part-drop', { policy: 'drop', timeoutMs: 20 }, () => null);
    const dropped = await done((body) => body.dropped.includes('part-drop'));
    const next = { step: dropped.step + 1 };
    expect(await dueOnceDone(next.step)).not.toContain('part-drop');
    await participantsShow('part-drop', (state) => state.state === 'dropped');
    await d.client.publishAsync('gridflex/cosim/v1/part-drop/register', JSON.stringify({ policy: 'wait' }), {
      qos: 1,
    });
    await announced((body) => body.due.includes('part-drop') && body.step > next.step);
    await d.leave();
  });

  it('event-driven: a participant that asks for step k+5 is not asked at k+1..k+4, and is at k+5', async () => {
    let wokenAt: number | undefined;
    const e = await join('part-event', {}, (step) => {
      wokenAt ??= step.step;
      return { step: step.step, outputs: {}, ...(step.step === wokenAt ? { nextStep: step.step + 5 } : {}) };
    });
    const first = await done((body) => body.answered.includes('part-event'));
    await participantsShow(
      'part-event',
      (state) => state.state === 'sleeping' && state.wakeAtStep === first.step + 5,
    );
    for (let k = first.step + 1; k < first.step + 5; k++) {
      expect(await dueOnceDone(k)).not.toContain('part-event');
      // Not waited for: step k is over without it.
      expect((await done(isStep(k))).answered).not.toContain('part-event');
    }
    expect((await announced(isStep(first.step + 5))).due).toContain('part-event');
    expect((await done(isStep(first.step + 5))).answered).toContain('part-event');
    expect(e.steps.map((step) => step.step)).toContain(first.step + 5);
    expect(e.steps.filter((step) => step.step > first.step && step.step < first.step + 5)).toEqual([]);
    await e.leave();
  });

  it('ahead: a participant answering 4 steps ahead is asked every 5th step; each step’s outcome has its outputs', async () => {
    const ahead = await join('part-ahead', {}, (step) => ({
      step: step.step,
      outputs: { k: step.step },
      ahead: [1, 2, 3, 4].map((later) => ({ k: step.step + later })),
    }));
    const first = await done((body) => body.answered.includes('part-ahead'));
    await participantsShow('part-ahead', (state) => state.aheadToStep === first.step + 4);
    for (let k = first.step + 1; k < first.step + 5; k++) {
      expect(await dueOnceDone(k)).not.toContain('part-ahead');
      expect((await done(isStep(k))).outputs['part-ahead']).toEqual({ k });
    }
    expect(await dueOnceDone(first.step + 5)).toContain('part-ahead');
    expect((await done(isStep(first.step + 5))).outputs['part-ahead']).toEqual({ k: first.step + 5 });
    expect(ahead.steps.map((step) => step.step).filter((k) => k <= first.step + 5)).toEqual([
      first.step,
      first.step + 5,
    ]);
    await ahead.leave();
  });

  it('event-driven: a new value of the board property it waits on wakes it before its step', async () => {
    const board = (await hub.device('wake-board')).client;
    const lightPct = 'homie/5/wake-board/pv/light-pct';
    await board.publishAsync(lightPct, '40', { qos: 1, retain: true });
    let slept: number | undefined;
    const e = await join('part-wake', {}, (step): CosimAnswer => {
      slept ??= step.step;
      // The first answer sleeps for 1000 steps unless the board's light changes; later ones answer plainly.
      return step.step === slept
        ? {
            step: step.step,
            outputs: {},
            nextStep: step.step + 1000,
            wakeOn: [{ on: 'property', device: 'wake-board', property: 'pv/light-pct' }],
          }
        : { step: step.step, outputs: { 'pv/light-pct': 55 } };
    });
    const first = await done((body) => body.answered.includes('part-wake'));
    expect(await dueOnceDone(first.step + 1)).not.toContain('part-wake');
    // The same value again wakes nothing; another property of the board neither.
    await board.publishAsync(lightPct, '40', { qos: 1, retain: true });
    await board.publishAsync('homie/5/wake-board/pv/power-kw', '-1.2', { qos: 1 });
    const afterSame = await done((body) => body.step > first.step + 1);
    expect(afterSame.answered).not.toContain('part-wake');
    await participantsShow('part-wake', (state) => state.state === 'sleeping' && state.wakeOn !== undefined);
    await board.publishAsync(lightPct, '55', { qos: 1, retain: true });
    const woken = await announced((body) => body.due.includes('part-wake') && body.step > first.step);
    expect(woken.step).toBeLessThan(first.step + 1000);
    expect(woken.step).toBeGreaterThan(afterSame.step);
    expect((await done(isStep(woken.step))).outputs['part-wake']).toEqual({ 'pv/light-pct': 55 });
    // Woken, it is asked every step again (its later answers ask for no sleep).
    expect((await announced(isStep(woken.step + 1))).due).toContain('part-wake');
    await e.leave();
  });

  it('event-driven: a malformed wake-up request is refused by the broker, which says why', async () => {
    const security = seen.next<{ kind: string; reason: string; topic?: string }>(
      'gridflex/v1/hub/security',
      (event) => event.topic === 'gridflex/cosim/v1/part-bad/answer',
    );
    // Dropped once the broker closed its connection, so the run goes on.
    const bad = await join('part-bad', { policy: 'drop', timeoutMs: 20 }, (step) => ({
      step: step.step,
      outputs: {},
      nextStep: step.step,
    }));
    joined.splice(joined.indexOf(bad), 1);
    const refusal = await security;
    const k = bad.steps[0]?.step;
    expect(refusal.kind).toBe('rejected-payload');
    expect(refusal.reason).toBe(`answer nextStep: must be after step ${k}`);
    expect((await done((body) => body.dropped.includes('part-bad'))).step).toBe(k);
  });

  it('event-driven: a wake time not after the step is refused and shown; the step waits for a good answer', async () => {
    let asked: CosimStep | undefined;
    let onAsked: (step: CosimStep) => void = () => {};
    const askedStep = new Promise<CosimStep>((resolve) => {
      onAsked = resolve;
    });
    const late = await join('part-late-wake', {}, (step) => {
      if (asked === undefined) {
        asked = step;
        onAsked(step);
      }
      return null;
    });
    const { step: k, simTime } = await askedStep;
    await late.answer({ step: k, outputs: {}, wakeAt: simTime });
    const shown = await participantsShow('part-late-wake', (state) => state.refused !== undefined);
    expect(shown.participants.find((participant) => participant.id === 'part-late-wake')?.refused).toEqual({
      step: k,
      reason: `wakeAt: must be after this step's simulated time ${simTime}`,
    });
    // Not counted: step k is still waiting for it.
    expect(doneIndex(k)).toBe(-1);
    await late.answer({ step: k, outputs: { ok: true } });
    expect((await done(isStep(k))).outputs['part-late-wake']).toEqual({ ok: true });
    await participantsShow('part-late-wake', (state) => state.refused === undefined);
    await late.leave();
  });

  it('a paused clock announces nothing; a step control announces exactly the next step and waits for it', async () => {
    const p = await join('part-pause', {}, (step) => ({ step: step.step, outputs: { 'p/k': step.step } }));
    const operator = await hub.user('table-op', 'operator');
    const paused = seen.next<Clock>('gridflex/v1/clock', (clock) => !clock.running);
    await operator.publishAsync('gridflex/control/v1/clock', JSON.stringify({ action: 'pause' }), { qos: 1 });
    const at = await paused;
    const pausedIndex = seen.indexOf('gridflex/v1/clock', (body) => (body as Clock).running === false);
    await operator.publishAsync('gridflex/control/v1/clock', JSON.stringify({ action: 'step' }), { qos: 1 });
    const stepped = await seen.next<Clock>('gridflex/v1/clock', (clock) => clock.step === at.step + 1);
    expect(stepped.running).toBe(false);
    const announcementsSincePause = seen.messages
      .slice(pausedIndex)
      .filter((message) => message.topic === 'gridflex/v1/cosim/step')
      .map((message) => (message.body as CosimStep).step);
    expect(announcementsSincePause).toEqual([at.step + 1]);
    expect((await done(isStep(at.step + 1))).outputs['part-pause']).toEqual({ 'p/k': at.step + 1 });
    expect(p.steps.at(-1)?.step).toBe(at.step + 1);
    await operator.publishAsync('gridflex/control/v1/clock', JSON.stringify({ action: 'play' }), { qos: 1 });
    await p.leave();
  });
});
