/**
 * Switching caps: the switching system processes at most this many of the street's switches per working
 * day (hub/market/switching.ts queues the rest), so a mass switch reaches the street a few homes at a time.
 */
import { z } from 'zod';
import { defineDefence } from '../red-team.js';

export const switchingCap = defineDefence({
  kind: 'switching-cap',
  description: "the switching system processes at most N of the street's switches per working day",
  counters: ['mass-switch'],
  schema: z.strictObject({
    kind: z.literal('switching-cap'),
    perWorkingDay: z.number().int().min(0).max(1000).default(1),
  }),
  settings: (entry, settings) => ({
    ...settings,
    switchingCapacityPerWorkingDay: Math.min(settings.switchingCapacityPerWorkingDay, entry.perWorkingDay),
  }),
  create: () => [],
});
