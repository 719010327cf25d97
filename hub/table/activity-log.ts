import { appendFileSync, renameSync, statSync } from 'node:fs';
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

/** The audit log's size cap: past it the file becomes `<file>.1` (replacing the one before) and starts again. */
export const AUDIT_LOG_MAX_BYTES = 10 * 1024 * 1024;

/**
 * The hub's answers to control messages: numbered, the latest kept in memory, and every one appended as a
 * JSON line to the audit log file (so "who changed what, when" survives the session). The file rotates at
 * `maxBytes`, so at most twice that is kept on disk however many commands arrive.
 */
export class AuditLog {
  private readonly list = new RecentList<AuditEntry>();
  private fileBytes: number;

  /**
   * @param file - the JSON-lines file every entry is appended to.
   * @param onWriteError - told when the file cannot be written (the entry is still published).
   * @param maxBytes - the size at which the file rotates.
   */
  constructor(
    readonly file: string,
    private readonly onWriteError: (error: Error) => void,
    readonly maxBytes = AUDIT_LOG_MAX_BYTES,
  ) {
    this.fileBytes = fileSize(file);
  }

  record(draft: Omit<AuditEntry, 'seq'>): AuditEntry {
    const entry = this.list.add(draft);
    const line = `${JSON.stringify(entry)}\n`;
    const lineBytes = Buffer.byteLength(line);
    try {
      if (this.fileBytes > 0 && this.fileBytes + lineBytes > this.maxBytes) {
        renameSync(this.file, `${this.file}.1`);
        this.fileBytes = 0;
      }
      appendFileSync(this.file, line);
      this.fileBytes += lineBytes;
    } catch (error) {
      this.onWriteError(error as Error);
    }
    return entry;
  }

  recent(): AuditEntry[] {
    return this.list.recent();
  }
}

function fileSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
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
