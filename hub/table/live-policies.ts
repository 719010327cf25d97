/** The residents' agents' policies on the live table: half-hour plans over a day ahead, made every half-hour. */
import type { Highs } from 'highs';
import { CentralPolicy, CooperativePolicy, NashPolicy } from '../agents/fleet.js';
import { HomeLp, PassivePolicy, type Policy, SelfishPolicy } from '../agents/index.js';
import type { FeederNetwork } from '../feeder/index.js';
import type { HomeSpec } from '../homes/index.js';
import { HORIZON_STEPS } from './live-street.js';

export const LIVE_POLICY_NAMES: readonly string[] = ['passive', 'selfish', 'nash', 'cooperative', 'central'];

/** What each policy does, in words for the room. */
export function policyDescription(name: string): string {
  return (
    {
      passive: 'no control: EVs charge on arrival, heat pumps hold the comfort minimum',
      selfish: 'each home minimises its own cost at the prices in force',
      nash: 'each home answers the others’ plans through a street price until no home wants to change',
      cooperative: 'homes share the street’s headroom through a coordinator’s prices',
      central: 'one plan for the whole street at the lowest cost to all (the social optimum)',
    }[name] ?? name
  );
}

export function createLivePolicy(
  name: string,
  highs: Highs,
  network: FeederNetwork,
  limitKw?: number,
): Policy {
  // Plans are made every half-hour: street policies book the headroom of that half-hour only; a selfish
  // home's explanation covers the day ahead.
  const options = { horizonSteps: HORIZON_STEPS, replanEverySteps: 1 };
  const view = {
    transformerLimitKw: limitKw ?? network.transformers.reduce((sum, t) => sum + t.ratedKva, 0),
  };
  const problems = (home: HomeSpec, horizon: number) => new HomeLp(highs, home, horizon);
  switch (name) {
    case 'passive':
      return new PassivePolicy();
    case 'selfish':
      return new SelfishPolicy(highs, { horizonSteps: HORIZON_STEPS, replanEverySteps: HORIZON_STEPS });
    case 'nash':
      return new NashPolicy(problems, view, { ...options, loadPriceSlopeGbpPerKwhPerKw: 0 });
    case 'cooperative':
      return new CooperativePolicy(highs, problems, view, options);
    case 'central':
      return new CentralPolicy(highs, problems, view, {
        ...options,
        reinforcementGbpPerKw: 150,
        carbonPriceGbpPerKg: 0,
      });
    default:
      throw new Error(`unknown policy ${name}`);
  }
}
