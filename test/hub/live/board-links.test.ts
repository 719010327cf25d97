/**
 * The board-links extension's figures on a fake clock: round-trip times from the pings it sent, a ping
 * unanswered within the timeout (or answered after it) counted lost, the table map's links: latency in the round
 * trip, answers with an unknown sequence number or no JSON counted and ignored.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BoardLinksExtension, PING_SETTINGS } from '../../../hub/live/extensions/board-links.js';
import type { HubContext } from '../../../hub/live/extensions/extension.js';
import type { MessageHandler } from '../../../hub/live/link.js';
import { type BoardLinks, BoardLinksSchema } from '../../../protocol/gridflex.js';

const SLOW = 'slow-1';
const SILENT = 'silent-1';
const LATENCY_MS = 100;

let extension: BoardLinksExtension;
let answer: MessageHandler;
let brokerDown: () => void;
let brokerBack: () => void;
const pings: { deviceId: string; seq: number }[] = [];
const figures: BoardLinks[] = [];

beforeEach(async () => {
  vi.useFakeTimers({
    toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date', 'performance'],
  });
  pings.length = 0;
  figures.length = 0;
  const hub = {
    map: { links: { devices: { [SLOW]: { latencyMs: LATENCY_MS } } } },
    devices: {
      deviceStates: () => [
        { deviceId: SLOW, state: 'ready', assets: [] },
        { deviceId: SILENT, state: 'ready', assets: [] },
        { deviceId: 'asleep-1', state: 'sleeping', assets: [] },
      ],
    },
    link: {
      subscribe: async (_filter: string, handler: MessageHandler) => {
        answer = handler;
      },
      onOffline: (handler: () => void) => {
        brokerDown = handler;
      },
      onReconnect: (handler: () => void) => {
        brokerBack = handler;
      },
    },
    publishJson: async (topic: string, body: unknown) => {
      const ping = /^gridflex\/v1\/links\/ping\/(.+)$/.exec(topic);
      if (ping) pings.push({ deviceId: ping[1] as string, seq: (body as { seq: number }).seq });
      else figures.push(BoardLinksSchema.parse(body));
    },
    log: () => {},
  } as unknown as HubContext;
  extension = new BoardLinksExtension(hub);
  await extension.start();
});

afterEach(() => {
  extension.stop();
  vi.useRealTimers();
});

const pong = (deviceId: string, payload: string) =>
  answer(`gridflex/v1/links/pong/${deviceId}`, Buffer.from(payload));
const seqOf = (deviceId: string) => pings.filter((ping) => ping.deviceId === deviceId).at(-1)?.seq as number;
const boardIn = (links: BoardLinks | undefined, deviceId: string) =>
  links?.boards.find((board) => board.deviceId === deviceId);

describe('board links', () => {
  it('pings only ready boards and measures the round trip through the links: latency', async () => {
    await vi.advanceTimersByTimeAsync(PING_SETTINGS.everyMs);
    expect(pings.map((ping) => ping.deviceId).sort()).toEqual([SILENT, SLOW]);
    await vi.advanceTimersByTimeAsync(30);
    pong(SLOW, JSON.stringify({ seq: seqOf(SLOW) }));
    await vi.advanceTimersByTimeAsync(PING_SETTINGS.everyMs - 30);
    const links = figures.at(-1);
    expect(boardIn(links, SLOW)).toMatchObject({
      lastRttMs: 30 + LATENCY_MS,
      lossPct: 0,
      answered: 1,
      lost: 0,
    });
    expect(boardIn(links, SILENT)).toMatchObject({ lastRttMs: null, lossPct: 100, answered: 0, lost: 1 });
    expect(boardIn(links, 'asleep-1')).toBeUndefined();
  });

  it('counts an answer after the timeout as lost, and unknown or malformed answers apart', async () => {
    await vi.advanceTimersByTimeAsync(PING_SETTINGS.everyMs);
    pong(SLOW, JSON.stringify({ seq: seqOf(SLOW) }));
    await vi.advanceTimersByTimeAsync(PING_SETTINGS.everyMs);
    // Its answer reaches the hub LATENCY_MS after it is sent: sent this late, it arrives at the timeout.
    await vi.advanceTimersByTimeAsync(PING_SETTINGS.timeoutMs - LATENCY_MS);
    pong(SLOW, JSON.stringify({ seq: seqOf(SLOW) }));
    pong(SILENT, JSON.stringify({ seq: seqOf(SLOW) }));
    pong(SILENT, JSON.stringify({ seq: 123_456 }));
    pong(SILENT, 'not json');
    pong(SILENT, JSON.stringify({ seq: -1 }));
    await vi.advanceTimersByTimeAsync(PING_SETTINGS.everyMs);
    const links = figures.at(-1);
    expect(boardIn(links, SLOW)).toMatchObject({
      lastRttMs: LATENCY_MS,
      medianRttMs: LATENCY_MS,
      lossPct: 50,
      answered: 1,
      lost: 1,
    });
    expect(boardIn(links, SILENT)).toMatchObject({ lossPct: 100, lost: 2 });
    expect(links).toMatchObject({ unknownAnswers: 2, invalidAnswers: 2 });
  });

  it('neither pings nor counts losses while the hub’s own broker is down', async () => {
    await vi.advanceTimersByTimeAsync(PING_SETTINGS.everyMs);
    brokerDown();
    const sent = pings.length;
    await vi.advanceTimersByTimeAsync(3 * PING_SETTINGS.everyMs);
    expect(pings.length).toBe(sent);
    brokerBack();
    await vi.advanceTimersByTimeAsync(PING_SETTINGS.everyMs);
    expect(pings.length).toBe(sent + 2);
    expect(boardIn(figures.at(-1), SILENT)).toMatchObject({ lossPct: null, lost: 0 });
  });
});
