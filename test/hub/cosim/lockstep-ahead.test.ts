/**
 * Answers ahead (`ahead` in a participant's answer): its outputs for the next n steps in one message. The hub
 * does not ask it in those steps and puts those outputs in each step's outcome, in order; a moved clock, an
 * event it named or registering again makes it due at once. The coordinator is pure; its messages are fed in
 * as the hub's link would, unchecked (as behind an external broker), so the coordinator's own checks run.
 */
import { describe, expect, it } from 'vitest';
import { LockstepCoordinator } from '../../../hub/cosim/lockstep.js';
import type { CosimAnswer, CosimDone, CosimParticipants, CosimStep } from '../../../protocol/cosim.js';

const simTime = (step: number) => new Date(Date.UTC(2026, 0, 15) + step * 360_000).toISOString();

interface Recorded {
  lockstep: LockstepCoordinator;
  announced: CosimStep[];
  done: CosimDone[];
  participants: () => CosimParticipants['participants'];
}

function coordinator(): Recorded {
  const announced: CosimStep[] = [];
  const done: CosimDone[] = [];
  let participants: CosimParticipants['participants'] = [];
  const lockstep = new LockstepCoordinator({
    policy: 'wait',
    timeoutMs: 60_000,
    publish: async (topic, body) => {
      if (topic === 'gridflex/v1/cosim/step') announced.push(body as CosimStep);
      if (topic === 'gridflex/v1/cosim/done') done.push(body as CosimDone);
      if (topic === 'gridflex/v1/cosim/participants') participants = (body as CosimParticipants).participants;
    },
    log: () => {},
  });
  return { lockstep, announced, done, participants: () => participants };
}

const answer = (lockstep: LockstepCoordinator, id: string, body: CosimAnswer) =>
  lockstep.onMessage(`gridflex/cosim/v1/${id}/answer`, Buffer.from(JSON.stringify(body)), id);

/** Runs step `step` (6 simulated minutes), answering for each participant listed as it is announced. */
async function step(
  { lockstep }: Recorded,
  stepNumber: number,
  answers: Record<string, Omit<CosimAnswer, 'step'>> = {},
  at = simTime(stepNumber),
): Promise<CosimDone> {
  const outcome = lockstep.runStep(stepNumber, at, 6);
  for (const [id, body] of Object.entries(answers)) answer(lockstep, id, { step: stepNumber, ...body });
  return outcome;
}

const dueIn = ({ announced }: Recorded, stepNumber: number) =>
  announced.find((body) => body.step === stepNumber)?.due;

describe('lockstep answers ahead', () => {
  it('a participant answering 3 steps ahead is not asked in them; their outcomes carry its outputs in order', async () => {
    const hub = coordinator();
    hub.lockstep.register('ahead');
    hub.lockstep.register('every-step');
    await step(hub, 1, {
      ahead: { outputs: { p: 1 }, ahead: [{ p: 2 }, { p: 3 }, { p: 4 }] },
      'every-step': {},
    });
    expect(hub.participants().find((state) => state.id === 'ahead')).toMatchObject({
      state: 'ready',
      aheadToStep: 4,
    });
    for (const k of [2, 3, 4]) {
      const outcome = await step(hub, k, { 'every-step': { outputs: { q: k } } });
      expect(dueIn(hub, k)).toEqual(['every-step']);
      expect(outcome.answered).toEqual(['ahead', 'every-step']);
      expect(outcome.outputs).toEqual({ ahead: { p: k }, 'every-step': { q: k } });
    }
    await step(hub, 5, { ahead: {}, 'every-step': {} });
    expect(dueIn(hub, 5)).toEqual(['ahead', 'every-step']);
  });

  it('a step every participant answered ahead is not announced; its outcome is still published', async () => {
    const hub = coordinator();
    hub.lockstep.register('a');
    hub.lockstep.register('b');
    await step(hub, 1, { a: { ahead: [{ x: 2 }, { x: 3 }] }, b: { ahead: [{ y: 2 }] } });
    await step(hub, 2);
    await step(hub, 3, { b: {} });
    expect(hub.announced.map((body) => [body.step, body.due])).toEqual([
      [1, ['a', 'b']],
      [3, ['b']],
    ]);
    expect(hub.done.map((body) => [body.step, body.outputs])).toEqual([
      [1, { a: {}, b: {} }],
      [2, { a: { x: 2 }, b: { y: 2 } }],
      [3, { a: { x: 3 }, b: {} }],
    ]);
  });

  it('cosim/participants is current once its outputs ahead run out or it wakes', async () => {
    const hub = coordinator();
    hub.lockstep.register('ahead');
    hub.lockstep.register('sleeper');
    await step(hub, 1, { ahead: { ahead: [{}] }, sleeper: { nextStep: 3 } });
    const shown = (id: string) => hub.participants().find((state) => state.id === id);
    expect(shown('ahead')).toMatchObject({ aheadToStep: 2 });
    expect(shown('sleeper')).toMatchObject({ state: 'sleeping', wakeAtStep: 3 });
    await step(hub, 2);
    expect(shown('ahead')).not.toHaveProperty('aheadToStep');
    await step(hub, 3, { ahead: {}, sleeper: {} });
    expect(shown('sleeper')).toMatchObject({ state: 'ready', lastAnsweredStep: 3 });
    expect(shown('sleeper')).not.toHaveProperty('wakeAtStep');
  });

  it('a step at another simulated time than answered for (the clock moved) asks the participant again', async () => {
    const hub = coordinator();
    hub.lockstep.register('ahead');
    await step(hub, 1, { ahead: { ahead: [{ p: 2 }, { p: 3 }] } });
    const outcome = await step(hub, 2, { ahead: { outputs: { p: 20 } } }, simTime(50));
    expect(dueIn(hub, 2)).toEqual(['ahead']);
    expect(outcome.outputs).toEqual({ ahead: { p: 20 } });
    // Its remaining outputs ahead are gone too, even for the time they were answered for.
    await step(hub, 3, { ahead: {} });
    expect(dueIn(hub, 3)).toEqual(['ahead']);
  });

  it('an event it named drops its outputs ahead; registering again does too', async () => {
    const hub = coordinator();
    hub.lockstep.register('watcher');
    await step(hub, 1, { watcher: { ahead: [{ p: 2 }, { p: 3 }, { p: 4 }], wakeOn: [{ on: 'prices' }] } });
    hub.lockstep.wake({ on: 'limit-breach' });
    expect((await step(hub, 2)).outputs).toEqual({ watcher: { p: 2 } });
    hub.lockstep.wake({ on: 'prices' });
    await step(hub, 3, { watcher: { ahead: [{ p: 4 }, { p: 5 }] } });
    expect(dueIn(hub, 3)).toEqual(['watcher']);
    hub.lockstep.register('watcher');
    await step(hub, 4, { watcher: {} });
    expect(dueIn(hub, 4)).toEqual(['watcher']);
  });

  it('a wake-up inside the steps answered ahead is refused and the step waits for a good answer', async () => {
    const hub = coordinator();
    hub.lockstep.register('ahead');
    const first = hub.lockstep.runStep(1, simTime(1), 6);
    answer(hub.lockstep, 'ahead', { step: 1, ahead: [{}, {}], nextStep: 3 });
    expect(hub.participants()[0]?.refused).toEqual({
      step: 1,
      reason: 'nextStep: must be after step 3 (the last one answered ahead)',
    });
    answer(hub.lockstep, 'ahead', { step: 1, ahead: [{}, {}], wakeAt: simTime(3) });
    expect(hub.participants()[0]?.refused).toEqual({
      step: 1,
      reason: `wakeAt: must be after the last step answered ahead simulated time ${simTime(3)}`,
    });
    answer(hub.lockstep, 'ahead', { step: 1, ahead: [{}, {}], nextStep: 6 });
    expect((await first).answered).toEqual(['ahead']);
    for (const k of [2, 3, 4, 5]) await step(hub, k);
    await step(hub, 6, { ahead: {} });
    expect(hub.announced.map((body) => body.step)).toEqual([1, 6]);
  });
});
