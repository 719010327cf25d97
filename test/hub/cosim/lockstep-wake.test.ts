/**
 * The lockstep coordinator's hub events (prices, limit breaches): a sleeping participant is woken only by
 * the events it named; and its QoS 0 announcements, sent again to a participant that comes back. The
 * coordinator is pure; its messages are fed in as the hub's link would.
 */
import { describe, expect, it } from 'vitest';
import { LockstepCoordinator } from '../../../hub/cosim/lockstep.js';
import type { CosimAnswer, CosimStep } from '../../../protocol/cosim.js';

const simTime = (step: number) => new Date(Date.UTC(2026, 0, 15) + step * 360_000).toISOString();

function coordinator(): { lockstep: LockstepCoordinator; announced: CosimStep[]; qos: Map<string, number> } {
  const announced: CosimStep[] = [];
  const qos = new Map<string, number>();
  const lockstep = new LockstepCoordinator({
    policy: 'wait',
    timeoutMs: 60_000,
    publish: async (topic, body, _retain, messageQos) => {
      qos.set(topic, messageQos);
      if (topic === 'gridflex/v1/cosim/step') announced.push(body as CosimStep);
    },
    log: () => {},
  });
  return { lockstep, announced, qos };
}

const answer = (lockstep: LockstepCoordinator, id: string, body: CosimAnswer) =>
  lockstep.onMessage(`gridflex/cosim/v1/${id}/answer`, Buffer.from(JSON.stringify(body)), id);

describe('lockstep wake-up events', () => {
  it('a participant sleeping until a price change or a limit breach is due only after one of them', async () => {
    const { lockstep, announced } = coordinator();
    lockstep.register('prices-watcher');
    lockstep.register('limit-watcher');
    const first = lockstep.runStep(1, simTime(1), 6);
    answer(lockstep, 'prices-watcher', { step: 1, wakeOn: [{ on: 'prices' }] });
    answer(lockstep, 'limit-watcher', { step: 1, wakeOn: [{ on: 'limit-breach' }] });
    expect((await first).answered).toEqual(['prices-watcher', 'limit-watcher']);
    expect(lockstep.watchesEvents()).toBe(true);

    // No one is due: the step is not announced, only its outcome.
    expect((await lockstep.runStep(2, simTime(2), 6)).answered).toEqual([]);
    expect(announced.map((body) => body.step)).toEqual([1]);

    lockstep.wake({ on: 'prices' });
    const third = lockstep.runStep(3, simTime(3), 6);
    expect(announced.at(-1)?.due).toEqual(['prices-watcher']);
    answer(lockstep, 'prices-watcher', { step: 3 });
    await third;

    lockstep.wake({ on: 'limit-breach' });
    const fourth = lockstep.runStep(4, simTime(4), 6);
    expect(announced.at(-1)?.due).toEqual(['prices-watcher', 'limit-watcher']);
    answer(lockstep, 'prices-watcher', { step: 4 });
    answer(lockstep, 'limit-watcher', { step: 4 });
    await fourth;
    expect(lockstep.watchesEvents()).toBe(false);
  });

  it('an event wakes a participant before its wake time; an event it did not name does not', async () => {
    const { lockstep, announced } = coordinator();
    lockstep.register('sleeper');
    const first = lockstep.runStep(1, simTime(1), 6);
    answer(lockstep, 'sleeper', { step: 1, wakeAt: simTime(100), wakeOn: [{ on: 'prices' }] });
    await first;
    lockstep.wake({ on: 'limit-breach' });
    lockstep.wake({ on: 'property', device: 'pv-1', property: 'pv/light-pct' });
    await lockstep.runStep(2, simTime(2), 6);
    expect(announced.map((body) => body.step)).toEqual([1]);
    expect(lockstep.snapshot().participants[0]).toMatchObject({ state: 'sleeping', wakeAt: simTime(100) });
    lockstep.wake({ on: 'prices' });
    void lockstep.runStep(3, simTime(3), 6);
    expect(announced.at(-1)?.due).toEqual(['sleeper']);
    lockstep.stop();
  });
});

describe('lockstep announcements at QoS 0', () => {
  it('a participant that registers again while the step waits for it is sent the step again', async () => {
    const { lockstep, announced, qos } = coordinator();
    lockstep.register('board');
    lockstep.register('other');
    const step = lockstep.runStep(1, simTime(1), 6);
    answer(lockstep, 'other', { step: 1 });
    expect(announced.map((body) => body.step)).toEqual([1]);
    // Its connection dropped and the announcement with it: back, it registers again.
    lockstep.register('board');
    expect(announced.map((body) => body.step)).toEqual([1, 1]);
    // One that already answered gets nothing again; after the hub's own link came back, everyone does.
    lockstep.register('other');
    expect(announced).toHaveLength(2);
    lockstep.reannounce();
    expect(announced).toHaveLength(3);
    answer(lockstep, 'board', { step: 1 });
    expect((await step).answered).toEqual(['other', 'board']);
    expect(qos.get('gridflex/v1/cosim/step')).toBe(0);
    expect(qos.get('gridflex/v1/cosim/done')).toBe(0);
    expect(qos.get('gridflex/v1/cosim/participants')).toBe(1);
  });
});
