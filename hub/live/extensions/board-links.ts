import {
  type BoardLinks,
  GRIDFLEX_ROOT,
  gridflexTopics,
  LinkPingSchema,
} from '../../../protocol/gridflex.js';
import { safeJson } from '../../json-payload.js';
import { ReadingShaper } from '../link-shaper.js';
import type { Extension, HubContext } from './extension.js';

/** How often the hub pings each online board (wall time), how long an answer may take, how many pings count. */
export const PING_SETTINGS = { everyMs: 2_000, timeoutMs: 1_500, window: 20 } as const;

/** One board's pings: those awaiting an answer (sequence → monotonic send time) and the last outcomes. */
interface BoardProbe {
  pendingMs: Map<number, number>;
  /** The last {@link PING_SETTINGS.window} outcomes, oldest first: a round-trip time in ms, or null (lost). */
  outcomes: (number | null)[];
}

/**
 * Each online board's device–hub link, measured: every {@link PING_SETTINGS.everyMs} the hub pings each board
 * whose `$state` is `ready` on `gridflex/v1/links/ping/<board>`; the board's agent answers at once on
 * `…/links/pong/<board>` (only that board may publish there). The answers go through the table map's `links:`
 * shaper (on their own seeded streams), so its latency is in the round trip and its loss in the loss. After
 * each round the figures (last, median and p95 RTT, loss %) go out retained on `gridflex/v1/links/boards` and
 * into `/api/state`. Answers with an unknown sequence number or that are not a ping's JSON are counted, never
 * trusted.
 */
export class BoardLinksExtension implements Extension {
  readonly name = 'board-links';
  private readonly probes = new Map<string, BoardProbe>();
  private readonly shaper: ReadingShaper;
  private timer: NodeJS.Timeout | undefined;
  private seq = 0;
  private unknownAnswers = 0;
  private invalidAnswers = 0;
  private latest: BoardLinks | null = null;
  /** The hub's own link to an external broker is down: pings would only wait in its queue. */
  private brokerDown = false;

  constructor(private readonly hub: HubContext) {
    this.shaper = new ReadingShaper(hub.map.links, 'links.ping');
  }

  async start(): Promise<void> {
    await this.hub.link.subscribe(
      `${GRIDFLEX_ROOT}/links/pong/+`,
      this.shaper.wrap((topic, payload) => this.onAnswer(topic, payload)),
    );
    this.hub.link.onOffline(() => this.pause());
    this.hub.link.onReconnect(() => {
      this.brokerDown = false;
    });
    this.timer = setInterval(() => void this.round(), PING_SETTINGS.everyMs);
  }

  /** Pings out while the hub's own link is down say nothing of the boards' links: they are forgotten. */
  private pause(): void {
    this.brokerDown = true;
    for (const probe of this.probes.values()) probe.pendingMs.clear();
  }

  stop(): void {
    clearInterval(this.timer);
    this.shaper.stop();
  }

  snapshot(): { boardLinks?: BoardLinks } {
    return this.latest ? { boardLinks: this.latest } : {};
  }

  private onAnswer(topic: string, payload: Buffer): void {
    const deviceId = topic.slice(gridflexTopics.linksPong('').length);
    const answer = LinkPingSchema.safeParse(safeJson(payload));
    if (!answer.success) {
      this.invalidAnswers += 1;
      return;
    }
    const probe = this.probes.get(deviceId);
    const sentMs = probe?.pendingMs.get(answer.data.seq);
    if (probe === undefined || sentMs === undefined) {
      this.unknownAnswers += 1;
      return;
    }
    probe.pendingMs.delete(answer.data.seq);
    const rttMs = performance.now() - sentMs;
    // Past the timeout it is lost, whether or not the next round has judged it yet.
    record(probe, rttMs < PING_SETTINGS.timeoutMs ? rttMs : null);
  }

  /** Judges the pings past their timeout, pings every ready board and publishes the figures. */
  private async round(): Promise<void> {
    if (this.brokerDown) return;
    const nowMs = performance.now();
    const ready = new Set(
      this.hub.devices
        .deviceStates()
        .filter((device) => device.state === 'ready')
        .map((device) => device.deviceId),
    );
    for (const deviceId of this.probes.keys()) if (!ready.has(deviceId)) this.probes.delete(deviceId);
    for (const deviceId of ready) {
      const probe = this.probes.get(deviceId) ?? { pendingMs: new Map(), outcomes: [] };
      this.probes.set(deviceId, probe);
      for (const [seq, sentMs] of probe.pendingMs) {
        if (nowMs - sentMs < PING_SETTINGS.timeoutMs) continue;
        probe.pendingMs.delete(seq);
        record(probe, null);
      }
      const seq = this.seq++;
      probe.pendingMs.set(seq, performance.now());
      await this.publish(gridflexTopics.linksPing(deviceId), { seq }, false);
    }
    this.latest = this.figures();
    await this.publish(gridflexTopics.linksBoards(), this.latest, true);
  }

  private async publish(topic: string, body: unknown, retain: boolean): Promise<void> {
    try {
      await this.hub.publishJson(topic, body, retain, 0);
    } catch (error) {
      this.hub.log('warn', `board links: ${topic} not sent: ${(error as Error).message}`);
    }
  }

  private figures(): BoardLinks {
    const boards = [...this.probes.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([deviceId, { outcomes }]) => {
        const rttsMs = outcomes.filter((outcome) => outcome !== null).sort((a, b) => a - b);
        const lost = outcomes.length - rttsMs.length;
        return {
          deviceId,
          lastRttMs: outcomes.findLast((outcome) => outcome !== null) ?? null,
          medianRttMs: percentile(rttsMs, 50),
          p95RttMs: percentile(rttsMs, 95),
          lossPct: outcomes.length === 0 ? null : (100 * lost) / outcomes.length,
          answered: rttsMs.length,
          lost,
        };
      });
    return {
      at: new Date().toISOString(),
      pingEveryMs: PING_SETTINGS.everyMs,
      timeoutMs: PING_SETTINGS.timeoutMs,
      window: PING_SETTINGS.window,
      unknownAnswers: this.unknownAnswers,
      invalidAnswers: this.invalidAnswers,
      boards,
    };
  }
}

function record(probe: BoardProbe, rttMs: number | null): void {
  probe.outcomes.push(rttMs);
  if (probe.outcomes.length > PING_SETTINGS.window) probe.outcomes.shift();
}

/** The nearest-rank percentile of sorted values, or null when there are none. */
function percentile(sorted: readonly number[], pct: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.max(0, Math.ceil((pct / 100) * sorted.length) - 1)] ?? null;
}
