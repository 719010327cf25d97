import { join } from 'node:path';
import { type AuditEntry, type FeedEvent, gridflexTopics } from '../../protocol/gridflex.js';
import { AuditLog, EventFeed } from '../table/activity-log.js';
import type { FeedEventDraft } from '../table/feed-text.js';
import type { HubLogLevel } from './hub-runtime.js';
import type { HubLink, Sender } from './link.js';

/** Every control message's answer, one JSON line each, in the data dir. */
export const AUDIT_LOG_FILE = 'audit.log';

/** Options of {@link Activity}. */
export interface ActivityOptions {
  link: HubLink;
  dataDir: string;
  /** The simulated time now, stamped on every entry. */
  simTime: () => Date;
  log: (level: HubLogLevel, message: string) => void;
}

/**
 * What the hub tells people about what happened: the answer to every control message (audit topic, audit
 * log file, hub log) and the room's event feed, each with a retained list of the latest for late joiners.
 */
export class Activity {
  private readonly audit: AuditLog;
  private readonly feed = new EventFeed();

  constructor(private readonly options: ActivityOptions) {
    this.audit = new AuditLog(join(options.dataDir, AUDIT_LOG_FILE), (error) =>
      options.log('warn', `could not append to ${AUDIT_LOG_FILE}: ${error.message}`),
    );
  }

  /** Replaces what a previous run left retained with this run's (empty) lists. */
  async publishRecent(): Promise<void> {
    await this.publish(gridflexTopics.auditRecent(), { entries: this.audit.recent() }, true);
    await this.publish(gridflexTopics.eventsRecent(), { events: this.feed.recent() }, true);
  }

  /** Records, logs and publishes the answer to a control message. */
  answer(
    topic: string,
    sender: Pick<Sender, 'username' | 'role'>,
    action: AuditEntry['action'],
    outcome: { accepted: boolean; reason: string },
    requestId?: string,
  ): void {
    const entry = this.audit.record({
      at: new Date().toISOString(),
      simTime: this.options.simTime().toISOString(),
      username: sender.username,
      role: sender.role,
      topic,
      action,
      accepted: outcome.accepted,
      reason: outcome.reason,
      ...(requestId === undefined ? {} : { requestId }),
    });
    this.options.log(
      outcome.accepted ? 'info' : 'warn',
      `${action} from ${entry.username ?? entry.role}: ${outcome.accepted ? 'accepted' : 'refused'}: ${outcome.reason}`,
    );
    this.publish(gridflexTopics.audit(), entry, false).catch(() => {});
    this.publish(gridflexTopics.auditRecent(), { entries: this.audit.recent() }, true).catch(() => {});
  }

  /** Numbers, times and publishes something the room should see. */
  event(draft: FeedEventDraft): void {
    const event = this.feed.record({
      ...draft,
      at: new Date().toISOString(),
      simTime: this.options.simTime().toISOString(),
    });
    this.publish(gridflexTopics.events(), event, false).catch(() => {});
    this.publish(gridflexTopics.eventsRecent(), { events: this.feed.recent() }, true).catch(() => {});
  }

  events(drafts: readonly FeedEventDraft[]): void {
    for (const draft of drafts) this.event(draft);
  }

  recentAudit(): AuditEntry[] {
    return this.audit.recent();
  }

  recentEvents(): FeedEvent[] {
    return this.feed.recent();
  }

  private publish(topic: string, body: unknown, retain: boolean): Promise<void> {
    return this.options.link.publish(topic, JSON.stringify(body), { retain, qos: 1 });
  }
}
