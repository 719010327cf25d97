/**
 * Rooftop PV behind an inverter with the smart-inverter modes Volt-VAr and Volt-Watt.
 * The modes act on the local voltage in the same step: the power flow settles every inverter's answer with
 * the voltages they bring (./inverter-loop.ts), as a real inverter's control settles within seconds.
 */

/** A piecewise-linear curve through (volts, value) points, flat beyond its ends. */
export interface VoltageCurve {
  volts: readonly number[];
  values: readonly number[];
}

export interface PvSpec {
  /** Peak DC power of the panels at 1000 W/m² (kWp). */
  peakKw: number;
  /** AC output limit of the inverter. */
  inverterKw: number;
  /** Apparent-power rating of the inverter; reactive power gets what active power leaves. */
  inverterKva: number;
  /** Share of the DC energy lost before the inverter limit (soiling, temperature, wiring). */
  lossFraction: number;
  /** Reactive power as a fraction of inverterKva against voltage (positive = absorbing, like a load); absent = off. */
  voltVar?: VoltageCurve;
  /** Active-power ceiling as a fraction of inverterKw against voltage; absent = off. */
  voltWatt?: VoltageCurve;
  /**
   * The inverter is on, and gives reactive power, only while the panels offer at least this share of its kVA
   * (%; default PV_CUT_OUT_PCT): it runs on the panels' power, so at night it sleeps. 0: always on.
   */
  cutOutPct?: number;
}

/**
 * OpenDSS's PVSystem default `%CutOut` (the inverter's off below 2 % of its kVA; with `varFollowInverter`, no
 * reactive power then). Reactive power at night drew the IEEE 70 % street's trunk 17 % over its rating.
 */
export const PV_CUT_OUT_PCT = 2;

/** IEEE 1547 category B Volt-VAr on a 230 V base: inject below 0.98 pu, absorb above 1.02 pu, 44 % at the ends. */
export const DEFAULT_VOLT_VAR: VoltageCurve = {
  volts: [211.6, 225.4, 234.6, 248.4],
  values: [-0.44, 0, 0, 0.44],
};

/** IEEE 1547 Volt-Watt on a 230 V base: full output up to 1.06 pu, down to 20 % at 1.10 pu (the statutory 253 V). */
export const DEFAULT_VOLT_WATT: VoltageCurve = {
  volts: [243.8, 253],
  values: [1, 0.2],
};

export function evaluateCurve(curve: VoltageCurve, volts: number): number {
  const { volts: xs, values: ys } = curve;
  const n = xs.length;
  if (n === 0) return 0;
  if (volts <= (xs[0] as number)) return ys[0] as number;
  for (let i = 1; i < n; i++) {
    const x1 = xs[i] as number;
    if (volts <= x1) {
      const x0 = xs[i - 1] as number;
      const y0 = ys[i - 1] as number;
      const y1 = ys[i] as number;
      return x1 === x0 ? y1 : y0 + ((y1 - y0) * (volts - x0)) / (x1 - x0);
    }
  }
  return ys[n - 1] as number;
}

/** What the panels could deliver at the inverter output, before any voltage response. */
export function pvAvailableKw(spec: PvSpec, irradianceWPerM2: number): number {
  const dcKw = (spec.peakKw * Math.max(0, irradianceWPerM2) * (1 - spec.lossFraction)) / 1000;
  return Math.min(dcKw, spec.inverterKw);
}

export interface PvOutput {
  /** Active power delivered (≥ 0). */
  pKw: number;
  /** Available power the Volt-Watt mode held back. */
  curtailedKw: number;
  /** Reactive power drawn by the inverter (positive = absorbing, as a load would). */
  qKvar: number;
}

/** The inverter's output at this step given the panel's available power and the voltage it answers. */
export function pvOutput(spec: PvSpec, availableKw: number, voltsLn: number): PvOutput {
  const ceilingKw = spec.voltWatt ? spec.inverterKw * evaluateCurve(spec.voltWatt, voltsLn) : spec.inverterKw;
  const pKw = Math.min(availableKw, ceilingKw);
  let qKvar = 0;
  const on = availableKw >= ((spec.cutOutPct ?? PV_CUT_OUT_PCT) / 100) * spec.inverterKva;
  if (spec.voltVar && on) {
    const wantedKvar = spec.inverterKva * evaluateCurve(spec.voltVar, voltsLn);
    // Active power has priority: the inverter gives reactive power only from the kVA it has left.
    const headroomKvar = Math.sqrt(Math.max(0, spec.inverterKva * spec.inverterKva - pKw * pKw));
    qKvar = Math.max(-headroomKvar, Math.min(headroomKvar, wantedKvar));
  }
  return { pKw, curtailedKw: availableKw - pKw, qKvar };
}

/** How far apart two outputs of one inverter are: the larger of their active and reactive powers' gaps, kW or kvar. */
export function outputGapKw(a: PvOutput, b: PvOutput): number {
  return Math.max(Math.abs(a.pKw - b.pKw), Math.abs(a.qKvar - b.qKvar));
}
