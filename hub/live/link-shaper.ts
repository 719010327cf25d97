/**
 * The live table's device–hub link shaper: between the broker and the table's device tracker, a board's
 * readings (its Homie property values; `$state` and `$description` pass untouched), between the broker and
 * the meter extension a meter board's timed readings (`$readings`), and between the broker and the
 * board-links extension its answers to the hub's pings, arrive `latencyMs` plus up to `jitterMs` late,
 * or with probability `loss` not at all, as the batch runs' links do (docs/links.md).
 * Set in the table map's `links:` section, per board in `devices:`. Each board draws from its own seeded
 * stream, and its readings keep their order (one MQTT connection does not reorder them).
 */
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

/** The table map's `links:` section: the device–hub link of every board, and per board what differs. */
export const LiveLinksSchema = z.strictObject({
  deviceHub: LiveLinkSchema.optional(),
  devices: z.record(z.string().min(1), LiveLinkSchema).optional(),
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
    if (!this.section) return handler;
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
