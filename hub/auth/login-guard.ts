/**
 * Back-off on password guessing, per account and per address (issue 21). Each counts its failed password
 * checks; past a few free ones, the next attempt must wait, twice as long after each further failure, up to a
 * cap. One address guessing is held off without holding anyone else; an account guessed from many addresses
 * is held too (its owner waits at most the cap). A global limit would let one guesser lock every user out.
 */

/** Options of {@link LoginGuard}. */
export interface LoginGuardOptions {
  /** Failures an address may make before it waits. */
  freeFailuresPerAddress: number;
  /** Failures an account may take (from every address) before it waits: more, as its owner shares it. */
  freeFailuresPerAccount: number;
  /** The first wait; each further failure doubles it. */
  firstWaitMs: number;
  /** The longest wait. */
  maxWaitMs: number;
  /** Accounts and addresses remembered at once (the oldest are forgotten first). */
  maxEntries: number;
}

/**
 * The hub's back-off: 5 free failures an address, 20 an account, then 15 s doubling to 15 min. A person who
 * mistypes five times waits 15 s; a guesser gets about 30 guesses an hour.
 */
export const LOGIN_BACK_OFF: LoginGuardOptions = {
  freeFailuresPerAddress: 5,
  freeFailuresPerAccount: 20,
  firstWaitMs: 15_000,
  maxWaitMs: 15 * 60 * 1000,
  maxEntries: 10_000,
};

interface Failures {
  count: number;
  /** When the next attempt may be made (wall clock, ms). */
  untilMs: number;
}

/** Counts failed logins per account and per address; says how long an attempt must wait. */
export class LoginGuard {
  private readonly accounts = new Map<string, Failures>();
  private readonly addresses = new Map<string, Failures>();

  constructor(
    private readonly options: LoginGuardOptions = LOGIN_BACK_OFF,
    private readonly now: () => number = Date.now,
  ) {}

  /** How long `username` from `address` must wait before its password is checked (0: check it now). */
  waitMs(username: string, address: string): number {
    const nowMs = this.now();
    const until = Math.max(
      this.accounts.get(username)?.untilMs ?? 0,
      this.addresses.get(address)?.untilMs ?? 0,
    );
    return Math.max(0, until - nowMs);
  }

  /** A wrong password (or unknown user): both counts go up, and past the free ones the wait doubles. */
  failed(username: string, address: string): void {
    this.count(this.accounts, username, this.options.freeFailuresPerAccount);
    this.count(this.addresses, address, this.options.freeFailuresPerAddress);
  }

  /** A right password: the account's count starts again (the address's does not: it may be guessing). */
  succeeded(username: string): void {
    this.accounts.delete(username);
  }

  private count(entries: Map<string, Failures>, key: string, freeFailures: number): void {
    const nowMs = this.now();
    const last = entries.get(key);
    // Failures a long wait ago are forgiven: a user who mistyped last week starts with free tries.
    const count = (last && nowMs - last.untilMs < this.options.maxWaitMs ? last.count : 0) + 1;
    const beyond = count - freeFailures + 1; // the wait starts at the last free failure
    const waitMs =
      beyond <= 0 ? 0 : Math.min(this.options.maxWaitMs, this.options.firstWaitMs * 2 ** (beyond - 1));
    // Re-inserted so the map's order is the order of last failure, and the oldest go first.
    entries.delete(key);
    entries.set(key, { count, untilMs: nowMs + waitMs });
    for (const oldest of entries.keys()) {
      if (entries.size <= this.options.maxEntries) break;
      entries.delete(oldest);
    }
  }
}
