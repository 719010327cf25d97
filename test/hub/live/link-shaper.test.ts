import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DashboardLinkShaper, type LiveLinksSection, ReadingShaper } from '../../../hub/live/link-shaper.js';

const READING = 'homie/5/sun-6/roof/power-kw';

/** A shaper over a handler that records what reaches it, and when (fake clock, ms). */
function shaped(section: LiveLinksSection | undefined) {
  const arrived: { topic: string; payload: string; atMs: number }[] = [];
  const shaper = new ReadingShaper(section);
  const handler = shaper.wrap((topic, payload) =>
    arrived.push({ topic, payload: payload.toString(), atMs: Date.now() }),
  );
  const send = (topic: string, payload: string) => handler(topic, Buffer.from(payload));
  return { arrived, send, shaper };
}

describe('the live device–hub link shaper', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('delays a board’s readings by latencyMs; its $state and $description pass at once', () => {
    const { arrived, send } = shaped({ deviceHub: { latencyMs: 200 } });
    send('homie/5/sun-6/$state', 'ready');
    send(READING, '-2.5');
    expect(arrived.map(({ topic }) => topic)).toEqual(['homie/5/sun-6/$state']);
    vi.advanceTimersByTime(199);
    expect(arrived).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(arrived[1]).toEqual({ topic: READING, payload: '-2.5', atMs: 200 });
  });

  it("delays a meter board's timed readings ($readings) as its values, on a stream of their own", () => {
    const { arrived, send } = shaped({ deviceHub: { latencyMs: 150 }, devices: { 'meter-1': { loss: 1 } } });
    send('homie/5/meter-2/$readings', '{"seq":1}');
    send('homie/5/meter-1/$readings', '{"seq":1}');
    expect(arrived).toEqual([]);
    vi.advanceTimersByTime(150);
    expect(arrived).toEqual([{ topic: 'homie/5/meter-2/$readings', payload: '{"seq":1}', atMs: 150 }]);
  });

  it('jitter delays each reading by latency plus 0..jitterMs, in the order they were sent, the same draws every time', () => {
    const run = () => {
      const { arrived, send } = shaped({ deviceHub: { latencyMs: 100, jitterMs: 300 } });
      for (let index = 0; index < 20; index++) {
        send(READING, String(index));
        vi.advanceTimersByTime(10);
      }
      vi.advanceTimersByTime(1000);
      return arrived;
    };
    const first = run();
    vi.setSystemTime(0);
    expect(run()).toEqual(first);
    expect(first.map(({ payload }) => Number(payload))).toEqual(
      Array.from({ length: 20 }, (_, index) => index),
    );
    first.forEach(({ atMs }, index) => {
      expect(atMs - 10 * index).toBeGreaterThanOrEqual(100);
      expect(atMs - 10 * index).toBeLessThanOrEqual(400);
    });
    expect(new Set(first.map(({ atMs }, index) => atMs - 10 * index)).size).toBeGreaterThan(1);
  });

  it('loses readings with probability loss; a board of its own in devices: overrides the class', () => {
    const { arrived, send } = shaped({ deviceHub: { loss: 0.3 }, devices: { 'sun-7': { loss: 1 } } });
    for (let index = 0; index < 200; index++) {
      send(READING, String(index));
      send('homie/5/sun-7/roof/power-kw', String(index));
    }
    const fromSun6 = arrived.filter(({ topic }) => topic === READING).length;
    expect(fromSun6).toBeGreaterThan(110);
    expect(fromSun6).toBeLessThan(170);
    expect(arrived.some(({ topic }) => topic.includes('sun-7'))).toBe(false);
  });

  it('without a section hands the handler itself; stop drops the readings on their way', () => {
    const handler = () => {};
    expect(new ReadingShaper(undefined).wrap(handler)).toBe(handler);
    const { arrived, send, shaper } = shaped({ deviceHub: { latencyMs: 50 } });
    send(READING, '1');
    shaper.stop();
    vi.advanceTimersByTime(100);
    expect(arrived).toEqual([]);
  });
});

describe('the hub–dashboard link shaper', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  /** A shaped connection: what reaches the wire, and when (fake clock, ms). */
  function connection(shaper: DashboardLinkShaper) {
    const stream = new PassThrough();
    const arrived: { chunk: string; atMs: number }[] = [];
    stream.on('data', (chunk: Buffer) => arrived.push({ chunk: chunk.toString(), atMs: Date.now() }));
    const forwards = shaper.connect(stream);
    return { stream, arrived, forwards };
  }

  it('holds every write for the latency plus jitter, in order, and an end waits for them', () => {
    const { stream, arrived } = connection(new DashboardLinkShaper({ latencyMs: 100, jitterMs: 50 }));
    for (let index = 0; index < 20; index++) stream.write(`m${index}`);
    stream.end();
    vi.advanceTimersByTime(99);
    expect(arrived).toEqual([]);
    vi.advanceTimersByTime(51);
    expect(arrived.map(({ chunk }) => chunk).join(' ')).toBe(
      Array.from({ length: 20 }, (_, index) => `m${index}`).join(' '),
    );
    expect(stream.writableEnded).toBe(true);
  });

  it('paces the writes at bytesPerSecond', () => {
    const { stream, arrived } = connection(new DashboardLinkShaper({ bytesPerSecond: 1000 }));
    stream.write('x'.repeat(500));
    stream.write('y'.repeat(500));
    vi.advanceTimersByTime(500);
    expect(arrived.map(({ atMs }) => atMs)).toEqual([500]);
    vi.advanceTimersByTime(500);
    expect(arrived.map(({ atMs }) => atMs)).toEqual([500, 1000]);
  });

  it('drops live publishes with the loss probability, the same ones for the same connection, never a retained one', () => {
    const pattern = () => {
      const { forwards } = connection(new DashboardLinkShaper({ loss: 0.3 }));
      return Array.from({ length: 200 }, () => forwards({ retain: false }));
    };
    const first = pattern();
    expect(pattern()).toEqual(first);
    const lost = first.filter((kept) => !kept).length;
    expect(lost).toBeGreaterThan(30);
    expect(lost).toBeLessThan(90);
    const { forwards } = connection(new DashboardLinkShaper({ loss: 1 }));
    expect(forwards({ retain: true })).toBe(true);
    expect(forwards({ retain: false })).toBe(false);
  });
});
