/**
 * Board logins the hub makes for its own red team on the live table (hub/table/live-red-team.ts): a flooding
 * client and a rogue device connect to the hub's broker as real MQTT clients with them. A login lives in
 * memory only, for as long as its attack runs, and is a board's (`device:<id>`) with a random secret.
 *
 * The broker enforces its limits on them as on any board. Only what the operator's red team asks for is
 * lifted, for that login alone: without the `rate-limit` defence the flooder is not rate limited; without
 * the `identity-check` defence the rogue may publish into its victim board's Homie tree (never `/set`), and,
 * when it claims the victim's client ID, connect with it (taking the board's connection over).
 * What each login got through and what was refused is counted for the red team's status.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { SecurityEvent } from '../../protocol/gridflex.js';
import { HOMIE_ROOT } from '../../protocol/homie.js';
import type { Role } from '../auth/roles.js';

/** What the operator's red team lifts for one login. */
export interface RedTeamRights {
  /** Publishes unlimited by the broker's per-identity rate (the `rate-limit` defence off). */
  unlimited: boolean;
  /** A board whose Homie tree it may publish into as if its own (the `identity-check` defence off). */
  publishUnder?: string;
  /** It may also connect with that board's client ID, taking the board's connection over (identity-check off). */
  takeClientId?: boolean;
}

/** What the broker did with a login's traffic. */
export interface RedTeamTally {
  /** Publishes that went through. */
  accepted: number;
  /** Of those, publishes into another board's tree. */
  underOthers: number;
  /** Publishes refused (rate limit, ACL) and connections refused (held off). */
  refused: number;
  /** The last refusal in words. */
  lastRefusal: string | null;
}

export interface RedTeamLogin {
  username: string;
  password: string;
  tally: RedTeamTally;
  /** Forgets the login: its next CONNECT is refused as a bad login (open connections close at the next publish). */
  remove(): void;
}

interface Entry {
  password: string;
  rights: RedTeamRights;
  tally: RedTeamTally;
}

export class RedTeamLogins {
  private readonly logins = new Map<string, Entry>();

  /** A new login as board `boardId` (a board of that ID with a login of its own is refused). */
  add(boardId: string, rights: RedTeamRights): RedTeamLogin {
    const entry: Entry = {
      password: randomBytes(18).toString('base64url'),
      rights,
      tally: { accepted: 0, underOthers: 0, refused: 0, lastRefusal: null },
    };
    this.logins.set(boardId, entry);
    return {
      username: boardId,
      password: entry.password,
      tally: entry.tally,
      remove: () => {
        if (this.logins.get(boardId) === entry) this.logins.delete(boardId);
      },
    };
  }

  /** The login's role for this password, null for a wrong one, undefined when the name is not the red team's. */
  role(username: string, password: string | undefined): Role | null | undefined {
    const entry = this.logins.get(username);
    if (!entry) return undefined;
    // Constant-time: the hub's own clients know the secret; a board guessing it must learn nothing from timing.
    const given = Buffer.from(password ?? '');
    const secret = Buffer.from(entry.password);
    const matches = given.length === secret.length && timingSafeEqual(given, secret);
    return matches ? { role: 'device', deviceId: username } : null;
  }

  /** Whether the operator lifted the rate limit for this identity. */
  unlimited(identity: string): boolean {
    return this.logins.get(identity)?.rights.unlimited ?? false;
  }

  /** Whether the operator let this identity publish here though its role may not (its victim's tree, not `/set`). */
  mayPublishAnyway(identity: string | undefined, topic: string): boolean {
    const victim = identity === undefined ? undefined : this.logins.get(identity)?.rights.publishUnder;
    return victim !== undefined && topic.startsWith(`${HOMIE_ROOT}/${victim}/`) && !topic.endsWith('/set');
  }

  /** Whether the operator let this identity connect with `clientId`, its victim board's, taking it over. */
  mayTakeClientId(identity: string, clientId: string): boolean {
    const rights = this.logins.get(identity)?.rights;
    return rights?.takeClientId === true && rights.publishUnder === clientId;
  }

  /** Counts a publish that went through. */
  accepted(identity: string, topic: string): void {
    const entry = this.logins.get(identity);
    if (!entry) return;
    entry.tally.accepted += 1;
    if (!topic.startsWith(`${HOMIE_ROOT}/${identity}/`)) entry.tally.underOthers += 1;
  }

  /** Counts what the broker refused a red-team login. */
  refused(event: Omit<SecurityEvent, 'at'>): void {
    const entry = event.username === undefined ? undefined : this.logins.get(event.username);
    if (!entry) return;
    entry.tally.refused += 1;
    entry.tally.lastRefusal = `${event.kind}: ${event.reason}`;
  }
}
