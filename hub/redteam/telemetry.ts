/** A store's state-of-charge telemetry, as the false-telemetry attack and the plausibility check read it. */

import type { StreetHome } from '../engine/street-home.js';
import type { HomeState, StorageSpec } from '../homes/index.js';

export const TELEMETRY_DEVICES = ['battery', 'ev'] as const;
export type TelemetryDevice = (typeof TELEMETRY_DEVICES)[number];

const SOC_KEYS: Record<TelemetryDevice, 'batterySocKwh' | 'evSocKwh'> = {
  battery: 'batterySocKwh',
  ev: 'evSocKwh',
};
const POWER_KEYS: Record<TelemetryDevice, 'batteryKw' | 'evKw'> = { battery: 'batteryKw', ev: 'evKw' };

/** The device's spec in a home (undefined when the home has none). */
export function storageOf(home: StreetHome, device: TelemetryDevice): StorageSpec | undefined {
  return home.spec[device];
}

/** The state-of-charge field a device reports, kWh. */
export function socKey(device: TelemetryDevice): keyof HomeState {
  return SOC_KEYS[device];
}

/** The step result's field with the device's metered power, kW. */
export function powerKey(device: TelemetryDevice): 'batteryKw' | 'evKw' {
  return POWER_KEYS[device];
}
