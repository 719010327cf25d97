import { statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { filterWithin, mayPublish, maySubscribe, topicMatches } from '../../../hub/auth/acl.js';
import { CredentialStore } from '../../../hub/auth/credentials.js';
import { mosquittoAcl } from '../../../hub/auth/mosquitto.js';
import { parseRole } from '../../../hub/auth/roles.js';
import { tempDir } from '../mqtt-helpers.js';

describe('topic filters', () => {
  it('matches topics like MQTT does', () => {
    expect(topicMatches('homie/5/+/$state', 'homie/5/pv-1/$state')).toBe(true);
    expect(topicMatches('gridflex/v1/#', 'gridflex/v1')).toBe(true);
    expect(topicMatches('#', '$SYS/broker/uptime')).toBe(false);
    expect(topicMatches('homie/5/+', 'homie/5/a/b')).toBe(false);
  });

  it('keeps a subscription inside what is allowed', () => {
    expect(filterWithin('gridflex/v1/#', 'gridflex/v1/#')).toBe(true);
    expect(filterWithin('gridflex/v1', 'gridflex/v1/#')).toBe(true);
    expect(filterWithin('gridflex/+/clock', 'gridflex/v1/#')).toBe(false);
    expect(filterWithin('homie/5/pv-1/+/+/set', 'homie/5/pv-1/#')).toBe(true);
    expect(filterWithin('homie/5/+/pv/power-kw', 'homie/5/pv-1/#')).toBe(false);
    expect(filterWithin('#', 'gridflex/v1/#')).toBe(false);
  });
});

describe('role rights', () => {
  const device = parseRole('device:pv-1', 'test');
  it('keeps a device to its own tree and never lets it command itself', () => {
    expect(mayPublish(device, 'homie/5/pv-1/pv/power-kw')).toBe(true);
    expect(mayPublish(device, 'homie/5/pv-1/$state')).toBe(true);
    expect(mayPublish(device, 'homie/5/pv-1/pv/power-kw/set')).toBe(false);
    expect(mayPublish(device, 'homie/5/pv-10/pv/power-kw')).toBe(false);
    expect(mayPublish(device, 'gridflex/v1/clock')).toBe(false);
    expect(maySubscribe(device, 'gridflex/v1/#')).toBe(true);
    expect(maySubscribe(device, 'homie/5/#')).toBe(false);
  });

  it('gives each workshop role only its own controls', () => {
    const supplier = parseRole('supplier:octo', 'test');
    expect(mayPublish(supplier, 'gridflex/control/v1/supplier/octo/tariff')).toBe(true);
    expect(mayPublish(supplier, 'gridflex/control/v1/supplier/other/tariff')).toBe(false);
    const resident = parseRole('resident:home-3', 'test');
    expect(mayPublish(resident, 'gridflex/control/v1/resident/home-3/boost')).toBe(true);
    expect(mayPublish(resident, 'gridflex/control/v1/resident/home-4/boost')).toBe(false);
    expect(mayPublish(parseRole('viewer', 'test'), 'gridflex/control/v1/table/place')).toBe(false);
    // Wiring a plot to another bus is the operator's (Mosquitto gets the same through table/#).
    expect(mayPublish(parseRole('operator', 'test'), 'gridflex/control/v1/table/wire')).toBe(true);
    expect(mayPublish(parseRole('viewer', 'test'), 'gridflex/control/v1/table/wire')).toBe(false);
    expect(mayPublish(resident, 'gridflex/control/v1/table/wire')).toBe(false);
    expect(mayPublish(null, 'gridflex/v1/clock')).toBe(false);
    const assembly = parseRole('assembly', 'test');
    expect(mayPublish(assembly, 'gridflex/control/v1/assembly/battery-rules')).toBe(true);
    expect(mayPublish(assembly, 'gridflex/control/v1/clock')).toBe(false);
    expect(mayPublish(supplier, 'gridflex/control/v1/assembly/battery-rules')).toBe(false);
    // The clock: the operator and the regulator run the session; residents and suppliers do not.
    expect(mayPublish(parseRole('operator', 'test'), 'gridflex/control/v1/clock')).toBe(true);
    expect(mayPublish(parseRole('regulator', 'test'), 'gridflex/control/v1/clock')).toBe(true);
    expect(mayPublish(resident, 'gridflex/control/v1/clock')).toBe(false);
    expect(mayPublish(supplier, 'gridflex/control/v1/clock')).toBe(false);
    expect(maySubscribe(null, 'gridflex/v1/feeder/#')).toBe(true);
  });

  it('writes the same rights into Mosquitto’s ACL file: the assembly and the clock controls', () => {
    const acl = mosquittoAcl([
      { username: 'citizens', role: parseRole('assembly', 'test'), mosquittoHash: '$7$x' },
      { username: 'table-op', role: parseRole('operator', 'test'), mosquittoHash: '$7$x' },
    ]);
    const section = (user: string) => acl.split(`user ${user}\n`)[1]?.split('\n\n')[0] ?? '';
    expect(section('citizens')).toContain('topic readwrite gridflex/control/v1/assembly/#');
    expect(section('citizens')).not.toContain('gridflex/control/v1/clock');
    expect(section('table-op')).toContain('topic readwrite gridflex/control/v1/clock');
    expect(section('table-op')).toContain('topic readwrite gridflex/control/v1/table/#');
    expect(acl).toMatch(/# Anonymous clients: read only \(viewers\)\.\ntopic read gridflex\/v1\/#/);
  });

  it('names a bad role and where it came from', () => {
    expect(() => parseRole('supplier', '--role')).toThrow(/--role: "supplier": expected supplier:<supplier>/);
    expect(() => parseRole('king', '--role')).toThrow(/unknown role "king"/);
  });
});

describe('CredentialStore', () => {
  it('stores only hashes, verifies secrets, and survives a reopen', async () => {
    const data = tempDir('gridflex-cred-');
    try {
      const store = CredentialStore.open(data.dir);
      const secret = await store.add('pv-1', { role: 'device', deviceId: 'pv-1' });
      expect((await store.verify('pv-1', secret))?.role).toEqual({ role: 'device', deviceId: 'pv-1' });
      expect(await store.verify('pv-1', 'wrong')).toBeNull();
      const file = join(data.dir, 'credentials.json');
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const reopened = CredentialStore.open(data.dir);
      expect((await reopened.verify('pv-1', secret))?.username).toBe('pv-1');
      expect(await reopened.verify('pv-1', `${secret}x`)).toBeNull();
      // Another process adds a device: the first store sees it after a reload.
      await reopened.add('pv-2', { role: 'device', deviceId: 'pv-2' });
      expect(store.has('pv-2')).toBe(false);
      expect(store.reloadIfChanged()).toBe(true);
      expect(store.has('pv-2')).toBe(true);
    } finally {
      data.remove();
    }
  });
});
