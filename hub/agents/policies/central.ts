import { CentralPolicy } from '../fleet.js';
import { getHighs } from '../highs.js';
import { definePolicy } from '../policy-definition.js';

/** One problem over all homes: the social optimum. */
export const central = definePolicy({
  name: 'central',
  description: 'one plan for the whole street at the lowest cost to all (the social optimum)',
  needsStreet: true,
  create: async (context) => {
    const highs = await getHighs();
    const street = context.street();
    return new CentralPolicy(highs, street.problems, street.network, {
      reinforcementGbpPerKw: street.reinforcementGbpPerKw,
      carbonPriceGbpPerKg: street.carbonPriceGbpPerKg,
    });
  },
});
