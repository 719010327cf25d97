/**
 * The Homie 5 and Electrification Bus rules the conformance tests check, written out from the two texts (not
 * taken from protocol/, so a check does not share a mistake with the code it checks). Homie 5: topic IDs,
 * `$description`, each property payload for its datatype and inside its `$format`. eBus
 * (github.com/electrification-bus/specification): capability catalogs and the data models' MUST nodes.
 */
import { isUtf8 } from 'node:buffer';

/** A Homie topic level ID: lower-case letters, digits and hyphens, not starting or ending with a hyphen. */
export const HOMIE_ID = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;
const INTEGER = /^-?[0-9]+$/;
const FLOAT = /^-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$/;
const NUMBER_FORMAT = /^(-?[0-9.eE+-]*):(-?[0-9.eE+-]*)(?::([0-9.eE+-]+))?$/;
export const STATES = ['init', 'ready', 'disconnected', 'sleeping', 'lost'];
const DATATYPES = ['integer', 'float', 'boolean', 'string', 'enum', 'color', 'datetime', 'duration', 'json'];
/** Extension IDs: `<reverse domain>:<version>:[<homie versions>]`. */
const EXTENSION = /^[a-z0-9.-]+:[0-9]+\.[0-9]+\.[0-9]+:\[[0-9x.;]+\]$/;

export interface Property {
  datatype: string;
  format?: string;
  retained?: boolean;
  settable?: boolean;
  unit?: string;
}
export interface Description {
  homie: string;
  version: number;
  type?: string;
  /** Homie 5's parent-child topology: the root's and the parent's IDs, the children's. */
  root?: string;
  parent?: string;
  children?: string[];
  nodes?: Record<string, { type?: string; properties?: Record<string, Property> }>;
  extensions?: string[];
}

/**
 * The Electrification Bus rules, written out from its specification (electrification-bus/specification:
 * framework.md, capabilities/meter.md, capabilities/soc.md, data-models/bess.md, data-models/utility-meter.md):
 * the catalog of each capability GridFlex uses (ID → datatype and unit), and the capabilities and properties a
 * device type's data model says MUST be there.
 */
export const EBUS_CATALOG: Record<string, Record<string, { datatype: string; unit?: string }>> = {
  'energy.ebus.capability.meter': {
    'active-power': { datatype: 'float', unit: 'W' },
    'imported-energy': { datatype: 'float', unit: 'Wh' },
    'exported-energy': { datatype: 'float', unit: 'Wh' },
    voltage: { datatype: 'float', unit: 'V' },
    'voltage-a': { datatype: 'float', unit: 'V' },
    'voltage-b': { datatype: 'float', unit: 'V' },
    'voltage-c': { datatype: 'float', unit: 'V' },
    current: { datatype: 'float', unit: 'A' },
    frequency: { datatype: 'float', unit: 'Hz' },
  },
  'energy.ebus.capability.soc': {
    soc: { datatype: 'float', unit: '%' },
    soe: { datatype: 'float', unit: 'kWh' },
  },
  'energy.ebus.capability.info': {
    'vendor-name': { datatype: 'string' },
    'serial-number': { datatype: 'string' },
    'product-name': { datatype: 'string' },
    'data-model-version': { datatype: 'string' },
    phases: { datatype: 'integer' },
    'nominal-frequency': { datatype: 'float', unit: 'Hz' },
    'nominal-voltage-line-to-neutral': { datatype: 'float', unit: 'V' },
  },
  'energy.ebus.capability.status': {
    'communication-state': { datatype: 'enum' },
  },
};
/** Data model → capability type → the properties it MUST publish ([] where the node itself must be there). */
export const EBUS_DATA_MODELS: Record<string, Record<string, string[]>> = {
  'energy.ebus.device.bess': {
    'energy.ebus.capability.info': ['vendor-name', 'serial-number'],
    'energy.ebus.capability.soc': ['soc'],
    'energy.ebus.capability.meter': ['active-power'],
  },
  'energy.ebus.device.utility-meter': {
    'energy.ebus.capability.info': [],
    'energy.ebus.capability.meter': [],
    'energy.ebus.capability.status': [],
  },
};

/** Why a device's eBus nodes break the eBus rules, one line each. */
export function ebusProblems(description: Description): string[] {
  const problems: string[] = [];
  const nodes = Object.entries(description.nodes ?? {});
  for (const [nodeId, node] of nodes) {
    if (!node.type?.startsWith('energy.ebus.')) continue;
    const catalog = EBUS_CATALOG[node.type];
    if (catalog === undefined) {
      problems.push(`${nodeId}: ${node.type} is not a capability GridFlex checks`);
      continue;
    }
    // A node's ID is its type's rightmost segment, or ends with it when another node has that ID.
    const segment = node.type.split('.').at(-1) as string;
    if (nodeId !== segment && !nodeId.endsWith(`-${segment}`))
      problems.push(`${nodeId}: not named ${segment}`);
    for (const [propertyId, property] of Object.entries(node.properties ?? {})) {
      const spec = catalog[propertyId];
      if (spec === undefined) problems.push(`${nodeId}/${propertyId}: not in the ${segment} catalog`);
      else if (spec.datatype !== property.datatype || spec.unit !== property.unit)
        problems.push(
          `${nodeId}/${propertyId}: ${property.datatype} ${property.unit} is not ${spec.datatype} ${spec.unit}`,
        );
    }
  }
  const model = description.type?.startsWith('energy.ebus.device.') ? EBUS_DATA_MODELS[description.type] : {};
  if (model === undefined) problems.push(`device type ${description.type} has no data model GridFlex checks`);
  for (const [capability, required] of Object.entries(model ?? {})) {
    const node = nodes.find(([, candidate]) => candidate.type === capability)?.[1];
    if (node === undefined) problems.push(`${description.type} without its ${capability} node`);
    for (const propertyId of required)
      if (node?.properties?.[propertyId] === undefined)
        problems.push(`${description.type} without ${propertyId}`);
  }
  return problems;
}

/** Why a `$description` breaks Homie 5, one line each. */
export function descriptionProblems(description: Description): string[] {
  const problems: string[] = [];
  if (!/^5\.[0-9]+$/.test(description.homie)) problems.push(`homie "${description.homie}" is not 5.x`);
  if (!Number.isInteger(description.version)) problems.push('version is not an integer');
  for (const id of [description.root, description.parent, ...(description.children ?? [])])
    if (id !== undefined && !HOMIE_ID.test(id)) problems.push(`device ID "${id}" in the topology`);
  for (const extension of description.extensions ?? [])
    if (!EXTENSION.test(extension)) problems.push(`extension "${extension}" is not id:version:[homie]`);
  for (const [nodeId, node] of Object.entries(description.nodes ?? {})) {
    if (!HOMIE_ID.test(nodeId)) problems.push(`node ID "${nodeId}"`);
    for (const [propertyId, property] of Object.entries(node.properties ?? {})) {
      const where = `${nodeId}/${propertyId}`;
      if (!HOMIE_ID.test(propertyId)) problems.push(`property ID "${where}"`);
      if (!DATATYPES.includes(property.datatype)) problems.push(`${where}: datatype "${property.datatype}"`);
      const problem = formatProblem(property);
      if (problem) problems.push(`${where}: ${problem}`);
    }
  }
  return problems;
}

function formatProblem(property: Property): string | null {
  if (property.datatype === 'enum') return property.format ? null : 'an enum needs its values in $format';
  if (property.format === undefined || !['integer', 'float'].includes(property.datatype)) return null;
  const match = NUMBER_FORMAT.exec(property.format);
  if (!match) return `$format "${property.format}" is not [min]:[max][:step]`;
  const [min, max] = [match[1], match[2]].map((side) => (side === '' ? undefined : Number(side)));
  if ([min, max].some((side) => side !== undefined && !Number.isFinite(side)))
    return `$format "${property.format}" has a bound that is not a number`;
  if (min !== undefined && max !== undefined && min > max) return `$format "${property.format}": min > max`;
  return null;
}

/** Why a property payload is not what Homie 5 writes for its datatype and `$format`, or null. */
export function payloadProblem(payload: Buffer, property: Property): string | null {
  if (payload.length === 0) return 'empty payload (it would delete a retained value)';
  if (!isUtf8(payload)) return 'not UTF-8';
  const text = payload.toString('utf8');
  if (text === '\u0000') return property.datatype === 'string' ? null : 'the empty string for a non-string';
  switch (property.datatype) {
    case 'integer':
    case 'float': {
      if (!(property.datatype === 'integer' ? INTEGER : FLOAT).test(text))
        return `"${text}" is not a ${property.datatype}`;
      const match = NUMBER_FORMAT.exec(property.format ?? ':');
      const [min, max] = [match?.[1], match?.[2]].map((side) => (side ? Number(side) : undefined));
      const value = Number(text);
      if ((min !== undefined && value < min) || (max !== undefined && value > max))
        return `${text} is outside ${property.format}`;
      return null;
    }
    case 'boolean':
      return text === 'true' || text === 'false' ? null : `"${text}" is not true or false`;
    case 'enum':
      return (property.format ?? '').split(',').includes(text)
        ? null
        : `"${text}" is not one of ${property.format}`;
    case 'string':
      return null;
    default:
      return `datatype ${property.datatype} is not one GridFlex boards publish`;
  }
}
