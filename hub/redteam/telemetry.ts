/** A store's state-of-charge telemetry, as the false-telemetry attack and the plausibility check read it. */

import type { StreetHome } from '../engine/street-home.js';
import type { HomeState, StorageSpec } from '../homes/index.js';
import type { RedTeamContext } from './red-team.js';

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

/**
 * The store an attack on one device targets: the entry's home's, or the first home's with that device; an entry
 * that names no such home is refused naming its field.
 */
export function targetStore(
  entry: { home?: string; device: TelemetryDevice },
  context: Pick<RedTeamContext, 'homes' | 'refuse'>,
): { home: StreetHome; spec: StorageSpec } {
  const { device } = entry;
  for (const home of context.homes) {
    const spec = storageOf(home, device);
    if (spec && (entry.home ?? home.spec.id) === home.spec.id) return { home, spec };
  }
  throw context.refuse(
    entry.home === undefined ? 'device' : 'home',
    `a home with a ${device}`,
    entry.home ?? device,
  );
}

/** The state-of-charge field a device reports, kWh. */
export function socKey(device: TelemetryDevice): keyof HomeState {
  return SOC_KEYS[device];
}

/** The step result's field with the device's metered power, kW. */
export function powerKey(device: TelemetryDevice): 'batteryKw' | 'evKw' {
  return POWER_KEYS[device];
}
