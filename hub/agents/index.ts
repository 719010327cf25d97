export { HomeLp, type HomeLpSolution, PROMISE_PENALTY_GBP_PER_KWH } from './home-lp.js';
export { PassivePolicy } from './passive.js';
export * from './policy.js';
export * from './registry.js';
export { SelfishPolicy, type SelfishPolicyOptions } from './selfish.js';
