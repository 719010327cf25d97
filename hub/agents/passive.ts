import { chargeEfficiency, heatPumpCop, heatToReachKw } from '../homes/index.js';
import { formatClock, type Plan, type PlanContext, type Policy, type TariffChoice } from './policy.js';

/** How far above the comfort minimum the passive thermostat aims (a simple on/off stat's set point). */
const THERMOSTAT_OFFSET_C = 0.5;

/**
 * No control: the EV charges at full rate as soon as it is plugged in until it reaches the resident's
 * target, the heat pump's thermostat holds the bottom of the comfort band (plus 0.5 °C), and the home
 * battery does self-consumption (stores surplus PV, covers the deficit).
 */
export class PassivePolicy implements Policy {
  readonly name = 'passive';
  readonly horizonSteps = 1;
  readonly replanEverySteps = 1;
  /** A resident without an agent stays on their tariff. */
  readonly tariffChoice: TariffChoice = 'none';
  private readonly wasCharging = new Map<string, boolean>();
  private readonly wasAtLimit = new Map<string, boolean>();

  plan(context: PlanContext): Plan {
    const { home, state, dtHours, forecast } = context;
    const notes: string[] = [];
    const cannotKeep: string[] = [];

    let heatPumpKw = 0;
    if (home.heatPump) {
      const outdoorC = forecast.outdoorC[0] ?? 0;
      const targetC = home.preferences.comfortMinC + THERMOSTAT_OFFSET_C;
      const heatKw = heatToReachKw(home.heatPump.thermal, state.indoorC, outdoorC, targetC, dtHours);
      const neededKw = Math.max(0, heatKw) / heatPumpCop(home.heatPump, outdoorC);
      heatPumpKw = Math.min(home.heatPump.maxElectricKw, neededKw);
      const atLimit = neededKw > home.heatPump.maxElectricKw + 1e-9;
      // Said once when the heat pump reaches its limit, not at every step it stays there.
      if (atLimit && !this.wasAtLimit.get(home.id)) {
        cannotKeep.push(
          `heat pump at its ${home.heatPump.maxElectricKw} kW limit cannot reach ${targetC.toFixed(1)} °C (${outdoorC.toFixed(1)} °C outside, ${state.indoorC.toFixed(1)} °C inside)`,
        );
      }
      this.wasAtLimit.set(home.id, atLimit);
    }

    let evKw = 0;
    if (home.ev && forecast.evAtHome[0] === 1) {
      const targetKwh = (home.ev.capacityKwh * home.preferences.evTargetSocPct) / 100;
      const missingKwh = targetKwh - state.evSocKwh;
      if (missingKwh > 1e-9) {
        evKw = Math.min(home.ev.maxChargeKw, missingKwh / (chargeEfficiency(home.ev) * dtHours));
        if (!this.wasCharging.get(home.id)) {
          notes.push(
            `EV plugged in at ${formatClock(forecast.minuteOfDay[0] ?? 0)} with ${state.evSocKwh.toFixed(1)} kWh: charging at ${evKw.toFixed(1)} kW to ${targetKwh.toFixed(1)} kWh (no control)`,
          );
        }
      }
    }
    if (home.ev) this.wasCharging.set(home.id, evKw > 0);

    let batteryKw = 0;
    if (home.battery) {
      const netKw = (forecast.baseLoadKw[0] ?? 0) + heatPumpKw + evKw - (forecast.pvAvailableKw[0] ?? 0);
      batteryKw = -netKw;
    }

    return {
      batteryKw: Float64Array.of(batteryKw),
      evKw: Float64Array.of(evKw),
      heatPumpKw: Float64Array.of(heatPumpKw),
      explanation: notes.length > 0 ? notes.join('; ') : undefined,
      cannotKeep,
    };
  }

  dispose(): void {}
}
