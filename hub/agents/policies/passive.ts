import { PassivePolicy } from '../passive.js';
import { definePolicy } from '../policy-definition.js';

/** No control (the baseline every run is compared with). */
export const passive = definePolicy({
  name: 'passive',
  description: 'no control: EVs charge on arrival, heat pumps hold the comfort minimum',
  needsStreet: false,
  schedule: () => ({ horizonSteps: 1, replanEverySteps: 1, tariffChoice: 'none', fleet: false }),
  create: () => new PassivePolicy(),
});
