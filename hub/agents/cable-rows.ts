/**
 * The cables' ratings as rows over a fleet's homes, as central and cooperative keep them. A cable phase carries
 * the current of the homes downstream of it on that phase, √(P² + Q²) / V: at its ampacity their summed net
 * import P may reach √((amps·V)² − Q²). Q is their base loads' reactive power and, while their panels run, their
 * PV inverters' Volt-VAr (up to 44 % of each inverter's kVA above 234.6 V): rows at 230 V and PF 0.95 left the
 * IEEE 70 % street's trunk (21 homes on phase A, 170 A) over its rating at daytime steps.
 *
 * Rows that moved with every pass's reactive power (433b8cb) chased themselves: drawing less lifts the voltages,
 * the inverters absorb more and the row falls again. So a window's cable rows start at the last window's inverter
 * figures, are tightened where its first plans break them at their own ({@link WindowCableRows}), and are then
 * fixed for its remaining passes. At steps whose PV could cover the homes' base loads the rows stay at 230 V and
 * PF 0.95: at midday the Volt-VAr there absorbs more than the trunk's kVA, and a row at 0 kW fought the voltage
 * rows that want import there (7 summer days: central 1,260 -> 4,290 bus-minutes outside the band).
 */
import { baseLoadQKvar } from '../homes/index.js';
import { limitResiduals, type SharedLimit } from './coordination.js';
import type { CableLimit, NetworkView } from './fleet.js';
import type { PlanContext } from './policy.js';
import type { InverterResponse } from './voltage-rows.js';

/**
 * The share of the ampacity the rows plan to (a plan is checked against all of it): room for what the plan made
 * under a row at its first plan's reactive power draws less, and its inverters absorb more for it.
 */
const CABLE_PLAN_SHARE = 0.98;

/** Nominal line-to-neutral voltage, V: the voltage of a step the inverter figures do not reach. */
const NOMINAL_VOLTS_LN = 230;

/**
 * How many checks of a window's plans may tighten its cable rows; later passes keep them as they are. Drawing less
 * through a cable lifts its homes' voltages and their inverters absorb more, so a plan made again under the row
 * at its last plan's reactive power breaks it again by less (zb, before the inverters slept at night: 7 winter
 * days, central, 1 check left 21 segments over, 2 19, 3 none).
 */
const SETTLING_CHECKS = 3;

/**
 * The cables' rows over the fleet's homes m: Σ_m net_m,t ≤ P_t (imports) and −Σ_m net_m,t ≤ P_t (exports) for the
 * homes downstream of each cable phase, every step t. P_t is `ampsShare` of the ampacity's active power at the
 * lowest voltage of those homes and their summed reactive power (`inverters`: base loads' and Volt-VAr), at most
 * the cable's rating at 230 V and PF 0.95; the rating itself without inverter figures or at steps whose PV could
 * cover the homes' base loads.
 */
export function cableLimitRows(
  view: NetworkView,
  steps: number,
  contexts: readonly PlanContext[],
  inverters: readonly (InverterResponse | undefined)[] | undefined,
  ampsShare = CABLE_PLAN_SHARE,
  sunAtRating = true,
): SharedLimit[] {
  const fleetIndex = new Map(contexts.map(({ home }, m) => [home.id, m]));
  return (view.cables ?? []).flatMap((cable) => {
    const homes = cable.homeIds.flatMap((id) => fleetIndex.get(id) ?? []);
    const upperByStep = Float64Array.from({ length: steps }, (_, t) =>
      inverters && !(sunAtRating && pvCoversBaseLoads(homes, contexts, t))
        ? Math.min(cable.ratingKw, activeKw(ampsShare * cable.amps, homes, contexts, inverters, t))
        : cable.ratingKw,
    );
    return rowsOf(cable, homes, contexts.length, upperByStep);
  });
}

/** The import and export rows (those the cable limits) of `cable` over the fleet's `homes`, bound at `upperByStep`. */
function rowsOf(
  cable: CableLimit,
  homes: readonly number[],
  fleetSize: number,
  upperByStep: Float64Array,
): SharedLimit[] {
  const row = (sign: number, direction: string): SharedLimit => {
    const coefficientByHome = new Float64Array(fleetSize);
    for (const m of homes) coefficientByHome[m] = sign;
    return { name: `${cable.name} ${direction}`, coefficientByHome, upperByStep };
  };
  return [
    ...(cable.limitsImport ? [row(1, 'import')] : []),
    ...(cable.limitsExport ? [row(-1, 'export')] : []),
  ];
}

/**
 * A window's cable rows: at the last window's inverter figures, then, at each of the first SETTLING_CHECKS checks
 * of its plans at their own inverter answer that break the whole ampacity there, the tighter of those and the
 * rows at that answer; the passes after keep them as they are.
 */
export class WindowCableRows {
  private checks = 0;
  /** The rows to plan under. */
  rows: SharedLimit[];

  constructor(
    private readonly view: NetworkView,
    private readonly steps: number,
    private readonly contexts: readonly PlanContext[],
    guess: readonly (InverterResponse | undefined)[],
  ) {
    this.rows = cableLimitRows(view, steps, contexts, view.voltage ? guess : undefined);
  }

  /** The rows a plan `netImportKw`, with its inverters answering as `inverters`, is checked against. */
  atPlan(
    netImportKw: readonly Float64Array[],
    inverters: readonly InverterResponse[] | undefined,
  ): SharedLimit[] {
    if (this.checks >= SETTLING_CHECKS || !inverters) return this.rows;
    this.checks++;
    const { view, steps, contexts } = this;
    const atWhole = cableLimitRows(view, steps, contexts, inverters, 1, false);
    if (atWhole.every((row) => keeps(row, netImportKw))) return this.rows;
    // At steps with sun, only where the plan breaks the whole ampacity there.
    const atOwn = cableLimitRows(view, steps, contexts, inverters);
    const atOwnInSun = cableLimitRows(view, steps, contexts, inverters, CABLE_PLAN_SHARE, false);
    this.rows = atOwn.map((row, r) => {
      const before = (this.rows[r] as SharedLimit).upperByStep;
      const broken = residuals(atWhole[r] as SharedLimit, netImportKw);
      const own = (t: number) =>
        ((broken[t] as number) > 1e-6 ? (atOwnInSun[r] as SharedLimit) : row).upperByStep[t] as number;
      return { ...row, upperByStep: before.map((kw, t) => Math.min(kw, own(t))) };
    });
    return this.rows;
  }
}

/** Whether the homes' net imports keep a row at every step. */
function keeps(row: SharedLimit, netImportKw: readonly Float64Array[]): boolean {
  return residuals(row, netImportKw).every((over) => over <= 1e-6);
}

/** How far the homes' net imports go over a row at each step, kW (≤ 0: kept). */
function residuals(row: SharedLimit, netImportKw: readonly Float64Array[]): Float64Array {
  return limitResiduals(row, netImportKw, row.upperByStep.length);
}

/** Whether the forecast PV of `homes` at step t could cover their forecast base loads. */
function pvCoversBaseLoads(homes: readonly number[], contexts: readonly PlanContext[], t: number): boolean {
  let surplusKw = 0;
  for (const m of homes) {
    const { forecast } = contexts[m] as PlanContext;
    surplusKw += (forecast.pvAvailableKw[t] as number) - (forecast.baseLoadKw[t] as number);
  }
  return surplusKw >= 0;
}

/** √((amps·V)² − Q²) in kW at step t, V the lowest voltage among `homes` (none known: 230 V), Q their summed kvar. */
function activeKw(
  amps: number,
  homes: readonly number[],
  contexts: readonly PlanContext[],
  inverters: readonly (InverterResponse | undefined)[],
  t: number,
): number {
  let volts = Number.POSITIVE_INFINITY;
  let kvar = 0;
  for (const m of homes) {
    const { home, forecast } = contexts[m] as PlanContext;
    const inverter = inverters[m];
    // 0: not known (a step of the guess the last window did not reach).
    const known = (inverter?.volts[t] as number) ?? 0;
    if (known > 0) volts = Math.min(volts, known);
    kvar += baseLoadQKvar(home, forecast.baseLoadKw[t] as number) + ((inverter?.kvar[t] as number) ?? 0);
  }
  const kva = (amps * (Number.isFinite(volts) ? volts : NOMINAL_VOLTS_LN)) / 1000;
  return Math.sqrt(Math.max(0, kva * kva - kvar * kvar));
}
