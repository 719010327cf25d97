/**
 * Hardware in the loop: one live Homie 5 device property read as a model variable. It follows the device's
 * `$state`, `$description` and the property's value, and says each step either the value (kW, load
 * convention: PV output is negative) or why the model must drive the variable instead. Pure: the live hub
 * feeds it the device's messages (hub/live/extensions/pins.ts).
 */
import { HomieDescriptionSchema, type HomieProperty, parseHomieValue } from '../../protocol/homie.js';
import { safeJson } from '../json-payload.js';
import type { PinSpec } from '../table/pins-config.js';

/** Units each variable can be read from, and what a value is divided by (`%` is light, then × the PV peak). */
const UNITS: Record<PinSpec['variable'], Record<string, number>> = {
  pv: { '%': 100 },
  load: { W: 1000, kW: 1 },
};

export type SensorValue = { ok: true; kw: number } | { ok: false; reason: string };

export class PinnedSensor {
  private state: string | undefined;
  /** The property read and its description, or why the description offers none. */
  private property: { path: string; spec: HomieProperty } | { problem: string } = {
    problem: 'no $description yet',
  };
  private readonly payloads = new Map<string, { payload: Buffer; step: number }>();

  constructor(readonly spec: PinSpec) {}

  /** The property being read (`<node>/<property>`), once the description named it. */
  get propertyPath(): string {
    return 'path' in this.property
      ? this.property.path
      : (this.spec.property ?? '(first property in W or kW)');
  }

  onState(state: string): void {
    this.state = state;
  }

  onDescription(payload: Buffer): void {
    const parsed = HomieDescriptionSchema.safeParse(safeJson(payload));
    this.property = parsed.success
      ? this.pick(parsed.data.nodes ?? {})
      : { problem: `its $description is not Homie 5 (${parsed.error.issues[0]?.message ?? 'invalid'})` };
  }

  /** A property value arrived at `step` (kept whatever the property: the description may come later). */
  onValue(path: string, payload: Buffer, step: number): void {
    this.payloads.set(path, { payload, step });
  }

  /** The variable's value at `step`, or why there is none. */
  valueAt(step: number): SensorValue {
    const { device } = this.spec;
    if (this.state !== 'ready')
      return { ok: false, reason: `${device} is ${this.state ?? 'not on the broker'}` };
    if ('problem' in this.property) return { ok: false, reason: `${device}: ${this.property.problem}` };
    const { path, spec } = this.property;
    const last = this.payloads.get(path);
    if (!last) return { ok: false, reason: `no reading from ${device} ${path} yet` };
    const { staleSteps } = this.spec;
    if (staleSteps !== undefined && step - last.step > staleSteps)
      return { ok: false, reason: `no reading from ${device} ${path} for ${step - last.step} steps` };
    const value = parseHomieValue(last.payload, spec);
    if (!value.ok || typeof value.value !== 'number')
      return { ok: false, reason: `${device} ${path}: ${value.ok ? 'not a number' : value.reason}` };
    return { ok: true, kw: this.toKw(value.value, spec.unit ?? '') };
  }

  private toKw(value: number, unit: string): number {
    const scaled = value / (UNITS[this.spec.variable][unit] ?? Number.NaN);
    // Light in % gives the PV output: generation is negative in the load convention.
    return this.spec.variable === 'pv' ? -scaled * (this.spec.kwp ?? 0) : scaled;
  }

  /** The pinned property, or the first numeric one in a unit the variable takes. */
  private pick(
    nodes: Record<string, { properties?: Record<string, HomieProperty> | undefined }>,
  ): { path: string; spec: HomieProperty } | { problem: string } {
    const units = Object.keys(UNITS[this.spec.variable]);
    const usable = (property: HomieProperty) =>
      (property.datatype === 'float' || property.datatype === 'integer') &&
      units.includes(property.unit ?? '');
    const wanted = this.spec.property;
    for (const [nodeId, node] of Object.entries(nodes)) {
      for (const [propertyId, property] of Object.entries(node.properties ?? {})) {
        const path = `${nodeId}/${propertyId}`;
        if (wanted === null) {
          if (usable(property)) return { path, spec: property };
          continue;
        }
        if (path !== wanted) continue;
        if (usable(property)) return { path, spec: property };
        return {
          problem: `${path} is a ${property.datatype} in ${JSON.stringify(property.unit ?? '')}, not a number in ${units.join(' or ')}`,
        };
      }
    }
    return {
      problem:
        wanted === null
          ? `no property in ${units.join(' or ')} in its $description`
          : `no property ${wanted} in its $description`,
    };
  }
}
