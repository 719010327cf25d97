/**
 * The dashboard login shared by every page: POST ./api/login gives a session token, kept in sessionStorage
 * (this tab only, gone when it closes) so a login on the live page holds on the run history and back.
 * Requests that change something send it as `Authorization: Bearer …`; the live page also uses it as its
 * MQTT password after a reload. No zod here: the history page stays free of the live view's libraries.
 */

/** A logged-in hub user as the pages keep it. */
export interface StoredSession {
  username: string;
  /** `operator`, `regulator`, `supplier:octo`, `resident:home-3` … */
  role: string;
  token: string;
  /** ISO time the hub ends the session. */
  expiresAt: string;
}

const STORAGE_KEY = 'gridflex.session';

function asSession(value: unknown): StoredSession | null {
  if (!value || typeof value !== 'object') return null;
  const { username, role, token, expiresAt } = value as Record<string, unknown>;
  if (typeof username !== 'string' || typeof role !== 'string') return null;
  if (typeof token !== 'string' || typeof expiresAt !== 'string') return null;
  return { username, role, token, expiresAt };
}

/** The session this tab holds, or null (none, unreadable, or past its expiry). */
export function storedSession(): StoredSession | null {
  let session: StoredSession | null = null;
  try {
    session = asSession(JSON.parse(sessionStorage.getItem(STORAGE_KEY) ?? 'null'));
  } catch {
    session = null;
  }
  if (session && !(Date.parse(session.expiresAt) > Date.now())) session = null;
  if (!session) sessionStorage.removeItem(STORAGE_KEY);
  return session;
}

export function clearSession(): void {
  sessionStorage.removeItem(STORAGE_KEY);
}

/** The `Authorization` header of the session this tab holds (none when logged out). */
export function authHeaders(): Record<string, string> {
  const session = storedSession();
  return session ? { authorization: `Bearer ${session.token}` } : {};
}

async function errorOf(response: Response): Promise<string> {
  const body = (await response.json().catch(() => null)) as { error?: unknown } | null;
  return typeof body?.error === 'string' ? body.error : `the hub answered ${response.status}`;
}

/** Logs in; resolves with the session (also kept for this tab) or rejects with the hub's reason. */
export async function logIn(username: string, password: string): Promise<StoredSession> {
  const response = await fetch('./api/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (!response.ok) throw new Error(await errorOf(response));
  const session = asSession(await response.json());
  if (!session) throw new Error('the hub’s login answer is not understood');
  sessionStorage.setItem(STORAGE_KEY, JSON.stringify(session));
  return session;
}

/** Ends the session at the hub (its token stops working at once) and forgets it here. */
export async function logOut(): Promise<void> {
  const headers = authHeaders();
  clearSession();
  if (headers.authorization) await fetch('./api/logout', { method: 'POST', headers }).catch(() => {});
}

/**
 * The session this tab holds if the hub still knows it (a restarted hub has forgotten every session), else
 * null. A hub that cannot be reached keeps the session: the next request will tell.
 */
export async function restoreSession(): Promise<StoredSession | null> {
  const session = storedSession();
  if (!session) return null;
  try {
    const response = await fetch('./api/session', {
      headers: { authorization: `Bearer ${session.token}` },
      cache: 'no-store',
    });
    if (response.status === 401) {
      clearSession();
      return null;
    }
  } catch {
    // offline: keep it
  }
  return session;
}
