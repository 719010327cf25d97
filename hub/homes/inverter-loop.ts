/**
 * The fixed point of PV inverters and the voltages they bring within one step: each inverter's Volt-VAr and
 * Volt-Watt answer the voltage at its connection, and that voltage depends on every inverter's answer. The
 * engine's power flow (hub/engine/participants/power-flow.ts) and the planners' linear voltage model
 * (hub/agents/voltage-rows.ts) both settle their inverters here, so a plan expects what the street then does.
 */

/** Settled when no inverter's output at the voltage it would see differs from its answer by more, kW or kvar. */
export const INVERTER_SETTLED_KW = 1e-3;
/** Passes a step may take; a step not settled by then keeps its last pass. */
export const INVERTER_MAX_PASSES = 40;
/** A pass should leave at most this share of the last pass's widest voltage gap, or the next moves half as far. */
const GAP_SHRINK_WANTED = 0.8;

/** The inverters of one step and what their voltages are, as a power flow or a linear model gives them. */
export interface InverterLoop {
  /** How many inverters answer the voltage. */
  readonly count: number;
  /** The voltage inverter `a` answers now, V. */
  answeredVolts(a: number): number;
  /** How far inverter `a`'s output would move answering `volts` instead, kW or kvar. */
  gapKw(a: number, volts: number): number;
  /** Inverter `a` answers `volts` from now on. */
  answer(a: number, volts: number): void;
  /** The voltage at each inverter's connection with every inverter answering as it does now, V. */
  volts(): ArrayLike<number>;
}

/**
 * Passes of inverters and voltages until every inverter answers the voltage it sees; returns whether they
 * settled. Each pass moves the voltage an inverter answers by a share (`damping`) of its gap to the one it
 * sees: all of it at first, halved whenever the widest gap of an inverter still unsettled does not shrink to
 * GAP_SHRINK_WANTED of the last, as plain substitution swings where Volt-Watt's gain passes 1 (a volt more
 * curtails enough PV to lower the voltage by more than a volt): on the IEEE street it locked into a two-pass
 * swing of 1.9 V. `seen` is the voltages with the inverters as they stand (the caller has solved them once).
 */
export function settleInverters(loop: InverterLoop, seen: ArrayLike<number>): boolean {
  if (loop.count === 0) return true;
  let volts = seen;
  let damping = 1;
  let lastGapVolts = Number.POSITIVE_INFINITY;
  for (let pass = 1; pass < INVERTER_MAX_PASSES; pass++) {
    let gapKw = 0;
    let gapVolts = 0;
    for (let a = 0; a < loop.count; a++) {
      const inverterGapKw = loop.gapKw(a, volts[a] as number);
      gapKw = Math.max(gapKw, inverterGapKw);
      if (inverterGapKw > INVERTER_SETTLED_KW) {
        gapVolts = Math.max(gapVolts, Math.abs((volts[a] as number) - loop.answeredVolts(a)));
      }
    }
    if (gapKw <= INVERTER_SETTLED_KW) return true;
    if (gapVolts > GAP_SHRINK_WANTED * lastGapVolts) damping /= 2;
    lastGapVolts = gapVolts;
    for (let a = 0; a < loop.count; a++) {
      const answered = loop.answeredVolts(a);
      loop.answer(a, answered + damping * ((volts[a] as number) - answered));
    }
    volts = loop.volts();
  }
  return false;
}
