/**
 * Board identity: the broker lets a board publish only under its own ID (the role ACL, hub/auth/acl.ts) and
 * the hub takes from a board only the assets it owns (hub/table/device-tracker.ts), so a rogue board's
 * readings for another's asset never reach the hub.
 */
import { z } from 'zod';
import { defineDefence } from '../red-team.js';

export const identityCheck = defineDefence({
  kind: 'identity-check',
  description: 'the broker lets a board publish only under its own ID (ACLs and asset ownership)',
  counters: ['rogue-device'],
  schema: z.strictObject({ kind: z.literal('identity-check') }),
  settings: (_entry, settings) => ({ ...settings, boardIdentityChecked: true }),
  create: () => [],
});
