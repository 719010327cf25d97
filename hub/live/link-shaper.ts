/**
 * The live table's link shapers, set in the table map's `links:` section (docs/links.md).
 *
 * Device–hub: between the broker and the table's device tracker, a board's
 * readings (its Homie property values; `$state` and `$description` pass untouched), between the broker and
 * the meter extension a meter board's timed readings (`$readings`), and between the broker and the
 * board-links extension its answers to the hub's pings, arrive `latencyMs` plus up to `jitterMs` late,
 * or with probability `loss` not at all, as the batch runs' links do (docs/links.md).
 * Set in the table map's `links:` section, per board in `devices:`. Each board draws from its own seeded
 * stream, and its readings keep their order (one MQTT connection does not reorder them).
 */
import type { Duplex } from 'node:stream';
import { z } from 'zod';
import { gridflexTopics } from '../../protocol/gridflex.js';
import { HOMIE_ROOT, parseHomieTopic } from '../../protocol/homie.js';
import { createRng, type Rng, seedFromString } from '../random.js';
import type { MessageHandler } from './link.js';

const PONG_PREFIX = gridflexTopics.linksPong('');

const LiveLinkSchema = z.strictObject({
  latencyMs: z.number().int().min(0).max(60_000).optional(),
  jitterMs: z.number().int().min(0).max(60_000).optional(),
  loss: z.number().min(0).max(1).optional(),
});
type LiveLink = z.infer<typeof LiveLinkSchema>;

const DashboardLinkSchema = LiveLinkSchema.extend({
  /** What the link carries: bytes a second (absent: no limit). */
  bytesPerSecond: z.number().int().min(100).max(1e9).optional(),
});
export type DashboardLink = z.infer<typeof DashboardLinkSchema>;

/**
 * The table map's `links:` section: the device–hub link of every board, per board what differs, and the
 * hub–dashboard link of every dashboard connection.
 */
export const LiveLinksSchema = z.strictObject({
  deviceHub: LiveLinkSchema.optional(),
  devices: z.record(z.string().min(1), LiveLinkSchema).optional(),
  hubDashboard: DashboardLinkSchema.optional(),
});
export type LiveLinksSection = z.infer<typeof LiveLinksSchema>;

/** One board's link: its constraints, its random stream, and when its last reading is due. */
interface BoardLink {
  link: LiveLink;
  rng: Rng;
  lastDueMs: number;
}

/** Delays and drops the boards' readings on their way to a handler. */
export class ReadingShaper {
  private readonly boards = new Map<string, BoardLink>();
  private readonly timers = new Set<NodeJS.Timeout>();

  /** `stream` names the seeded streams, so another message kind on the same links draws on its own. */
  constructor(
    private readonly section: LiveLinksSection | undefined,
    private readonly stream = 'links.deviceHub',
  ) {}

  /** The handler behind the shaper (the handler itself without a section). */
  wrap(handler: MessageHandler): MessageHandler {
    if (!this.section?.deviceHub && !this.section?.devices) return handler;
    return (topic, payload) => this.shape(topic, payload, handler);
  }

  /** Drops the readings still on their way. */
  stop(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  private shape(topic: string, payload: Buffer, handler: MessageHandler): void {
    const device = readingDevice(topic);
    if (device === undefined) {
      handler(topic, payload);
      return;
    }
    const board = this.boardLink(device);
    const { latencyMs = 0, jitterMs = 0, loss = 0 } = board.link;
    if (loss > 0 && board.rng.next() < loss) return;
    const delayMs = latencyMs + (jitterMs > 0 ? board.rng.int(jitterMs + 1) : 0);
    const nowMs = Date.now();
    // In order: a reading is never due before the one sent ahead of it.
    board.lastDueMs = Math.max(board.lastDueMs, nowMs + delayMs);
    if (board.lastDueMs <= nowMs) {
      handler(topic, payload);
      return;
    }
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      handler(topic, payload);
    }, board.lastDueMs - nowMs);
    this.timers.add(timer);
  }

  private boardLink(device: string): BoardLink {
    let board = this.boards.get(device);
    if (!board) {
      board = {
        link: { ...this.section?.deviceHub, ...this.section?.devices?.[device] },
        rng: createRng(seedFromString(`${this.stream}.${device}`)),
        lastDueMs: 0,
      };
      this.boards.set(device, board);
    }
    return board;
  }
}

/**
 * The board of a reading's topic (`homie/5/<device>/<node>/<property>`), of a meter's timed reading
 * (`homie/5/<device>/$readings`) or of its answer to the hub's ping (`gridflex/v1/links/pong/<device>`);
 * undefined for other `$` topics.
 */
function readingDevice(topic: string): string | undefined {
  const parts = topic.split('/');
  if (topic.startsWith(PONG_PREFIX) && parts.length === 5) return parts[4];
  if (parseHomieTopic(topic)?.kind === 'readings') return parts[2];
  if (`${parts[0]}/${parts[1]}` !== HOMIE_ROOT || parts.length !== 5) return undefined;
  if (parts.some((part) => part.startsWith('$'))) return undefined;
  return parts[2];
}

/** Whether a publish the broker forwards to a connection gets through its link. */
export type ForwardCheck = (packet: { retain: boolean }) => boolean;

/**
 * The hub–dashboard link: what the embedded broker sends each dashboard, its MQTT-over-WebSocket connection.
 * Every byte written to the connection arrives `latencyMs` plus up to `jitterMs` late, in order, and no faster
 * than `bytesPerSecond`; each live publish forwarded to it is lost with probability `loss`. The retained values
 * a dashboard is handed when it subscribes always arrive (late): without them it would have no street to show.
 * Each connection draws from its own streams (`links.hubDashboard.<n>.delay` and `.loss`, n counting the
 * connections from 1).
 */
export class DashboardLinkShaper {
  private connections = 0;

  constructor(private readonly link: DashboardLink) {}

  /** Shapes a new connection's stream (before anything is written to it); the check for its publishes. */
  connect(stream: Duplex): ForwardCheck {
    this.connections++;
    const name = `links.hubDashboard.${this.connections}`;
    delayWrites(stream, this.link, createRng(seedFromString(`${name}.delay`)));
    const { loss = 0 } = this.link;
    if (loss === 0) return () => true;
    const rng = createRng(seedFromString(`${name}.loss`));
    return (packet) => packet.retain || rng.next() >= loss;
  }
}

/** A write held back by the link. */
interface HeldWrite {
  dueMs: number;
  chunk: Buffer;
  callback: ((error?: Error | null) => void) | undefined;
}

/**
 * Holds each write to `stream` until the link delivers it: in order, after its transmission at
 * `bytesPerSecond` and the latency with its jitter. An `end` waits for what is held. Over the bandwidth, once
 * the bytes not yet transmitted reach the stream's high-water mark, `write` answers false and 'drain' follows
 * (the broker's slow-client handling then applies).
 */
function delayWrites(stream: Duplex, link: DashboardLink, rng: Rng): void {
  const { latencyMs = 0, jitterMs = 0, bytesPerSecond } = link;
  const write = stream.write.bind(stream) as (chunk: Buffer, callback?: HeldWrite['callback']) => boolean;
  const end = stream.end.bind(stream);
  const held: HeldWrite[] = [];
  let timer: NodeJS.Timeout | undefined;
  let lastDueMs = 0;
  /** When the link has sent every byte given to it so far. */
  let sentUntilMs = 0;
  let drainOwed = false;
  let endArgs: Parameters<Duplex['end']> | undefined;
  const backlogBytes = (nowMs: number) =>
    bytesPerSecond === undefined ? 0 : (Math.max(0, sentUntilMs - nowMs) * bytesPerSecond) / 1000;
  const pump = () => {
    timer = undefined;
    const nowMs = Date.now();
    while (held[0] && held[0].dueMs <= nowMs) {
      const { chunk, callback } = held.shift() as HeldWrite;
      if (stream.destroyed || stream.writableEnded) callback?.();
      else write(chunk, callback);
    }
    if (drainOwed && backlogBytes(nowMs) < stream.writableHighWaterMark) {
      drainOwed = false;
      stream.emit('drain');
    }
    if (held[0]) timer = setTimeout(pump, held[0].dueMs - nowMs);
    else if (endArgs) end(...endArgs);
  };
  stream.once('close', () => clearTimeout(timer));
  stream.write = ((chunk: Buffer | string, ...rest: unknown[]) => {
    const encoding = typeof rest[0] === 'string' ? (rest[0] as BufferEncoding) : 'utf8';
    const callback = rest.find((arg) => typeof arg === 'function') as HeldWrite['callback'];
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk, encoding) : chunk;
    const nowMs = Date.now();
    let sentMs = nowMs;
    if (bytesPerSecond !== undefined) {
      sentUntilMs = Math.max(sentUntilMs, nowMs) + (buffer.length * 1000) / bytesPerSecond;
      sentMs = sentUntilMs;
    }
    // In order: a write never arrives before the one written ahead of it.
    lastDueMs = Math.max(lastDueMs, sentMs + latencyMs + (jitterMs > 0 ? rng.int(jitterMs + 1) : 0));
    if (lastDueMs <= nowMs && held.length === 0) return write(buffer, callback);
    held.push({ dueMs: lastDueMs, chunk: buffer, callback });
    if (timer === undefined) timer = setTimeout(pump, Math.max(0, lastDueMs - nowMs));
    const room = backlogBytes(nowMs) < stream.writableHighWaterMark;
    if (!room) drainOwed = true;
    return room;
  }) as Duplex['write'];
  stream.end = ((...args: Parameters<Duplex['end']>) => {
    if (held.length === 0) return end(...args);
    endArgs = args;
    return stream;
  }) as Duplex['end'];
}
