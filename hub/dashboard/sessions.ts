/**
 * Dashboard sessions: who logged in on the dashboard, for the HTTP routes that change things (deleting runs,
 * starting runs) and, as the MQTT password of the page's own connection, for the role panels.
 *
 * Tokens are 32 random bytes kept in this process's memory (by their SHA-256) rather than HMAC-signed with a
 * hub secret: logging out must end a session at once (a signed token stays valid until it expires unless
 * the hub keeps a list of revoked ones anyway), only one hub checks them, and a hub restart asking the
 * room to log in again is harmless. The embedded broker has no hub secret to sign with either.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { SESSION_TOKEN_BYTES } from '../auth/credentials.js';
import { HttpError } from './routes.js';

/** How long a dashboard login lasts: a workshop day. */
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;
/** Sessions kept at once; the oldest goes first (logins are rate-limited, so this only bounds memory). */
const MAX_SESSIONS = 1000;

/** A logged-in dashboard user. */
export interface DashboardSession {
  username: string;
  /** The role in text form (`operator`, `resident:home-3` …) as the hub gave it at login. */
  role: string;
  expiresAtMs: number;
}

/** Options of {@link SessionStore}. */
export interface SessionStoreOptions {
  /** Session lifetime; default {@link SESSION_TTL_MS}. */
  ttlMs?: number;
  /** Wall clock (tests pass their own). */
  now?: () => number;
  /**
   * The user's role now (from the credential store), or null when the user is gone: a session ends as
   * soon as its user is removed or given another role.
   */
  currentRole?: (username: string) => string | null;
  /** Told when a session is revoked (logout), so the hub closes the MQTT connections that logged in with it. */
  onRevoked?: () => void;
}

/** In-memory dashboard sessions by token. */
export class SessionStore {
  private readonly sessions = new Map<string, DashboardSession>();
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(private readonly options: SessionStoreOptions = {}) {
    this.ttlMs = options.ttlMs ?? SESSION_TTL_MS;
    this.now = options.now ?? Date.now;
  }

  /** Starts a session and returns its token (base64url, 43 characters): the only time it is known. */
  create(username: string, role: string): { token: string; session: DashboardSession } {
    this.forgetExpired();
    while (this.sessions.size >= MAX_SESSIONS) {
      const oldest = this.sessions.keys().next().value;
      if (oldest === undefined) break;
      this.sessions.delete(oldest);
    }
    const token = randomBytes(SESSION_TOKEN_BYTES).toString('base64url');
    const session = { username, role, expiresAtMs: this.now() + this.ttlMs };
    this.sessions.set(digest(token), session);
    return { token, session };
  }

  /** The live session of `token`, or null (unknown, expired, logged out, or its user changed). */
  get(token: string): DashboardSession | null {
    const key = digest(token);
    const session = this.sessions.get(key);
    if (!session) return null;
    const role = this.options.currentRole ? this.options.currentRole(session.username) : session.role;
    if (session.expiresAtMs <= this.now() || role !== session.role) {
      this.sessions.delete(key);
      return null;
    }
    return session;
  }

  /** The session when `token` is `username`'s (the MQTT login of a page that holds a token), else null. */
  forUser(username: string, token: string): DashboardSession | null {
    const session = this.get(token);
    if (!session) return null;
    const a = Buffer.from(session.username);
    const b = Buffer.from(username);
    return a.length === b.length && timingSafeEqual(a, b) ? session : null;
  }

  /** Ends a session; returns whether it existed. */
  revoke(token: string): boolean {
    const existed = this.sessions.delete(digest(token));
    if (existed) this.options.onRevoked?.();
    return existed;
  }

  get size(): number {
    return this.sessions.size;
  }

  private forgetExpired(): void {
    const now = this.now();
    for (const [key, session] of this.sessions) if (session.expiresAtMs <= now) this.sessions.delete(key);
  }
}

function digest(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

/** The bearer token of a request (`Authorization: Bearer …`), or null. */
export function bearerToken(request: IncomingMessage): string | null {
  const header = request.headers.authorization;
  const match = header === undefined ? null : /^Bearer\s+([A-Za-z0-9_-]{20,200})\s*$/i.exec(header);
  return match?.[1] ?? null;
}

/**
 * The session of a request that needs one of `roles` for `action` (e.g. "delete runs"). Throws 401 when there
 * is no valid session (none, expired, logged out) and 403 for another role, both logged as warnings.
 */
export function requireRole(
  request: IncomingMessage,
  sessions: SessionStore,
  roles: readonly string[],
  action: string,
  log: (level: 'warn', message: string) => void,
): DashboardSession {
  const token = bearerToken(request);
  const session = token === null ? null : sessions.get(token);
  const who = roles.join(' or the ');
  if (!session) {
    const why = token === null ? 'no session token' : 'unknown or expired session';
    log('warn', `${request.method} ${request.url}: refused (401): ${why}`);
    throw new HttpError(401, `log in as the ${who} to ${action}`);
  }
  if (!roles.includes(session.role)) {
    log('warn', `${request.method} ${request.url}: refused (403): ${session.username} (${session.role})`);
    throw new HttpError(403, `${session.username} (${session.role}) may not ${action}: log in as the ${who}`);
  }
  return session;
}
