import { NashPolicy } from '../nash-policy.js';
import { definePolicy, planningWindow } from '../policy-definition.js';

/** Selfish homes at the Nash equilibrium of the street's (possibly load-dependent) prices. */
export const nash = definePolicy({
  name: 'nash',
  description: 'each home answers the others’ plans through a street price until no home wants to change',
  needsStreet: true,
  schedule: (options) => ({ ...planningWindow(options.fleet), tariffChoice: 'resident', fleet: true }),
  create: (context) => {
    const street = context.street();
    return new NashPolicy(street.problems, street.network, {
      ...context.fleet,
      loadPriceSlopeGbpPerKwhPerKw: street.loadPriceSlopeGbpPerKwhPerKw,
    });
  },
});
