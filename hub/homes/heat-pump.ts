/**
 * An air-source heat pump heating a house modelled as one thermal resistance R (to outdoors) and one
 * capacitance C (the fabric and air): C·dT/dt = Q_heat + Q_gains − (T − T_out)/R.
 */
export interface HeatPumpSpec {
  /** Electrical input limit. */
  maxElectricKw: number;
  /** Coefficient of performance at 7 °C outdoors. */
  copAt7C: number;
  /** How much the COP rises per °C of outdoor temperature. */
  copSlopePerC: number;
  /** Lowest COP the unit reaches in deep cold. */
  copMin: number;
}

export interface ThermalSpec {
  /** Thermal resistance house → outdoors (°C per kW of heat flow); 1/R is the heat-loss coefficient. */
  resistanceCPerKw: number;
  /** Thermal capacitance (kWh per °C). */
  capacitanceKwhPerC: number;
  /** Steady internal and solar gains (people, appliances, sun). */
  gainsKw: number;
}

/** COP falls as it gets colder; a linear fit with a floor (GB seasonal median ≈ 2.8). */
export function heatPumpCop(spec: HeatPumpSpec, outdoorC: number): number {
  return Math.max(spec.copMin, spec.copAt7C + spec.copSlopePerC * (outdoorC - 7));
}

/**
 * Exact one-step discretisation for a constant heat input over dtHours:
 * T_next = decay·T + (1 − decay)·(T_out + R·(Q_heat + gains)). Linear in Q_heat, so an LP can use it.
 */
export function thermalDecay(spec: ThermalSpec, dtHours: number): number {
  return Math.exp(-dtHours / (spec.resistanceCPerKw * spec.capacitanceKwhPerC));
}

export function nextIndoorC(
  spec: ThermalSpec,
  indoorC: number,
  outdoorC: number,
  heatKw: number,
  dtHours: number,
): number {
  const decay = thermalDecay(spec, dtHours);
  return decay * indoorC + (1 - decay) * (outdoorC + spec.resistanceCPerKw * (heatKw + spec.gainsKw));
}

/** Heat needed over the step to end it at targetC (may be negative: the house would overshoot unheated). */
export function heatToReachKw(
  spec: ThermalSpec,
  indoorC: number,
  outdoorC: number,
  targetC: number,
  dtHours: number,
): number {
  const decay = thermalDecay(spec, dtHours);
  const equilibriumC = (targetC - decay * indoorC) / (1 - decay);
  return (equilibriumC - outdoorC) / spec.resistanceCPerKw - spec.gainsKw;
}
