import { describe, expect, it } from 'vitest';
import { SessionStore } from '../../../hub/dashboard/sessions.js';

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
