import { controlTopics } from '../../protocol/gridflex.js';
import { TokenBucket } from '../broker/rate-limiter.js';

/** Who a session acts for: a resident's username and their home (role `resident:<home>`). */
export interface ResidentIdentity {
  username: string;
  home: string;
}

/** A tool's answer: what the agent reads (JSON), and whether it was refused or failed. */
export interface ToolOutcome {
  outcome: 'ok' | 'refused' | 'failed';
  /** One line for the log and the room's event feed. */
  summary: string;
  body: unknown;
}

export type McpLog = (level: 'info' | 'warn' | 'error', message: string) => void;

/** A refusal the agent reads as the tool's error. */
export class ToolRefusal extends Error {}

/**
 * Calls per identity: one token bucket per username, shared by every session of that resident (stdio or
 * HTTP), so reconnecting does not reset the limit.
 */
export class CallLimiter {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(
    readonly callsPerMinute: number,
    private readonly nowMs: () => number = Date.now,
  ) {}

  /** Whether `username` may make one more call now. */
  allow(username: string): boolean {
    let bucket = this.buckets.get(username);
    if (!bucket) {
      const burst = Math.max(1, Math.ceil(this.callsPerMinute / 3));
      bucket = new TokenBucket({ perSecond: this.callsPerMinute / 60, burst }, this.nowMs());
      this.buckets.set(username, bucket);
    }
    return bucket.take(this.nowMs());
  }
}

/** The home a tool call names must be the session's own; anything else is refused in words. */
export function checkScope(identity: ResidentIdentity, home: string | undefined): void {
  if (home === undefined || home === identity.home) return;
  throw new ToolRefusal(
    `this session acts for ${identity.home} (resident ${identity.username}); ${home} is outside its scope`,
  );
}

/** Where calls are reported: the live hub (its audit log and event feed), or a stepped run's decisions. */
export interface CallReporter {
  notify(topic: string, body: Record<string, unknown>): Promise<void>;
}

/** What a guarded call needs: who, the hub or run (`link`), the limiter and the log. */
export interface CallContext<Link extends CallReporter = CallReporter> {
  identity: ResidentIdentity;
  link: Link;
  limiter: CallLimiter;
  log: McpLog;
}

/**
 * Runs one tool call for a resident: scope and rate limit first, then the tool; every call is logged with
 * who, what and the result, and reported to the hub (audit log and event feed). Never throws.
 */
export async function guardedCall(
  context: CallContext,
  tool: string,
  home: string | undefined,
  run: () => Promise<ToolOutcome> | ToolOutcome,
): Promise<ToolOutcome> {
  const outcome = await outcomeOf(context, home, run);
  await reportCall(context, tool, outcome);
  return outcome;
}

/** Logs one call with who, what and the result, and reports it to the hub (audit log and event feed). */
export async function reportCall(
  context: CallContext,
  tool: string,
  outcome: Pick<ToolOutcome, 'outcome' | 'summary'>,
): Promise<void> {
  const { identity, link, log } = context;
  log(
    outcome.outcome === 'ok' ? 'info' : 'warn',
    `${identity.username} (${identity.home}) ${tool}: ${outcome.outcome}: ${outcome.summary}`,
  );
  const report = {
    tool: tool.slice(0, 64),
    outcome: outcome.outcome,
    summary: outcome.summary.slice(0, 300),
  };
  await link.notify(controlTopics.residentAgentCall(identity.home), report).catch((error: Error) => {
    log('warn', `could not report ${tool} to the hub: ${error.message}`);
  });
}

async function outcomeOf(
  context: CallContext,
  home: string | undefined,
  run: () => Promise<ToolOutcome> | ToolOutcome,
): Promise<ToolOutcome> {
  try {
    checkScope(context.identity, home);
    if (!context.limiter.allow(context.identity.username)) {
      throw new ToolRefusal(
        `rate limit of ${context.limiter.callsPerMinute} calls a minute for ${context.identity.username} reached; try again shortly`,
      );
    }
    return await run();
  } catch (error) {
    const message = (error as Error).message;
    const outcome = error instanceof ToolRefusal ? 'refused' : 'failed';
    return { outcome, summary: message, body: { error: `${outcome}: ${message}` } };
  }
}
