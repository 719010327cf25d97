/**
 * The policies by name, as one list: `--policy`, scenario files, sweep grids and the dashboard take their
 * choices from it. Adding a policy is one file in ./policies/ (`definePolicy`) and one entry in POLICIES
 * (docs/architecture.md, "How to add a policy").
 */
import type { Highs } from 'highs';
import { InputError } from '../errors.js';
import { getHighs } from './highs.js';
import { central } from './policies/central.js';
import { cooperative } from './policies/cooperative.js';
import { external } from './policies/external.js';
import { nash } from './policies/nash.js';
import { passive } from './policies/passive.js';
import { selfish } from './policies/selfish.js';
import type { Policy } from './policy.js';
import type { PolicyContext, PolicyDefinition, PolicyStreet } from './policy-definition.js';

export * from './policy-definition.js';
export { getHighs };

/** Every policy, in the order choices are listed. */
export const POLICIES = [passive, selfish, nash, cooperative, central, external] as const;
export type PolicyName = (typeof POLICIES)[number]['name'];

/** Names accepted by `--policy`, in scenario files, sweep grids and the dashboard. */
export const POLICY_NAMES: readonly PolicyName[] = POLICIES.map((definition) => definition.name);

/** The live table's shadow runs when its map names none. */
export const DEFAULT_LIVE_SHADOWS: readonly PolicyName[] = POLICIES.filter(
  (definition) => (definition as PolicyDefinition).liveShadow !== false,
).map((definition) => definition.name);

export function isPolicyName(name: string): name is PolicyName {
  return (POLICY_NAMES as readonly string[]).includes(name);
}

/** The problem with a name that is no policy, listing every policy of `policies`. */
export function unknownPolicy(name: unknown, policies: readonly PolicyDefinition[] = POLICIES): string {
  const names = policies.map((definition) => definition.name).join(', ');
  return `unknown policy ${JSON.stringify(name)}; expected one of ${names}`;
}

/**
 * A fresh policy instance (policies keep per-home solver state; use one instance per run). Street policies
 * need `context.street`. Throws InputError for an unknown name or a street policy without a street.
 */
export async function createPolicy(
  name: string,
  context: PolicyContext = {},
  policies: readonly PolicyDefinition[] = POLICIES,
): Promise<Policy> {
  return createPolicyWith(await getHighs(), name, context, policies);
}

/** {@link createPolicy} with the solver already loaded (the live table switches policies between steps). */
export function createPolicyWith(
  highs: Highs,
  name: string,
  context: PolicyContext = {},
  policies: readonly PolicyDefinition[] = POLICIES,
): Policy {
  const definition = policies.find((candidate) => candidate.name === name);
  if (!definition) throw new InputError('policy', unknownPolicy(name, policies));
  return definition.create({ ...context, highs, street: context.street ?? noStreet(definition) });
}

/** What a policy does, in one sentence for the room (the name itself for an unknown one). */
export function policyDescription(name: string): string {
  return POLICIES.find((definition) => definition.name === name)?.description ?? name;
}

/** Stands in for the street where there is none: a street policy refuses to be made without it. */
function noStreet(definition: PolicyDefinition): () => PolicyStreet {
  if (definition.needsStreet) {
    throw new InputError(
      'policy',
      `policy "${definition.name}" plans against the street (its limit and voltages): create it with a street context (gridflex run and study do)`,
    );
  }
  return () => {
    throw new Error(`policy "${definition.name}" asked for the street but is defined with needsStreet false`);
  };
}
