import { z } from 'zod';
import { isPolicyName, unknownPolicy } from './registry.js';

/**
 * A policy name in a file (scenario, sweep grid, dashboard upload, table map): one of the registry's. Kept apart
 * from the registry, which the plan thread imports: that thread does without zod (some 5 MB resident in a worker).
 */
export const PolicyNameSchema = z
  .string()
  .refine(isPolicyName, { error: (issue) => unknownPolicy(issue.input) });
