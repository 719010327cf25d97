import { describe, expect, it } from 'vitest';
import { CredentialStore } from '../../../hub/auth/credentials.js';
import { parseRole } from '../../../hub/auth/roles.js';
import { EmbeddedBroker } from '../../../hub/broker/embedded-broker.js';
import { SessionStore } from '../../../hub/dashboard/sessions.js';
import { connectClient, tempDir } from '../mqtt-helpers.js';

describe('dashboard sessions', () => {
  it('end when they expire, when logged out, and when the user is removed or changes role', () => {
    let nowMs = 0;
    const roles = new Map([
      ['op', 'operator'],
      ['ann', 'resident:home-1'],
    ]);
    const sessions = new SessionStore({
      ttlMs: 1000,
      now: () => nowMs,
      currentRole: (username) => roles.get(username) ?? null,
    });
    const op = sessions.create('op', 'operator');
    const ann = sessions.create('ann', 'resident:home-1');
    expect(op.token).not.toBe(ann.token);
    expect(sessions.get(op.token)).toEqual({ username: 'op', role: 'operator', expiresAtMs: 1000 });
    expect(sessions.forUser('op', op.token)?.role).toBe('operator');
    expect(sessions.forUser('ann', op.token)).toBeNull();
    expect(sessions.get('not-a-token')).toBeNull();

    roles.set('ann', 'resident:home-2');
    expect(sessions.get(ann.token)).toBeNull();
    expect(sessions.revoke(op.token)).toBe(true);
    expect(sessions.get(op.token)).toBeNull();

    const later = sessions.create('op', 'operator');
    nowMs = 999;
    expect(sessions.get(later.token)).not.toBeNull();
    nowMs = 1000;
    expect(sessions.get(later.token)).toBeNull();
    expect(sessions.size).toBe(0);
  });
});

describe('a dashboard session as the page’s MQTT login (embedded broker)', () => {
  it('lets the token stand in for the password of its own user only, until logout', async () => {
    const data = tempDir('gridflex-session-mqtt-');
    const credentials = CredentialStore.open(data.dir);
    await credentials.add('facilitator', { role: 'operator' });
    const sessions = new SessionStore();
    const broker = await EmbeddedBroker.start({
      host: '127.0.0.1',
      mqttPort: 0,
      wsPort: null,
      credentials,
      sessionRole: (username, token) => {
        const session = sessions.forUser(username, token);
        return session ? parseRole(session.role, 'session') : null;
      },
    });
    const url = `mqtt://127.0.0.1:${broker.mqttPort}`;
    try {
      const { token } = sessions.create('facilitator', 'operator');
      const page = await connectClient(url, { clientId: 'page-1', username: 'facilitator', password: token });
      // The operator may publish the table's controls: the connection has the session's role.
      await page.publishAsync(
        'gridflex/control/v1/table/place',
        JSON.stringify({ asset: 'pv-1', plot: null }),
        {
          qos: 1,
        },
      );
      page.end(true);
      await expect(
        connectClient(url, { clientId: 'page-2', username: 'someone', password: token }),
      ).rejects.toThrow(/bad username or password/i);
      sessions.revoke(token);
      await expect(
        connectClient(url, { clientId: 'page-3', username: 'facilitator', password: token }),
      ).rejects.toThrow(/bad username or password/i);
    } finally {
      await broker.close();
      data.remove();
    }
  });
});
