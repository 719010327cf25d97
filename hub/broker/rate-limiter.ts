/** Options of {@link TokenBucket}. */
export interface RateLimit {
  /** Sustained messages per second. */
  perSecond: number;
  /** Messages allowed at once after a quiet spell (e.g. a board flushing its offline queue). */
  burst: number;
}

/** A token bucket: `take()` is false once a client has used up its burst and is sending faster than the rate. */
export class TokenBucket {
  private tokens: number;
  private lastMs: number;

  /** Starts full (`limit.burst` tokens) unless `tokens` says otherwise. */
  constructor(
    private readonly limit: RateLimit,
    nowMs: number,
    tokens = limit.burst,
  ) {
    this.tokens = tokens;
    this.lastMs = nowMs;
  }

  take(nowMs: number): boolean {
    const elapsedS = Math.max(0, nowMs - this.lastMs) / 1000;
    this.lastMs = nowMs;
    this.tokens = Math.min(this.limit.burst, this.tokens + elapsedS * this.limit.perSecond);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/**
 * Messages one board or user may publish: 200/s sustained (a board with ten properties at the agent's fastest
 * telemetry interval, 50 ms), with a burst of 10 000 (the agent's default offline queue, flushed at once). A
 * flooder at the sustained rate is still several times a whole table's traffic, hence not more.
 */
export const DEFAULT_PUBLISH_RATE: RateLimit = { perSecond: 200, burst: 10_000 };

/**
 * Control commands one user may send: 5/s with a burst of 20 (a person clicking, an agent's tool calls); a
 * script flooding them is disconnected and held off.
 */
export const DEFAULT_CONTROL_RATE: RateLimit = { perSecond: 5, burst: 20 };

/** How long a client that went over its rate is refused at CONNECT: doubling with each repeat offence. */
export interface HoldOff {
  /** Hold-off after a first offence. */
  firstMs: number;
  /** The longest hold-off, however often it repeats. */
  maxMs: number;
  /** Offences are forgotten after this long without one. */
  forgetAfterMs: number;
}

/** Default: 1 s, 2 s, 4 s … up to 5 min; a clean 10 min starts again at 1 s. */
export const DEFAULT_HOLD_OFF: HoldOff = { firstMs: 1000, maxMs: 5 * 60_000, forgetAfterMs: 10 * 60_000 };

interface IdentityState {
  bucket: TokenBucket;
  offences: number;
  lastOffenceMs: number;
  heldUntilMs: number;
}

/**
 * Publish rates by identity (username), not by connection: every connection of one user draws on one bucket,
 * which outlives its connections, so reconnecting does not refill it. An offender's burst shrinks to one
 * second's worth until its offences are forgotten: otherwise each hold-off would save up a full burst that
 * the next connection spends at once, stalling everyone else's messages behind it. Only registered users are
 * kept (the credential file bounds the map); anonymous clients may not publish at all.
 */
export class IdentityRateLimits {
  private readonly identities = new Map<string, IdentityState>();

  constructor(
    readonly limit: RateLimit,
    readonly holdOff: HoldOff,
  ) {}

  /** Whether `identity` may publish one more message now. */
  take(identity: string, nowMs: number): boolean {
    const state = this.state(identity, nowMs);
    if (state.offences > 0 && nowMs - state.lastOffenceMs > this.holdOff.forgetAfterMs) {
      state.offences = 0;
      state.bucket = new TokenBucket(this.limit, nowMs);
    }
    return state.bucket.take(nowMs);
  }

  /** Records an offence and returns the hold-off it earns, in ms. */
  offend(identity: string, nowMs: number): number {
    const state = this.state(identity, nowMs);
    if (nowMs - state.lastOffenceMs > this.holdOff.forgetAfterMs) state.offences = 0;
    state.offences += 1;
    state.lastOffenceMs = nowMs;
    const holdOffMs = Math.min(this.holdOff.maxMs, this.holdOff.firstMs * 2 ** (state.offences - 1));
    state.heldUntilMs = nowMs + holdOffMs;
    const oneSecond = {
      perSecond: this.limit.perSecond,
      burst: Math.min(this.limit.burst, this.limit.perSecond),
    };
    state.bucket = new TokenBucket(oneSecond, nowMs, 0);
    return holdOffMs;
  }

  /** Milliseconds `identity` is still held off (0: it may connect). */
  heldOffMs(identity: string, nowMs: number): number {
    const state = this.identities.get(identity);
    return state ? Math.max(0, state.heldUntilMs - nowMs) : 0;
  }

  private state(identity: string, nowMs: number): IdentityState {
    let state = this.identities.get(identity);
    if (!state) {
      state = {
        bucket: new TokenBucket(this.limit, nowMs),
        offences: 0,
        lastOffenceMs: Number.NEGATIVE_INFINITY,
        heldUntilMs: 0,
      };
      this.identities.set(identity, state);
    }
    return state;
  }
}

/**
 * How fast an identity may spend its burst: ten times its sustained rate, one second's worth at once. A
 * board flushing its offline queue (the burst) is spread over seconds instead of taking the broker for
 * itself, and a flooder's burst costs the other boards a few percent of the hub, not a stall.
 */
export function burstPace(limit: RateLimit): RateLimit {
  return { perSecond: limit.perSecond * 10, burst: limit.perSecond };
}

/**
 * Spaces each identity's messages to `pace` (a virtual-time token bucket, GCRA): `delayMs` says how long the
 * next message waits. The broker holds its authorization that long, so Aedes reads nothing more from that
 * connection meanwhile (it reads a connection's next chunk once the last one is handled): the sender is held
 * at its own socket and nobody else waits behind its messages.
 */
export class IdentityPacer {
  /** When each identity's next message would be due at the pace (ms). */
  private readonly dueMs = new Map<string, number>();

  constructor(readonly pace: RateLimit) {}

  delayMs(identity: string, nowMs: number): number {
    const intervalMs = 1000 / this.pace.perSecond;
    const dueMs = Math.max(this.dueMs.get(identity) ?? nowMs, nowMs);
    this.dueMs.set(identity, dueMs + intervalMs);
    return Math.max(0, dueMs - nowMs - (this.pace.burst - 1) * intervalMs);
  }
}

/**
 * Runs callbacks in the order they were added, each no sooner than its time: one connection's paced messages
 * keep their order (MQTT 4.6) whatever their delays, with one timer at a time.
 */
export class OrderedDelays {
  private readonly waiting: { atMs: number; run: () => void }[] = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly now: () => number = Date.now) {}

  /** Runs `run` at `atMs` or later, after every callback added before it; at once when it is due and none waits. */
  add(atMs: number, run: () => void): void {
    if (this.waiting.length === 0 && atMs <= this.now()) {
      run();
      return;
    }
    this.waiting.push({ atMs, run });
    this.schedule();
  }

  private schedule(): void {
    const next = this.waiting[0];
    if (this.timer !== null || next === undefined) return;
    this.timer = setTimeout(
      () => {
        this.timer = null;
        this.runDue();
      },
      Math.max(0, next.atMs - this.now()),
    );
  }

  private runDue(): void {
    const nowMs = this.now();
    let due = 0;
    while (due < this.waiting.length && (this.waiting[due]?.atMs ?? Number.POSITIVE_INFINITY) <= nowMs) due++;
    for (const { run } of this.waiting.splice(0, due)) run();
    this.schedule();
  }
}
