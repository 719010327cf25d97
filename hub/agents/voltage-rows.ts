/**
 * The street's linearised voltage rows over a fleet's homes, as central and cooperative keep them, with each
 * home's reactive power per step. The voltage model (hub/feeder/sensitivity.ts) is linearised with every home
 * at 1 kW and 0.95 PF; a row that held every home's reactive power there missed what the homes really draw:
 * a light base load draws a fraction of it, and each PV inverter's Volt-VAr absorbs up to 44 % of its kVA
 * whenever its voltage was above 234.6 V, night or day. On the IEEE 70 % street in winter that lifted the
 * lightly loaded phase C over 253 V beside the A and B phases' night charging by about a volt more than the
 * rows planned (central and cooperative kept every row and the power flow still found the bus-minutes).
 * In summer the inverters' Volt-Watt holds back PV the plans counted on: on the IEEE 70 % street the A and B
 * phases' homes then export less, and the neutral's shift lifts phase C about 2 V over what the rows planned.
 * So the rows hold each inverter's whole answer, Volt-VAr and Volt-Watt, to the voltages the plan brings.
 */
import type { VoltageSensitivity } from '../feeder/index.js';
import {
  answersVoltage,
  baseLoadQKvar,
  homeExportBoundKw,
  homeImportBoundKw,
  outputGapKw,
  type PvSpec,
  pvOutput,
  settleInverters,
} from '../homes/index.js';
import type { SharedLimit } from './coordination.js';
import type { NetworkView } from './fleet.js';
import type { PlanContext } from './policy.js';

/**
 * How far inside the band central and cooperative keep the rows, V: what the rows miss even at a plan's own
 * reactive power (the power flow's curvature, the inverters answering the power flow's voltages rather than
 * the model's): on two winter days of the IEEE 70 % street, up to 0.16 V over 253 V. Seven winter days:
 * central 450 bus-minutes outside the band without it, 30 with it; planned 0.2 V inside, central bought
 * 0.4 kW more peak to keep it and its social cost came out 1.4 % above cooperative's.
 */
export const VOLTAGE_MARGIN_VOLTS = 0.1;

/**
 * What central's joint LP and cooperative's master pay for each unit a network row is still broken by, per step
 * (a voltage row's volt, a cable's or the street's kW), £: what keeps their problems feasible when no plan keeps
 * a row. One price, so the two policies give way alike (central had £50, cooperative's master £1,000); on the
 * table street's 14 June days with a community battery, cooperative's largest duality gap fell from £481.12 to
 * £21.66 at £50, its social cost from £183.66 to £183.44, central's unchanged.
 */
export const ROW_VIOLATION_GBP_PER_UNIT = 50;

/** The voltage model's load of each home of the fleet, in the fleet's order. */
function fleetLoads(
  loadCount: number,
  homeIds: readonly string[] | undefined,
  contexts: readonly PlanContext[],
): number[] {
  if (homeIds === undefined) {
    if (contexts.length !== loadCount) {
      throw new Error(
        `the street's voltage model has ${loadCount} homes but ${contexts.length} plan together; name the model's homes (NetworkView.voltage.homeIds)`,
      );
    }
    return contexts.map((_, h) => h);
  }
  return contexts.map(({ home }) => {
    const load = homeIds.indexOf(home.id);
    if (load < 0) throw new Error(`home ${home.id} is not one of the street's voltage model's homes`);
    return load;
  });
}

/** What a home's PV inverter does per step under a plan: as the engine runs it (hub/homes/pv.ts). */
export interface InverterResponse {
  /** Reactive power its Volt-VAr draws, kvar (absorbing positive). */
  kvar: Float64Array;
  /** PV its Volt-Watt holds back, kW: the home imports that much more than its plan counted on. */
  curtailedKw: Float64Array;
  /** The voltage at the home's connection with every inverter answering, settled, V (where the next step starts). */
  volts: Float64Array;
}

/**
 * Each home's reactive power above the model's base, kvar per step: its forecast base load's, plus its PV
 * inverter's (`inverters`; none: 0).
 */
function extraReactiveKvar(
  model: VoltageSensitivity,
  loads: readonly number[],
  contexts: readonly PlanContext[],
  steps: number,
  inverters: readonly (InverterResponse | undefined)[] | undefined,
): Float64Array[] {
  return contexts.map(({ home, forecast }, m) => {
    const baseQKvar = model.baseQKvar[loads[m] as number] as number;
    const inverter = inverters?.[m]?.kvar;
    return Float64Array.from(
      { length: steps },
      (_, t) =>
        baseLoadQKvar(home, forecast.baseLoadKw[t] as number) + ((inverter?.[t] as number) ?? 0) - baseQKvar,
    );
  });
}

/**
 * Voltage rows as shared limits over the fleet's homes m, every step t:
 *   Σ_m (−dV/dP)·net_m,t ≤ V0 − Σ_m dV/dP·net0_m + Σ_m dV/dQ·(q_m,t − q0_m) − Vmin
 * (the street's other homes at their base load net0, q0), and where some plan could reach it the band's top;
 * both `marginVolts` inside the band. q_m,t is home m's reactive power: its forecast base load's and its
 * inverter's; the PV its inverter holds back adds to net_m,t (`inverters`, see {@link inverterResponses};
 * undefined: none).
 */
export function voltageLimits(
  view: NetworkView,
  steps: number,
  contexts: readonly PlanContext[],
  inverters?: readonly (InverterResponse | undefined)[],
  marginVolts = 0,
): SharedLimit[] {
  if (!view.voltage) return [];
  const { model, homeIds } = view.voltage;
  const minVolts = view.voltage.minVolts + marginVolts;
  const maxVolts = view.voltage.maxVolts === undefined ? undefined : view.voltage.maxVolts - marginVolts;
  const loads = fleetLoads(model.loadCount, homeIds, contexts);
  const extraQKvar = extraReactiveKvar(model, loads, contexts, steps, inverters);
  return model.rows.flatMap((row, r) => {
    const at = (load: number) => r * model.loadCount + load;
    const slopes = loads.map((load) => model.dVdPKw[at(load)] as number);
    let baseVolts = model.voltsAtBase[r] as number;
    loads.forEach((load, m) => {
      baseVolts -= (slopes[m] as number) * (model.basePKw[load] as number);
    });
    // The voltage each step with every home of the fleet at zero planned net import.
    const interceptByStep = Float64Array.from({ length: steps }, (_, t) =>
      loads.reduce(
        (volts, load, m) =>
          volts +
          (model.dVdQKvar[at(load)] as number) * ((extraQKvar[m] as Float64Array)[t] as number) +
          (slopes[m] as number) * ((inverters?.[m]?.curtailedKw[t] as number) ?? 0),
        baseVolts,
      ),
    );
    const limit = (sign: number, upperByStep: Float64Array, edge: string): SharedLimit => ({
      name: `voltage at bus ${row.bus} phase ${row.phase}${edge}`,
      coefficientByHome: Float64Array.from(slopes, (slope) => sign * slope),
      upperByStep,
    });
    const lower = limit(
      -1,
      interceptByStep.map((volts) => volts - minVolts),
      '',
    );
    // The upper edge only where some plan could reach it (a light, unbalanced or exporting street).
    const highestRiseVolts = slopes.reduce((volts, slope, m) => {
      const home = (contexts[m] as PlanContext).home;
      return volts + Math.max(slope * homeImportBoundKw(home), -slope * homeExportBoundKw(home));
    }, 0);
    return maxVolts !== undefined && Math.max(...interceptByStep) + highestRiseVolts > maxVolts
      ? [
          lower,
          limit(
            1,
            interceptByStep.map((volts) => maxVolts - volts),
            ' (maximum)',
          ),
        ]
      : [lower];
  });
}

/**
 * What each home's PV inverter does, per step, when the homes run the plan `netImportKw`: its Volt-VAr and
 * Volt-Watt answer to the voltage at its connection in the same step, as the linear model predicts it, settled
 * with every other inverter's answer as the engine's power flow settles them (hub/homes/inverter-loop.ts), and
 * that voltage. Step 0 starts from the voltage the plan brings with `guess` (e.g. the last window's figures;
 * none: the inverters idle), each later step from the step before's. Undefined without a voltage model.
 */
export function inverterResponses(
  view: NetworkView,
  contexts: readonly PlanContext[],
  steps: number,
  netImportKw: readonly Float64Array[],
  guess?: readonly (InverterResponse | undefined)[],
): InverterResponse[] | undefined {
  if (!view.voltage) return undefined;
  const voltsAt = linearVolts(view.voltage, contexts, steps, netImportKw);
  const inverters = contexts.map(() => ({
    kvar: new Float64Array(steps),
    curtailedKw: new Float64Array(steps),
    volts: new Float64Array(steps),
  }));
  // This step's answers, home by home (0 for a home whose inverter does not answer the voltage).
  const kvar = Float64Array.from(contexts, (_, m) => (guess?.[m]?.kvar[0] as number) ?? 0);
  const curtailedKw = Float64Array.from(contexts, (_, m) => (guess?.[m]?.curtailedKw[0] as number) ?? 0);
  const answered = voltsAt(0, kvar, curtailedKw);
  const answering = contexts.flatMap(({ home }, m) => (answersVoltage(home) ? [m] : []));
  for (let t = 0; t < steps; t++) {
    const outputAt = (m: number, volts: number) => {
      const { home, forecast } = contexts[m] as PlanContext;
      return pvOutput(home.pv as PvSpec, forecast.pvAvailableKw[t] as number, volts);
    };
    const answer = (m: number, volts: number) => {
      const out = outputAt(m, volts);
      answered[m] = volts;
      kvar[m] = out.qKvar;
      curtailedKw[m] = out.curtailedKw;
    };
    for (const m of answering) answer(m, answered[m] as number);
    let seen = voltsAt(t, kvar, curtailedKw);
    settleInverters(
      {
        count: answering.length,
        answeredVolts: (a) => answered[answering[a] as number] as number,
        gapKw: (a, volts) => {
          const m = answering[a] as number;
          return outputGapKw(outputAt(m, answered[m] as number), outputAt(m, volts));
        },
        answer: (a, volts) => answer(answering[a] as number, volts),
        volts: () => {
          seen = voltsAt(t, kvar, curtailedKw);
          return answering.map((m) => seen[m] as number);
        },
      },
      answering.map((m) => seen[m] as number),
    );
    inverters.forEach((inverter, m) => {
      inverter.kvar[t] = kvar[m] as number;
      inverter.curtailedKw[t] = curtailedKw[m] as number;
      inverter.volts[t] = seen[m] as number;
    });
  }
  return inverters;
}

/**
 * The linear model's voltage at each home of the fleet at step t, with the homes running the plan `netImportKw`,
 * drawing their forecast base load's reactive power, and their inverters answering with `kvar` and `curtailedKw`
 * (the PV held back, which the home imports on top of its plan).
 */
function linearVolts(
  voltage: NonNullable<NetworkView['voltage']>,
  contexts: readonly PlanContext[],
  steps: number,
  netImportKw: readonly Float64Array[],
): (t: number, kvar: Float64Array, curtailedKw: Float64Array) => Float64Array {
  const { model, homeIds } = voltage;
  const loads = fleetLoads(model.loadCount, homeIds, contexts);
  const rowOfHome = loads.map((load) => (model.rowsOfLoad[load] as number[])[0] as number);
  const baseQ = extraReactiveKvar(model, loads, contexts, steps, undefined);
  return (t, kvar, curtailedKw) =>
    Float64Array.from(rowOfHome, (r) => {
      let volts = model.voltsAtBase[r] as number;
      loads.forEach((load, m) => {
        const at = r * model.loadCount + load;
        const net = ((netImportKw[m] as Float64Array)[t] as number) + (curtailedKw[m] as number);
        volts += (model.dVdPKw[at] as number) * (net - (model.basePKw[load] as number));
        volts +=
          (model.dVdQKvar[at] as number) * (((baseQ[m] as Float64Array)[t] as number) + (kvar[m] as number));
      });
      return volts;
    });
}
