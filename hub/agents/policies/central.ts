import { CentralPolicy } from '../central-policy.js';
import { definePolicy, planningWindow } from '../policy-definition.js';

/** One problem over all homes: the social optimum. */
export const central = definePolicy({
  name: 'central',
  description: 'one plan for the whole street at the lowest cost to all (the social optimum)',
  needsStreet: true,
  schedule: (options) => ({ ...planningWindow(options.fleet), tariffChoice: 'planner', fleet: true }),
  create: (context) => {
    const street = context.street();
    return new CentralPolicy(context.highs, street.problems, street.network, {
      ...context.fleet,
      reinforcementGbpPerKw: street.reinforcementGbpPerKw,
      carbonPriceGbpPerKg: street.carbonPriceGbpPerKg,
    });
  },
});
