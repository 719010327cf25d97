import { type HeatPumpSpec, heatPumpCop, nextIndoorC, type ThermalSpec } from './heat-pump.js';
import { outputGapKw, type PvOutput, type PvSpec, pvAvailableKw, pvOutput } from './pv.js';
import { applyStoragePower, type StorageSpec } from './storage.js';

/** What the resident wants; the agent works for these. */
export interface ResidentPreferences {
  /** Weights of the objective: £ of cost, kg CO2 (valued at carbonValueGbpPerKg) and kWh imported (autarky). */
  weights: { cost: number; carbon: number; autarky: number };
  comfortMinC: number;
  comfortMaxC: number;
  /** Minutes after midnight by which the EV must reach evTargetSocPct on trip days. */
  evReadyByMinute: number;
  evTargetSocPct: number;
  /** Chance the resident accepts a tariff switch the agent recommends (0–1). */
  switchWillingness: number;
}

export interface HomeSpec {
  id: string;
  /** Feeder bus and phase the home is connected to. */
  bus: string;
  phase: 'A' | 'B' | 'C';
  /** Power factor of the base load (lagging). */
  baseLoadPowerFactor: number;
  pv?: PvSpec;
  battery?: StorageSpec & { initialSocPct: number };
  ev?: StorageSpec & { initialSocPct: number };
  heatPump?: HeatPumpSpec & { thermal: ThermalSpec; initialIndoorC: number };
  preferences: ResidentPreferences;
}

/** A generous bound on a home's base load, kW, for whether any plan could reach a network limit. */
const BASE_LOAD_BOUND_KW = 8;

/** The most a home could import in a step, kW (a bound, not a forecast). */
export function homeImportBoundKw(home: HomeSpec): number {
  return (
    BASE_LOAD_BOUND_KW +
    (home.ev?.maxChargeKw ?? 0) +
    (home.heatPump?.maxElectricKw ?? 0) +
    (home.battery?.maxChargeKw ?? 0)
  );
}

/** The most a home could export in a step, kW (a bound, not a forecast). */
export function homeExportBoundKw(home: HomeSpec): number {
  return (home.pv?.inverterKw ?? 0) + (home.battery?.maxDischargeKw ?? 0);
}

export interface HomeState {
  batterySocKwh: number;
  evSocKwh: number;
  indoorC: number;
}

export function initialHomeState(home: HomeSpec): HomeState {
  return {
    batterySocKwh: home.battery ? (home.battery.capacityKwh * home.battery.initialSocPct) / 100 : 0,
    evSocKwh: home.ev ? (home.ev.capacityKwh * home.ev.initialSocPct) / 100 : 0,
    indoorC: home.heatPump?.initialIndoorC ?? home.preferences.comfortMinC,
  };
}

/** The controllable powers an agent sets for one step (kW, positive = drawn from the home's wiring). */
export interface HomeSetpoints {
  batteryKw: number;
  evKw: number;
  heatPumpKw: number;
}

/** The world around one home during one step. */
export interface HomeStepInputs {
  dtHours: number;
  baseLoadKw: number;
  irradianceWPerM2: number;
  outdoorC: number;
  /**
   * Line-to-neutral voltage the PV inverter answers: at first the last step's; the power flow then settles it
   * at this step's own (`answerVoltage`).
   */
  voltsLn: number;
  evAtHome: boolean;
  /** Energy a trip takes from the EV at this step (it leaves now). */
  evTripKwh: number;
}

/** What happened in one home during one step. Powers are step averages in kW. */
export interface HomeStepResult {
  /** Net power drawn from the feeder (negative = export). */
  pKw: number;
  qKvar: number;
  importKwh: number;
  exportKwh: number;
  baseLoadKw: number;
  pvKw: number;
  pvCurtailedKw: number;
  batteryKw: number;
  evKw: number;
  heatPumpKw: number;
  heatKw: number;
  /** Trip energy the EV needed but did not have (kWh). */
  evTripShortfallKwh: number;
}

/** Reactive power of the base load at `baseLoadKw`, kvar (lagging; the devices run at unity power factor). */
export function baseLoadQKvar(home: HomeSpec, baseLoadKw: number): number {
  return baseLoadKw * Math.tan(Math.acos(home.baseLoadPowerFactor));
}

/**
 * Advances one home by one step: clamps the agent's setpoints to what the equipment can do, updates
 * the state in place and returns the flows. The energy balance holds exactly:
 * importKwh − exportKwh = (baseLoad + battery + ev + heatPump − pv) · dtHours.
 */
export function stepHome(
  home: HomeSpec,
  state: HomeState,
  setpoints: HomeSetpoints,
  inputs: HomeStepInputs,
): HomeStepResult {
  const { dtHours } = inputs;
  const pv = inverterOutput(home, inputs);
  let batteryKw = 0;
  if (home.battery) {
    const applied = applyStoragePower(home.battery, state.batterySocKwh, setpoints.batteryKw, dtHours);
    batteryKw = applied.pKw;
    state.batterySocKwh = applied.socKwh;
  }

  let evKw = 0;
  let evTripShortfallKwh = 0;
  if (home.ev) {
    if (inputs.evTripKwh > 0) {
      evTripShortfallKwh = Math.max(0, inputs.evTripKwh - state.evSocKwh);
      state.evSocKwh = Math.max(0, state.evSocKwh - inputs.evTripKwh);
    }
    if (inputs.evAtHome) {
      // An EV charger only charges (no vehicle-to-home here).
      const applied = applyStoragePower(home.ev, state.evSocKwh, Math.max(0, setpoints.evKw), dtHours);
      evKw = applied.pKw;
      state.evSocKwh = applied.socKwh;
    }
  }

  let heatPumpKw = 0;
  let heatKw = 0;
  if (home.heatPump) {
    heatPumpKw = Math.min(home.heatPump.maxElectricKw, Math.max(0, setpoints.heatPumpKw));
    heatKw = heatPumpKw * heatPumpCop(home.heatPump, inputs.outdoorC);
    state.indoorC = nextIndoorC(home.heatPump.thermal, state.indoorC, inputs.outdoorC, heatKw, dtHours);
  }

  const result: HomeStepResult = {
    pKw: 0,
    qKvar: 0,
    importKwh: 0,
    exportKwh: 0,
    baseLoadKw: inputs.baseLoadKw,
    pvKw: 0,
    pvCurtailedKw: 0,
    batteryKw,
    evKw,
    heatPumpKw,
    heatKw,
    evTripShortfallKwh,
  };
  setPvOutput(home, result, pv, dtHours);
  return result;
}

/** The PV inverter's output at the step's sun and `inputs.voltsLn` (none without PV). */
function inverterOutput(home: HomeSpec, inputs: HomeStepInputs): PvOutput {
  if (!home.pv) return { pKw: 0, curtailedKw: 0, qKvar: 0 };
  return pvOutput(home.pv, pvAvailableKw(home.pv, inputs.irradianceWPerM2), inputs.voltsLn);
}

/** Puts the inverter's output into the home's flows; the energy balance of {@link stepHome} holds. */
function setPvOutput(home: HomeSpec, result: HomeStepResult, pv: PvOutput, dtHours: number): void {
  const pKw = result.baseLoadKw + result.batteryKw + result.evKw + result.heatPumpKw - pv.pKw;
  result.pKw = pKw;
  result.qKvar = baseLoadQKvar(home, result.baseLoadKw) + pv.qKvar;
  result.importKwh = Math.max(0, pKw) * dtHours;
  result.exportKwh = Math.max(0, -pKw) * dtHours;
  result.pvKw = pv.pKw;
  result.pvCurtailedKw = pv.curtailedKw;
}

/** Whether the home's PV inverter answers the voltage (Volt-VAr or Volt-Watt on). */
export function answersVoltage(home: HomeSpec): boolean {
  return home.pv?.voltVar !== undefined || home.pv?.voltWatt !== undefined;
}

/** How far the inverter's output would move answering `voltsLn` rather than `inputs.voltsLn`, kW or kvar. */
export function inverterGapKw(home: HomeSpec, inputs: HomeStepInputs, voltsLn: number): number {
  return outputGapKw(inverterOutput(home, inputs), inverterOutput(home, { ...inputs, voltsLn }));
}

/**
 * The home's step with its PV inverter answering `voltsLn` (the power flow's fixed point within the step,
 * hub/engine/participants/power-flow.ts): sets `inputs.voltsLn` and the result's PV and net flows; the
 * devices' powers and the state stay as stepped.
 */
export function answerVoltage(
  home: HomeSpec,
  inputs: HomeStepInputs,
  result: HomeStepResult,
  voltsLn: number,
): void {
  inputs.voltsLn = voltsLn;
  setPvOutput(home, result, inverterOutput(home, inputs), inputs.dtHours);
}
