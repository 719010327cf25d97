/** What one identity (a board, a user) may keep retained on the broker. */
export interface RetainedQuota {
  /** Retained topics at once. */
  maxTopics: number;
  /** Retained bytes at once, topic names and payloads. */
  maxBytes: number;
}

/**
 * Default: 100 topics and 256 KiB an identity. A board's Homie tree is `$state`, `$description` (a few KB)
 * and a retained value per property: tens of topics, a few KB.
 */
export const DEFAULT_RETAINED_QUOTA: RetainedQuota = { maxTopics: 100, maxBytes: 256 * 1024 };

interface Usage {
  topics: number;
  bytes: number;
}

/**
 * Who holds each retained topic and how much each identity holds, so one board cannot fill the broker's
 * memory and every new subscriber's first seconds with retained messages. An empty retained payload clears
 * a topic (MQTT 3.3.1-10), whoever sent it.
 */
export class RetainedLedger {
  private readonly topics = new Map<string, { owner: string; bytes: number }>();
  private readonly usage = new Map<string, Usage>();

  constructor(readonly quota: RetainedQuota) {}

  /**
   * Records that `owner` retains `payloadBytes` on `topic` and returns null, or returns why that is over its
   * quota (and records nothing). Replacing its own topic counts only the difference.
   */
  retain(owner: string, topic: string, payloadBytes: number): string | null {
    const previous = this.topics.get(topic);
    if (payloadBytes === 0) {
      if (previous) this.release(topic, previous);
      return null;
    }
    const bytes = topic.length + payloadBytes;
    const used = this.usage.get(owner) ?? { topics: 0, bytes: 0 };
    const mine = previous?.owner === owner ? previous : undefined;
    const topicsAfter = used.topics + (mine ? 0 : 1);
    const bytesAfter = used.bytes - (mine?.bytes ?? 0) + bytes;
    if (topicsAfter > this.quota.maxTopics || bytesAfter > this.quota.maxBytes) {
      return `over its retained quota (${this.quota.maxTopics} topics, ${this.quota.maxBytes} bytes; it holds ${used.topics} topics, ${used.bytes} bytes): not retained, disconnected`;
    }
    if (previous && !mine) this.release(topic, previous);
    this.topics.set(topic, { owner, bytes });
    this.usage.set(owner, { topics: topicsAfter, bytes: bytesAfter });
    return null;
  }

  private release(topic: string, entry: { owner: string; bytes: number }): void {
    this.topics.delete(topic);
    const used = this.usage.get(entry.owner);
    if (!used) return;
    if (used.topics <= 1) this.usage.delete(entry.owner);
    else this.usage.set(entry.owner, { topics: used.topics - 1, bytes: used.bytes - entry.bytes });
  }
}
