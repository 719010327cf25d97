/**
 * A board's Electrification Bus view (protocol/ebus.ts): beside each GridFlex node whose kind declares an
 * {@link EbusHook}, a `meter` capability node (its power in W, the device model's sign) and a `soc` node (its
 * charge); a board with one such asset whose kind has an eBus data model takes that device type, with the
 * model's `info` (and a utility meter's `status`). The eBus values are derived from the GridFlex readings and go
 * out retained on their own topics, not on `$readings` (the GridFlex reading they come from is there already).
 */
import {
  EBUS_DATA_MODEL_VERSIONS,
  EBUS_DEVICE_TYPES,
  type EbusCapability,
  type EbusDeviceType,
  ebusActivePowerW,
  ebusNode,
} from '../protocol/ebus.js';
import type { HomieNode } from '../protocol/homie.js';
import type { DeviceNode, PropertyValue, PropertyValues } from './kinds/node.js';

/** What a device kind publishes in eBus, from its own `power-kw`, `energy-kwh` and `soc-pct`. */
export interface EbusHook {
  /** `power-kw` as `meter/active-power`, positive into the device (a load, a meter) or out of it (PV, BESS). */
  meter?: 'in' | 'out';
  /** `energy-kwh` (imported) as `meter/imported-energy` in Wh. */
  importedEnergy?: boolean;
  /** `soc-pct` as `soc/soc`. */
  soc?: boolean;
  /** The eBus data model a board with only this asset follows. */
  deviceType?: EbusDeviceType;
}

/** One eBus property and the value it shows. */
export interface EbusValue {
  nodeId: string;
  propertyId: string;
  value: PropertyValue;
}

interface HookedNode {
  hook: EbusHook;
  meterId: string | undefined;
  socId: string | undefined;
}

/** The eBus nodes of one board and how its readings map onto them. */
export class EbusView {
  /** eBus node ID → node, for `$description`. */
  readonly nodes: Record<string, HomieNode> = {};
  /** The board's eBus device type, when it follows a data model. */
  readonly deviceType: EbusDeviceType | undefined;
  /** The values that never change (the data model's `info`, a utility meter's `status`). */
  readonly constants: EbusValue[] = [];
  private readonly hooked = new Map<string, HookedNode>();

  /** @param taken - the board's other node IDs, which eBus nodes do not take. */
  constructor(deviceId: string, nodes: readonly DeviceNode[], taken: readonly string[]) {
    const used = new Set([...nodes.map((node) => node.id), ...taken]);
    // eBus names a node after its capability (`meter`); a second one, or one whose ID a GridFlex node has, is `<node>-<capability>`.
    const claim = (node: DeviceNode, capability: EbusCapability) => {
      const id = used.has(capability) ? `${node.id}-${capability}` : capability;
      used.add(id);
      return id;
    };
    for (const node of nodes) {
      const hook = node.ebus;
      if (hook === undefined) continue;
      const meterId = hook.meter === undefined ? undefined : claim(node, 'meter');
      const socId = hook.soc ? claim(node, 'soc') : undefined;
      if (meterId !== undefined) {
        const properties = hook.importedEnergy
          ? (['active-power', 'imported-energy'] as const)
          : (['active-power'] as const);
        this.nodes[meterId] = ebusNode('meter', `Meter of ${node.id}`, properties);
      }
      if (socId !== undefined) this.nodes[socId] = ebusNode('soc', `State of charge of ${node.id}`, ['soc']);
      this.hooked.set(node.id, { hook, meterId, socId });
    }
    const hooks = [...this.hooked.values()];
    this.deviceType = hooks.length === 1 ? hooks[0]?.hook.deviceType : undefined;
    if (this.deviceType !== undefined) this.describeModel(deviceId, this.deviceType, used);
  }

  /** The eBus values one GridFlex node's readings give. */
  values(nodeId: string, values: PropertyValues): EbusValue[] {
    const hooked = this.hooked.get(nodeId);
    if (hooked === undefined) return [];
    const out: EbusValue[] = [];
    const { hook, meterId, socId } = hooked;
    const power = values['power-kw'];
    if (meterId !== undefined && hook.meter !== undefined && typeof power === 'number')
      out.push({ nodeId: meterId, propertyId: 'active-power', value: ebusActivePowerW(power, hook.meter) });
    const energy = values['energy-kwh'];
    if (meterId !== undefined && hook.importedEnergy && typeof energy === 'number')
      out.push({ nodeId: meterId, propertyId: 'imported-energy', value: Math.round(energy * 1e4) / 10 });
    const soc = values['soc-pct'];
    if (socId !== undefined && typeof soc === 'number')
      out.push({ nodeId: socId, propertyId: 'soc', value: soc });
    return out;
  }

  /** The data model's identity node (and a utility meter's status): `info` is MUST on a BESS. */
  private describeModel(deviceId: string, deviceType: EbusDeviceType, used: Set<string>): void {
    const infoId = used.has('info') ? 'ebus-info' : 'info';
    this.nodes[infoId] = ebusNode('info', 'Identity', ['vendor-name', 'serial-number', 'data-model-version']);
    this.constants.push(
      { nodeId: infoId, propertyId: 'vendor-name', value: 'GridFlex' },
      { nodeId: infoId, propertyId: 'serial-number', value: deviceId },
      { nodeId: infoId, propertyId: 'data-model-version', value: EBUS_DATA_MODEL_VERSIONS[deviceType] },
    );
    if (deviceType !== EBUS_DEVICE_TYPES.utilityMeter) return;
    const statusId = used.has('status') ? 'ebus-status' : 'status';
    this.nodes[statusId] = ebusNode('status', 'Meter status', ['communication-state']);
    this.constants.push({ nodeId: statusId, propertyId: 'communication-state', value: 'OK' });
  }
}
