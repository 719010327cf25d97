import type { z } from 'zod';
import type { AuditEntry } from '../../../../protocol/gridflex.ts';
import type { HubClient } from './hub-client.ts';

/** What became of a control message: refused by the page (never sent), or the hub's audit answer. */
export type ControlOutcome =
  | { sent: false; problem: string }
  | { sent: true; accepted: boolean; reason: string }
  | { sent: true; accepted: null; reason: string };

/** How long the page waits for the hub's audit answer before saying it has none. */
const ANSWER_TIMEOUT_MS = 10_000;
/** How long a control waits for the connection before saying it cannot be sent. */
const CONNECT_WAIT_MS = 5000;

/**
 * Sends one control message: validated with the protocol's schema first (the broker disconnects a client that
 * sends an invalid payload), tagged with a request ID, then the hub's answer on `gridflex/v1/audit` is awaited.
 */
export async function sendControl<T extends object>(
  client: HubClient | null,
  awaitAudit: (requestId: string) => Promise<AuditEntry>,
  topic: string,
  schema: z.ZodType<T>,
  body: T,
): Promise<ControlOutcome> {
  // Just after logging in the page is still connecting with the user's credentials: give it a moment.
  if (!client || !(await client.whenConnected(CONNECT_WAIT_MS))) {
    return { sent: false, problem: 'not connected to the hub: wait for it to reconnect' };
  }
  const requestId = `dash-${crypto.randomUUID().slice(0, 12)}`;
  const parsed = schema.safeParse({ ...body, requestId });
  if (!parsed.success) {
    return { sent: false, problem: parsed.error.issues.map(describeIssue).join('; ') };
  }
  const answer = awaitAudit(requestId);
  try {
    await client.publishJson(topic, parsed.data);
  } catch (error) {
    return { sent: false, problem: `could not send: ${(error as Error).message}` };
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), ANSWER_TIMEOUT_MS);
  });
  const entry = await Promise.race([answer, timeout]);
  clearTimeout(timer);
  if (entry === null) return { sent: true, accepted: null, reason: 'sent, but the hub has not answered' };
  return { sent: true, accepted: entry.accepted, reason: entry.reason };
}

/** A zod issue as a person reads it: `importPriceGbpPerKwh: Too big: expected number to be <=10`. */
export function describeIssue(issue: z.core.$ZodIssue): string {
  const path = issue.path.filter((part) => part !== 'requestId').join('.');
  return path ? `${path}: ${issue.message}` : issue.message;
}
