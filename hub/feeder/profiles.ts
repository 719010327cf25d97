import { InputError } from '../errors.js';
import type { FeederNetwork, LoadConnection } from './network.js';

/**
 * The load's P and Q at 1-based minute `minute` of its daily profile (row k of the profile = minute k,
 * as the IEEE published results use). Q keeps the load's nominal Q/P ratio.
 */
export function profilePowerKw(
  network: FeederNetwork,
  load: LoadConnection,
  minute: number,
): { pKw: number; qKvar: number } {
  const profile = load.profile === undefined ? undefined : network.profiles.get(load.profile);
  if (!profile) throw new InputError(`load ${load.name}`, 'has no load profile');
  const value = profile.values[minute - 1];
  if (value === undefined) {
    throw new InputError('--minute', `minute ${minute} is outside the profile (1..${profile.values.length})`);
  }
  const pKw = profile.isActualKw ? value : value * load.pKw;
  const qPerP = load.pKw === 0 ? 0 : load.qKvar / load.pKw;
  return { pKw, qKvar: pKw * qPerP };
}
