/**
 * The Electrification Bus (eBus) vocabulary GridFlex publishes beside its own Homie nodes, so an eBus consumer
 * reads the boards and the street's connection points without knowing GridFlex. Taken from the specification
 * (github.com/electrification-bus/specification): framework.md v0.3.0 (capability types are the `type` of a
 * Homie node, `energy.ebus.capability.*`; device types `energy.ebus.device.*`; a node's ID is the rightmost
 * segment of its type), capabilities/meter.md v0.2, capabilities/soc.md v0.1, data-models/bess.md v0.6 and
 * data-models/utility-meter.md v0.1. Only the properties GridFlex has a value for are listed (eBus: publish
 * what you have, omit what you do not).
 */
import type { HomieDescription, HomieNode, HomieProperty } from './homie.js';

/** eBus's Homie topic domain (framework.md, requirement 11); GridFlex boards stay under `homie/5`. */
export const EBUS_ROOT = 'ebus/5';

/** Topics of an eBus device. */
export const ebusTopics = {
  state: (deviceId: string) => `${EBUS_ROOT}/${deviceId}/$state`,
  description: (deviceId: string) => `${EBUS_ROOT}/${deviceId}/$description`,
  property: (deviceId: string, nodeId: string, propertyId: string) =>
    `${EBUS_ROOT}/${deviceId}/${nodeId}/${propertyId}`,
} as const;

/** A Homie 5 description with the parent-child topology eBus uses (framework.md, "Device Topology"). */
export type EbusDescription = HomieDescription & { root?: string; parent?: string; children?: string[] };

/** The eBus capability types GridFlex publishes, by the node ID the specification's convention gives them. */
export const EBUS_CAPABILITY_TYPES = {
  meter: 'energy.ebus.capability.meter',
  soc: 'energy.ebus.capability.soc',
  info: 'energy.ebus.capability.info',
  status: 'energy.ebus.capability.status',
} as const;
export type EbusCapability = keyof typeof EBUS_CAPABILITY_TYPES;

/** The eBus device types with a data model that GridFlex devices follow. */
export const EBUS_DEVICE_TYPES = {
  /** data-models/bess.md: `info`, `soc` and `meter` (`active-power` positive out of the battery). */
  bess: 'energy.ebus.device.bess',
  /** data-models/utility-meter.md: `info`, `meter`, `status` (`active-power` positive imported). */
  utilityMeter: 'energy.ebus.device.utility-meter',
} as const;
export type EbusDeviceType = (typeof EBUS_DEVICE_TYPES)[keyof typeof EBUS_DEVICE_TYPES];

/** The version of each data model GridFlex follows, for `info/data-model-version`. */
export const EBUS_DATA_MODEL_VERSIONS: Record<EbusDeviceType, string> = {
  'energy.ebus.device.bess': '0.6',
  'energy.ebus.device.utility-meter': '0.1',
};

/** The properties of each capability GridFlex publishes, with the catalogs' IDs, datatypes and units. */
export const EBUS_PROPERTIES = {
  meter: {
    /** W; the reference direction is the device model's: loads and meters positive in, PV and BESS positive out. */
    'active-power': { datatype: 'float', unit: 'W' },
    /** RMS line-to-neutral voltage of each phase of a three-phase meter. */
    'voltage-a': { datatype: 'float', unit: 'V' },
    'voltage-b': { datatype: 'float', unit: 'V' },
    'voltage-c': { datatype: 'float', unit: 'V' },
    /** Cumulative, monotonically non-decreasing. */
    'imported-energy': { datatype: 'float', unit: 'Wh', format: '0:' },
  },
  soc: {
    /** 0 = empty, 100 = full. */
    soc: { datatype: 'float', unit: '%', format: '0:100' },
  },
  info: {
    'vendor-name': { datatype: 'string' },
    'serial-number': { datatype: 'string' },
    'data-model-version': { datatype: 'string' },
    /** Phase positions the meter measures. */
    phases: { datatype: 'integer', format: '1:3' },
    'nominal-frequency': { datatype: 'float', unit: 'Hz' },
    'nominal-voltage-line-to-neutral': { datatype: 'float', unit: 'V' },
  },
  status: {
    'communication-state': { datatype: 'enum', format: 'OK,DEGRADED,LOST,UNKNOWN' },
  },
} as const satisfies Record<EbusCapability, Record<string, HomieProperty>>;

/** An eBus capability node in `$description`, with the listed properties of its catalog. */
export function ebusNode<C extends EbusCapability>(
  capability: C,
  name: string,
  propertyIds: readonly (keyof (typeof EBUS_PROPERTIES)[C] & string)[],
): HomieNode {
  const catalog: Record<string, HomieProperty> = EBUS_PROPERTIES[capability];
  return {
    name,
    type: EBUS_CAPABILITY_TYPES[capability],
    properties: Object.fromEntries(propertyIds.map((id) => [id, catalog[id] as HomieProperty])),
  };
}

/** Watts in eBus from GridFlex kilowatts (load convention: > 0 draws from the grid). */
export function ebusActivePowerW(pKw: number, direction: 'in' | 'out'): number {
  const watts = Math.round(pKw * 1e4) / 10;
  return (direction === 'in' ? watts : -watts) || 0;
}
