/**
 * Device agents follow the hub's clock: a demo PV board's scripted sun runs on the hub's simulated time, so a
 * paused hub pauses it (issue 16: a board kept its own clock and reported 49.9 % light at simulated 11:12,
 * where its script gives about 59 %). Real broker, real hub, the real device agent, loopback only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceAgent } from '../../devices/agent.js';
import { validateDeviceConfig } from '../../devices/config.js';
import { demoBoards, demoSunLight, followingTheHub } from '../../hub/live/demo.js';
import { boardConfig } from '../../hub/table/board-config.js';
import type { CosimDone } from '../../protocol/cosim.js';
import type { Clock } from '../../protocol/index.js';
import { type CosimHub, Recorder, startCosimHub, WAITING_LOCKSTEP_CLOCK } from '../hub/cosim/cosim-hub.js';

const agents: DeviceAgent[] = [];
const hubs: CosimHub[] = [];

afterAll(async () => {
  for (const agent of agents) await agent.stop();
  for (const hub of hubs) await hub.stop();
});

/** Starts the demo's pv-1 board (scripted sun, `clock: hub`) as a device agent against `hub`. */
async function startPvBoard(hub: CosimHub): Promise<void> {
  const board = demoBoards(hub.map).find((candidate) => candidate.deviceId === 'pv-1');
  if (!board) throw new Error('the default table has no pv-1');
  const password = await hub.store.add('pv-1', { role: 'device', deviceId: 'pv-1' });
  const raw = followingTheHub(
    {
      ...boardConfig({
        deviceId: 'pv-1',
        kind: 'pv',
        plot: board.plot,
        brokerUrl: hub.url,
        username: 'pv-1',
        password,
        driver: 'sim',
        simEvents: board.simEvents ?? [],
      }),
      telemetryIntervalMs: 50,
    },
    board,
  );
  const agent = new DeviceAgent({ config: validateDeviceConfig(raw, 'pv-1.yaml'), log: () => {} });
  agents.push(agent);
  await agent.start();
}

const expectedPct = (simTime: string) =>
  Math.round(demoSunLight(new Date(simTime).getUTCHours()) * 100 * 1e4) / 1e4;

describe('device agents on the hub’s clock', () => {
  let hub: CosimHub;
  beforeAll(async () => {
    // One simulated minute every 20 ms from 11:00: the sun is up for the whole test.
    hub = await startCosimHub({ start: '2026-01-15T11:00:00Z', stepMinutes: 1, stepMs: 20 });
    hubs.push(hub);
  });

  it('a paused hub pauses the PV board: its light stays at the script’s value for the simulated time', async () => {
    const operator = await hub.user('table-op', 'operator');
    const viewer = await hub.viewer('viewer-pv');
    const seen = await Recorder.on(viewer, 'gridflex/v1/clock', 'homie/5/pv-1/pv/light-pct');
    await startPvBoard(hub);
    // The board follows the hub: once its readings are the script's value for the hub's time, pause.
    await seen.next<number>('homie/5/pv-1/pv/light-pct', (pct) => pct > 0);
    const paused = seen.next<Clock>('gridflex/v1/clock', (clock) => !clock.running);
    operator.publish('gridflex/control/v1/clock', JSON.stringify({ action: 'pause' }), { qos: 1 });
    const clock = await paused;
    const expected = expectedPct(clock.simTime);
    expect(expected).toBeGreaterThan(40);
    // Readings may still be in flight from before the pause; from the first at the paused time on, every
    // reading stays at the script's value for that simulated time (the board's own clock would have moved on).
    await seen.next<number>('homie/5/pv-1/pv/light-pct', (pct) => pct === expected);
    const after: number[] = [];
    for (let index = 0; index < 5; index++) {
      after.push(await seen.next<number>('homie/5/pv-1/pv/light-pct'));
    }
    expect(after).toEqual([expected, expected, expected, expected, expected]);
    // The hub is still paused at the same step.
    const last = seen.messages.filter((message) => message.topic === 'gridflex/v1/clock').at(-1)
      ?.body as Clock;
    expect(last.running).toBe(false);
    expect(last.simTime).toBe(clock.simTime);
  });
});

describe('device agents in the lockstep clock', () => {
  let hub: CosimHub;
  beforeAll(async () => {
    hub = await startCosimHub(WAITING_LOCKSTEP_CLOCK);
    hubs.push(hub);
  });

  it('the PV board registers and answers every step with its script’s light for that step', async () => {
    const viewer = await hub.viewer('viewer-lockstep');
    const seen = await Recorder.on(viewer, 'gridflex/v1/cosim/done');
    await startPvBoard(hub);
    const first = await seen.next<CosimDone>('gridflex/v1/cosim/done', (done) =>
      done.answered.includes('pv-1'),
    );
    const answers: CosimDone[] = [first];
    // At least 12 more steps, and on past 13:00, where the script's light changes (wherever the board joined).
    while (answers.length < 13 || (answers.at(-1)?.simTime ?? '') <= '2026-01-15T13:00:00.000Z')
      answers.push(await seen.next<CosimDone>('gridflex/v1/cosim/done'));
    for (const done of answers) {
      expect(done.answered).toEqual(['pv-1']);
      expect(done.outputs['pv-1']?.['pv/light-pct']).toBe(expectedPct(done.simTime));
    }
    // Consecutive steps, none skipped, crossing a scripted hour (the light changes with simulated time).
    const steps = answers.map((done) => done.step);
    expect(steps).toEqual(steps.map((_, index) => (first.step as number) + index));
    expect(new Set(answers.map((done) => done.outputs['pv-1']?.['pv/light-pct'])).size).toBeGreaterThan(1);
  });
});
