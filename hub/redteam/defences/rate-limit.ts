/**
 * Rate limits: the broker lets each identity publish at most N messages a second over all its connections
 * (hub/broker/rate-limiter.ts; an offender is disconnected and held off), so one flooding client cannot
 * take the broker's capacity from the homes' devices.
 */
import { z } from 'zod';
import { defineDefence } from '../red-team.js';

export const rateLimit = defineDefence({
  kind: 'rate-limit',
  description: "the broker holds each identity to N messages a second (on the table: the hub's --rate-limit)",
  counters: ['flooding-client'],
  schema: z.strictObject({
    kind: z.literal('rate-limit'),
    /** The batch model's limit; the table's broker keeps its own (`gridflex hub --rate-limit`, default 200). */
    perSecond: z.number().int().min(1).max(1_000_000).default(200),
  }),
  settings: (entry, settings) => ({
    ...settings,
    publishRateLimitPerSecond: Math.min(
      settings.publishRateLimitPerSecond ?? Number.POSITIVE_INFINITY,
      entry.perSecond,
    ),
  }),
  create: () => [],
});
