/**
 * A fast clock's heavy per-step topics are paced by wall time (hub/live/step-pacer.ts, issue 16): the clock goes out
 * every step, the feeder, homes, decisions and metrics at most once per `clock.publishEveryMs`, and the step the
 * clock stopped at always goes out in full. A clock slower than that publishes every step. A real hub (embedded
 * broker on a loopback port, the HubRuntime with its extensions), a viewer over TCP.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { StepPacer } from '../../../hub/live/step-pacer.js';
import type { Clock, FeederSummary, HomeDecision, Metrics } from '../../../protocol/gridflex.js';
import { type CosimHub, Recorder, startCosimHub } from '../cosim/cosim-hub.js';

let hub: CosimHub | undefined;
afterEach(async () => {
  await hub?.stop();
  hub = undefined;
});

const START = '2026-01-15T11:00:00Z';
const HEAVY = ['gridflex/v1/feeder/summary', 'gridflex/v1/metrics', 'gridflex/v1/homes/+/decision'];

/** The last message the recorder holds on `topic`, as a retained subscriber would see it. */
function latest<T>(seen: Recorder, topic: string): T | undefined {
  return seen.messages.filter((message) => message.topic === topic).at(-1)?.body as T | undefined;
}

const count = (seen: Recorder, topic: string) =>
  seen.messages.filter((message) => message.topic === topic).length;

describe('step pacing', () => {
  it('a lockstep clock at 1 ms sends the heavy topics at most once per publishEveryMs, and the paused step in full', async () => {
    const everyMs = 500;
    hub = await startCosimHub({
      start: START,
      stepMinutes: 1,
      stepMs: 1,
      mode: 'lockstep',
      publishEveryMs: everyMs,
    });
    const operator = await hub.user('table-op', 'operator');
    const viewer = await hub.viewer('viewer-pacing');
    const seen = await Recorder.on(viewer, 'gridflex/v1/clock', ...HEAVY);
    const startMs = performance.now();
    const firstStep = (await seen.next<Clock>('gridflex/v1/clock')).step;
    await seen.next<Clock>('gridflex/v1/clock', (clock) => clock.step >= firstStep + 150);
    const paused = seen.next<Clock>('gridflex/v1/clock', (clock) => !clock.running);
    operator.publish('gridflex/control/v1/clock', JSON.stringify({ action: 'pause' }), { qos: 1 });
    const final = (await paused).step;
    // The step the clock stopped at goes out in full: what a subscriber holds at the end is that step's.
    const summary = await seen.find<FeederSummary>('gridflex/v1/feeder/summary', (s) => s.step === final);
    expect(summary.step).toBe(final);
    await seen.find<Metrics>('gridflex/v1/metrics', (metrics) => metrics.step === final);
    await seen.find<HomeDecision>('gridflex/v1/homes/home-1/decision', (d) => d.step === final);
    const elapsedMs = performance.now() - startMs;
    expect(latest<FeederSummary>(seen, 'gridflex/v1/feeder/summary')?.step).toBe(final);
    expect(latest<Metrics>(seen, 'gridflex/v1/metrics')?.step).toBe(final);
    // Every step's clock, but the feeder at most once per everyMs of wall time (plus the first and the paused one).
    const clocks = count(seen, 'gridflex/v1/clock');
    const summaries = count(seen, 'gridflex/v1/feeder/summary');
    expect(clocks).toBeGreaterThan(150);
    expect(summaries).toBeLessThanOrEqual(Math.ceil(elapsedMs / everyMs) + 2);
    expect(count(seen, 'gridflex/v1/metrics')).toBe(summaries);
  });

  it('a clock slower than publishEveryMs sends every step in full', async () => {
    hub = await startCosimHub({ start: START, stepMinutes: 1, stepMs: 100, publishEveryMs: 100 });
    const viewer = await hub.viewer('viewer-every-step');
    const seen = await Recorder.on(viewer, 'gridflex/v1/clock', 'gridflex/v1/feeder/summary');
    const first = (await seen.next<FeederSummary>('gridflex/v1/feeder/summary')).step;
    await seen.next<FeederSummary>('gridflex/v1/feeder/summary', (s) => s.step >= first + 10);
    const steps = (topic: string) =>
      seen.messages
        .filter((message) => message.topic === topic)
        .map((message) => (message.body as { step: number }).step)
        .filter((step) => step >= first && step <= first + 10);
    expect(steps('gridflex/v1/feeder/summary')).toEqual(steps('gridflex/v1/clock'));
    expect(steps('gridflex/v1/feeder/summary')).toHaveLength(11);
  });
});

describe('StepPacer', () => {
  it('is due once per everyMs of wall time while the clock runs faster, and always otherwise', () => {
    let nowMs = 0;
    const pacer = new StepPacer(100, () => nowMs);
    expect(pacer.due(1, true)).toBe(true);
    pacer.sentFull();
    nowMs = 60;
    expect(pacer.due(1, true)).toBe(false);
    expect(pacer.untilDueMs()).toBe(40);
    expect(pacer.due(1, false)).toBe(true);
    expect(pacer.due(100, true)).toBe(true);
    nowMs = 100;
    expect(pacer.due(1, true)).toBe(true);
    expect(new StepPacer(0, () => nowMs).due(1, true)).toBe(true);
  });
});
