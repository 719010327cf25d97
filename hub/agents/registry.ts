import highsModule, { type Highs } from 'highs';
import { InputError } from '../errors.js';
import { PassivePolicy } from './passive.js';
import type { Policy } from './policy.js';
import { SelfishPolicy, type SelfishPolicyOptions } from './selfish.js';

/** Names accepted by `--policy` and in scenario files. */
export const POLICY_NAMES = ['passive', 'selfish'] as const;
export type PolicyName = (typeof POLICY_NAMES)[number];

// highs ships CommonJS typings but an ESM build whose default export is the loader itself.
type HighsLoader = typeof highsModule.default;
const loadHighs: HighsLoader =
  (highsModule as unknown as { default?: HighsLoader }).default ?? (highsModule as unknown as HighsLoader);

let highsPromise: Promise<Highs> | undefined;

/** The HiGHS WebAssembly runtime, loaded once per process. */
export function getHighs(): Promise<Highs> {
  if (!highsPromise) highsPromise = loadHighs();
  return highsPromise;
}

/** Options passed to every policy that takes them. */
export interface PolicyOptions {
  selfish?: SelfishPolicyOptions;
}

export function isPolicyName(name: string): name is PolicyName {
  return (POLICY_NAMES as readonly string[]).includes(name);
}

/** A fresh policy instance (policies keep per-home solver state; use one instance per run). */
export async function createPolicy(name: string, options: PolicyOptions = {}): Promise<Policy> {
  switch (name) {
    case 'passive':
      return new PassivePolicy();
    case 'selfish':
      return new SelfishPolicy(await getHighs(), options.selfish);
    default:
      throw new InputError('policy', `unknown policy "${name}"; expected one of ${POLICY_NAMES.join(', ')}`);
  }
}
