/**
 * The cables' ratings as rows over a fleet's homes, as central and cooperative keep them. A cable phase carries
 * the current of the homes downstream of it on that phase, √(P² + Q²) / V: at its ampacity their summed net
 * import P may reach √((amps·V)² − Q²). Q is what they draw besides P: their base loads' reactive power and
 * their PV inverters' Volt-VAr, which absorbs up to 44 % of each inverter's kVA above 234.6 V, night or day.
 * Rows at the nominal 230 V and PF 0.95 missed it: on the IEEE 70 % street in winter the trunk's 21 homes on
 * phase A drew at most the row's 37.1 kW, but at a power factor of 0.55-0.85, and the power flow found 178-200 A
 * in its 170 A cable. Rows at the worst Q and V of the band for every step (22.7 kW there) kept every cable, but
 * bound nearly all the time and stalled cooperative's coordination; so each step's row is at the Q and V the
 * plan brings (./voltage-rows.ts, inverterResponses), and a plan that breaks them there is made again under
 * the rows it broke moved to where it would keep them ({@link cableRowsAhead}).
 */
import { baseLoadQKvar } from '../homes/index.js';
import type { SharedLimit } from './coordination.js';
import type { CableLimit, NetworkView } from './fleet.js';
import type { PlanContext } from './policy.js';
import { type InverterResponse, inverterResponses } from './voltage-rows.js';

/**
 * The share of a cable's ampacity its rows plan to (with a voltage model; a plan is checked against the whole):
 * room for what a plan made again as often as the policy does may still break at its own reactive power (the
 * inverters answer the step before's voltage, so a plan moving load off a step tightens the next one's row)
 * and for the linear model's voltages. On 7 winter days of the IEEE 70 % street cooperative's plans loaded
 * the trunk to 101.6 % in the power flow when planned to the whole.
 */
export const CABLE_PLAN_SHARE = 0.98;

/** Nominal line-to-neutral voltage, and the power factor the rows hold without a voltage model. */
const NOMINAL_VOLTS_LN = 230;
const POWER_FACTOR_WITHOUT_INVERTERS = 0.95;

/** A cable's rating in kW at the nominal voltage and PF 0.95: what its rows hold without a voltage model. */
export function nominalRatingKw(cable: CableLimit): number {
  return (cable.amps * NOMINAL_VOLTS_LN * POWER_FACTOR_WITHOUT_INVERTERS) / 1000;
}

/**
 * The cables' rows as shared limits over the fleet's homes m: Σ_m net_m,t ≤ P_t (imports) and −Σ_m net_m,t ≤ P_t
 * (exports) for the homes downstream of each cable phase, every step t, less (plus) the PV their inverters hold
 * back, which they import on top of their plans. P_t is the rating's active power at the lowest voltage of those
 * homes and their reactive power at t (`inverters`, see inverterResponses; a home without: its base load's at
 * 230 V), of `ampsShare` of the ampacity, and at most the rating at 230 V and PF 0.95: rows looser than that
 * where the inverters absorb little let central and cooperative load the IEEE 70 % street's A and B phases
 * further, and phase C rose over the band (28 winter days: cooperative 570 → 1,980 bus-minutes outside it).
 * Without a voltage model (`inverters` undefined) the rows hold the rating at 230 V and PF 0.95.
 */
export function cableLimitRows(
  view: NetworkView,
  steps: number,
  contexts: readonly PlanContext[],
  inverters: readonly (InverterResponse | undefined)[] | undefined,
  ampsShare = 1,
): SharedLimit[] {
  const fleetIndex = new Map(contexts.map(({ home }, m) => [home.id, m]));
  return (view.cables ?? []).flatMap((cable) => {
    const homes = cable.homeIds.flatMap((id) => fleetIndex.get(id) ?? []);
    const coefficients = (sign: number) => {
      const coefficientByHome = new Float64Array(contexts.length);
      for (const m of homes) coefficientByHome[m] = sign;
      return coefficientByHome;
    };
    const ratingKw = inverters
      ? ratingKwByStep(ampsShare * cable.amps, homes, contexts, inverters, steps).map((kw) =>
          Math.min(kw, nominalRatingKw(cable)),
        )
      : new Float64Array(steps).fill(nominalRatingKw(cable));
    const curtailedKw = Float64Array.from({ length: steps }, (_, t) =>
      homes.reduce((total, m) => total + ((inverters?.[m]?.curtailedKw[t] as number) ?? 0), 0),
    );
    const rows: SharedLimit[] = [];
    if (cable.limitsImport) {
      const upperByStep = ratingKw.map((kw, t) => kw - (curtailedKw[t] as number));
      rows.push({ name: `${cable.name} import`, coefficientByHome: coefficients(1), upperByStep });
    }
    if (cable.limitsExport) {
      const upperByStep = ratingKw.map((kw, t) => kw + (curtailedKw[t] as number));
      rows.push({ name: `${cable.name} export`, coefficientByHome: coefficients(-1), upperByStep });
    }
    return rows;
  });
}

/**
 * √((amps·V_t)² − Q_t²) in kW, V_t the lowest voltage among `homes` (none known: 230 V) and Q_t their summed
 * reactive power at t.
 */
function ratingKwByStep(
  amps: number,
  homes: readonly number[],
  contexts: readonly PlanContext[],
  inverters: readonly (InverterResponse | undefined)[],
  steps: number,
): Float64Array {
  return Float64Array.from({ length: steps }, (_, t) => {
    let volts = Number.POSITIVE_INFINITY;
    let kvar = 0;
    for (const m of homes) {
      const { home, forecast } = contexts[m] as PlanContext;
      const inverter = inverters[m];
      // 0: none known (a guess's step the last window did not reach).
      const known = (inverter?.volts[t] as number) ?? 0;
      if (known > 0) volts = Math.min(volts, known);
      kvar += baseLoadQKvar(home, forecast.baseLoadKw[t] as number) + ((inverter?.kvar[t] as number) ?? 0);
    }
    const kva = (amps * (Number.isFinite(volts) ? volts : NOMINAL_VOLTS_LN)) / 1000;
    return Math.sqrt(Math.max(0, kva * kva - kvar * kvar));
  });
}

/** kW a cable's homes draw less in the probe of how its rating moves with what they draw. */
const PROBE_KW = 1;
/** The largest share of a kW drawn less that the rating is taken to fall by: keeps the step ahead finite. */
const LARGEST_FALL_PER_KW = 0.8;

/**
 * `rows` (the network rows at the plan `netImportKw`, its homes' inverters answering as `inverters` from
 * `guess`, the cables' at `ampsShare` of their ampacity) with each cable row the plan breaks moved to where the plan, made again, would keep it. Drawing less
 * through a cable raises its homes' voltages, so their inverters absorb more and the rating's active power falls
 * too: on the IEEE 70 % street's trunk a plan made again under the row at its own reactive power broke it again
 * by about 60 % as much, and three passes left 1-4 kW. With the row's fall per kW drawn less ρ (probed: the
 * cable's homes PROBE_KW less) the row goes to where d kW less meets a row ρ·d lower: U − ρ·(P − U)/(1 − ρ).
 */
export function cableRowsAhead(
  view: NetworkView,
  steps: number,
  contexts: readonly PlanContext[],
  netImportKw: readonly Float64Array[],
  inverters: readonly InverterResponse[] | undefined,
  guess: readonly (InverterResponse | undefined)[],
  rows: readonly SharedLimit[],
  ampsShare: number,
): SharedLimit[] {
  if (!inverters) return [...rows];
  const byName = new Map(rows.map((row, index) => [row.name, index]));
  const ahead = [...rows];
  for (const cable of view.cables ?? []) {
    const alone = { ...view, cables: [cable] };
    let probed: SharedLimit[] | undefined;
    cableLimitRows(alone, steps, contexts, inverters, ampsShare).forEach((row, direction) => {
      const index = byName.get(row.name);
      const drawn = rowTotals(row, netImportKw, steps);
      if (index === undefined || drawn.every((kw, t) => kw <= (row.upperByStep[t] as number))) return;
      const probedAnswer = probedInverters(view, contexts, netImportKw, guess, row);
      probed ??= cableLimitRows(alone, steps, contexts, probedAnswer, ampsShare);
      const lower = (probed[direction] as SharedLimit).upperByStep;
      const upperByStep = row.upperByStep.map((upper, t) => {
        const over = (drawn[t] as number) - upper;
        const fall = Math.min(LARGEST_FALL_PER_KW, (upper - (lower[t] as number)) / PROBE_KW);
        return over > 0 && fall > 0 ? upper - (fall * over) / (1 - fall) : upper;
      });
      ahead[index] = { ...(ahead[index] as SharedLimit), upperByStep };
    });
  }
  return ahead;
}

/** The inverters' answer to the plan with the homes of a cable `row` drawing PROBE_KW less between them. */
function probedInverters(
  view: NetworkView,
  contexts: readonly PlanContext[],
  netImportKw: readonly Float64Array[],
  guess: readonly (InverterResponse | undefined)[],
  row: SharedLimit,
): InverterResponse[] | undefined {
  const homes = row.coefficientByHome.reduce((count, a) => count + (a === 0 ? 0 : 1), 0);
  const probe = netImportKw.map((net, m) => {
    const a = row.coefficientByHome[m] as number;
    return a === 0 ? net : net.map((kw) => kw - (a * PROBE_KW) / homes);
  });
  return inverterResponses(view, contexts, netImportKw[0]?.length ?? 0, probe, guess);
}

/** The row's left side, Σ_m a_m·net_m,t, each step. */
function rowTotals(row: SharedLimit, netImportKw: readonly Float64Array[], steps: number): Float64Array {
  return Float64Array.from({ length: steps }, (_, t) =>
    netImportKw.reduce(
      (total, net, m) => total + (row.coefficientByHome[m] as number) * (net[t] as number),
      0,
    ),
  );
}
