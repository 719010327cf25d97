import { loadRunInputs } from '../../../hub/sim/inputs.js';
import { type StudyPolicyOptions, streetPolicyContext } from '../../../hub/study/street-context.js';

/**
 * A scenario's run inputs, the study's street context at `options`, and the social-cost pricing at the street
 * limit the study measures peaks against: what a test needs to run one policy as `study poa` does.
 */
export async function streetStudy(scenario: string, options: StudyPolicyOptions) {
  const inputs = loadRunInputs(scenario);
  const street = await streetPolicyContext(inputs, options);
  const pricing = {
    transformerRatingKw: street.figures().transformerLimitKw,
    reinforcementGbpPerKw: options.reinforcementGbpPerKw,
    carbonPriceGbpPerKg: options.carbonPriceGbpPerKg,
  };
  return { inputs, street, pricing };
}
