import { readAdoptions } from '../table/pins-config.js';
import { CredentialStore } from './credentials.js';

/**
 * Whether a device ID is a board the hub knows before it says anything: one with a login in
 * `<dataDir>/credentials.json` (read again when `gridflex device add` changes it) or an adopted device
 * (`adoptions.json`, taken at start like the adoptions themselves).
 */
export function knownDevices(dataDir: string): (deviceId: string) => boolean {
  const store = CredentialStore.open(dataDir);
  const adopted = new Set(readAdoptions(dataDir).map((adoption) => adoption.device));
  return (deviceId) => {
    if (adopted.has(deviceId)) return true;
    store.reloadIfChanged();
    const role = store.get(deviceId)?.role;
    return role?.role === 'device' && role.deviceId === deviceId;
  };
}
