/** An electrical store (home battery or EV battery): energy in kWh, power at the AC terminals in kW. */
export interface StorageSpec {
  capacityKwh: number;
  maxChargeKw: number;
  maxDischargeKw: number;
  /** AC-to-AC round-trip efficiency (0–1], split evenly between charging and discharging. */
  roundTripEfficiency: number;
}

export function chargeEfficiency(spec: StorageSpec): number {
  return Math.sqrt(spec.roundTripEfficiency);
}

/**
 * Applies a requested AC power (positive = charging) for dtHours, clamped to the power limits, the
 * remaining capacity and the stored energy. Returns the power actually drawn and the new state of charge.
 */
export function applyStoragePower(
  spec: StorageSpec,
  socKwh: number,
  requestedKw: number,
  dtHours: number,
): { pKw: number; socKwh: number } {
  const eta = chargeEfficiency(spec);
  if (requestedKw > 0) {
    const roomKw = Math.max(0, spec.capacityKwh - socKwh) / (eta * dtHours);
    const pKw = Math.min(requestedKw, spec.maxChargeKw, roomKw);
    return { pKw, socKwh: Math.min(spec.capacityKwh, socKwh + pKw * eta * dtHours) };
  }
  if (requestedKw < 0) {
    const availableKw = (Math.max(0, socKwh) * eta) / dtHours;
    const pKw = -Math.min(-requestedKw, spec.maxDischargeKw, availableKw);
    return { pKw, socKwh: Math.max(0, socKwh + (pKw * dtHours) / eta) };
  }
  return { pKw: 0, socKwh };
}
