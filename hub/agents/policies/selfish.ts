import { definePolicy, planningWindow } from '../policy-definition.js';
import { SelfishPolicy } from '../selfish.js';

/** Each home's own LP, blind to the network. */
export const selfish = definePolicy({
  name: 'selfish',
  description: 'each home minimises its own cost at the prices in force',
  needsStreet: false,
  schedule: (options) => ({ ...planningWindow(options.selfish), tariffChoice: 'resident', fleet: false }),
  create: (context) => new SelfishPolicy(context.highs, context.selfish),
});
