import { appendFileSync } from 'node:fs';
import type { AuditEntry, FeedEvent } from '../../protocol/gridflex.js';

/** Entries kept for late joiners (`…/recent` topics and `/api/state`). */
const RECENT_KEPT = 50;

/** A numbered list of the latest entries, oldest dropped first. */
class RecentList<T extends { seq: number }> {
  private seq = 0;
  private readonly entries: T[] = [];

  add(draft: Omit<T, 'seq'>): T {
    this.seq += 1;
    const entry = { ...draft, seq: this.seq } as T;
    this.entries.push(entry);
    if (this.entries.length > RECENT_KEPT) this.entries.shift();
    return entry;
  }

  recent(): T[] {
    return [...this.entries];
  }
}

/**
 * The hub's answers to control messages: numbered, the latest kept in memory, and every one appended as a
 * JSON line to the audit log file (so "who changed what, when" survives the session).
 */
export class AuditLog {
  private readonly list = new RecentList<AuditEntry>();

  /**
   * @param file - the JSON-lines file every entry is appended to.
   * @param onWriteError - told when the file cannot be written (the entry is still published).
   */
  constructor(
    readonly file: string,
    private readonly onWriteError: (error: Error) => void,
  ) {}

  record(draft: Omit<AuditEntry, 'seq'>): AuditEntry {
    const entry = this.list.add(draft);
    try {
      appendFileSync(this.file, `${JSON.stringify(entry)}\n`);
    } catch (error) {
      this.onWriteError(error as Error);
    }
    return entry;
  }

  recent(): AuditEntry[] {
    return this.list.recent();
  }
}

/** The room's event feed: numbered, the latest kept for late joiners. */
export class EventFeed {
  private readonly list = new RecentList<FeedEvent>();

  record(draft: Omit<FeedEvent, 'seq'>): FeedEvent {
    return this.list.add(draft);
  }

  recent(): FeedEvent[] {
    return this.list.recent();
  }
}
