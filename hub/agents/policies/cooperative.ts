import { CooperativePolicy } from '../cooperative-policy.js';
import { definePolicy, planningWindow } from '../policy-definition.js';

/** Homes share the street's headroom through a coordinator's prices. */
export const cooperative = definePolicy({
  name: 'cooperative',
  description: 'homes share the street’s headroom through a coordinator’s prices',
  needsStreet: true,
  schedule: (options) => ({ ...planningWindow(options.fleet), tariffChoice: 'planner', fleet: true }),
  create: (context) => {
    const street = context.street();
    return new CooperativePolicy(context.highs, street.problems, street.network, context.fleet);
  },
});
