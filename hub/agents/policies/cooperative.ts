import { CooperativePolicy } from '../fleet.js';
import { getHighs } from '../highs.js';
import { definePolicy } from '../policy-definition.js';

/** Homes share the street's headroom through a coordinator's prices. */
export const cooperative = definePolicy({
  name: 'cooperative',
  description: 'homes share the street’s headroom through a coordinator’s prices',
  needsStreet: true,
  create: async (context) => {
    const highs = await getHighs();
    const street = context.street();
    return new CooperativePolicy(highs, street.problems, street.network);
  },
});
