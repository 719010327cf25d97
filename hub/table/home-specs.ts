import type { ResidentPreferences as WirePreferences } from '../../protocol/gridflex.js';
import type { ResidentPreferences, StorageSpec, ThermalSpec } from '../homes/index.js';
import { DEFAULT_BATTERY, DEFAULT_HEAT_PUMP, DEFAULT_PREFERENCES } from '../scenarios/defaults.js';
import type { LoadedTableMap } from './map-config.js';

/** A table EV: a small car battery and a 7 kW home charger unless the map says otherwise. */
export const EV_DEFAULTS = {
  capacityKwh: 40,
  chargeKw: 7,
  initialSocPct: 40,
  roundTripEfficiency: 0.9,
} as const;

/** An EV's battery and charger, from the table map (an EV charger only charges). */
export function evSpec(map: LoadedTableMap, evId: string): StorageSpec {
  const config = map.assets.find((asset) => asset.asset === evId);
  return {
    capacityKwh: config?.capacityKwh ?? EV_DEFAULTS.capacityKwh,
    maxChargeKw: config?.chargeKw ?? EV_DEFAULTS.chargeKw,
    maxDischargeKw: 0,
    roundTripEfficiency: EV_DEFAULTS.roundTripEfficiency,
  };
}

/** A home battery, from the table map or the scenario defaults. */
export function batterySpec(map: LoadedTableMap, batteryId: string): StorageSpec {
  const config = map.assets.find((asset) => asset.asset === batteryId);
  return {
    capacityKwh: config?.capacityKwh ?? DEFAULT_BATTERY.capacityKwh,
    maxChargeKw: config?.chargeKw ?? DEFAULT_BATTERY.maxChargeKw,
    maxDischargeKw: config?.chargeKw ?? DEFAULT_BATTERY.maxDischargeKw,
    roundTripEfficiency: DEFAULT_BATTERY.roundTripEfficiency,
  };
}

/** State of charge an EV or battery starts with, in per cent. */
export function initialSocPct(map: LoadedTableMap, assetId: string, fallbackPct: number): number {
  return map.assets.find((asset) => asset.asset === assetId)?.initialSocPct ?? fallbackPct;
}

/** The house every table heat pump heats (the scenario defaults). */
export function heatPumpThermal(): ThermalSpec {
  return {
    resistanceCPerKw: DEFAULT_HEAT_PUMP.resistanceCPerKw,
    capacitanceKwhPerC: DEFAULT_HEAT_PUMP.capacitanceKwhPerC,
    gainsKw: DEFAULT_HEAT_PUMP.gainsKw,
  };
}

/** The resident's preferences as the agents use them: what they sent over the scenario defaults. */
export function resolvePreferences(wire: WirePreferences): ResidentPreferences {
  const [readyHours = 7, readyMinutes = 30] = DEFAULT_PREFERENCES.evReadyBy.split(':').map(Number);
  return {
    weights: {
      cost: wire.costWeight ?? DEFAULT_PREFERENCES.weights.cost,
      carbon: wire.carbonWeight ?? DEFAULT_PREFERENCES.weights.carbon,
      autarky: wire.autarkyWeight ?? DEFAULT_PREFERENCES.weights.autarky,
    },
    comfortMinC: wire.comfortMinCelsius ?? DEFAULT_PREFERENCES.comfortMinC,
    comfortMaxC: wire.comfortMaxCelsius ?? DEFAULT_PREFERENCES.comfortMaxC,
    evReadyByMinute: wire.evReadyByMinute ?? readyHours * 60 + readyMinutes,
    evTargetSocPct: wire.evTargetSocPct ?? DEFAULT_PREFERENCES.evTargetSocPct,
    switchWillingness: DEFAULT_PREFERENCES.switchWillingness,
  };
}
