import { describe, expect, it } from 'vitest';
import { CallLimiter, checkScope } from '../../../hub/mcp/call-guard.js';

describe('CallLimiter', () => {
  it('lets a resident burst a third of a minute’s calls, then one every 60/n seconds, each resident on their own', () => {
    let nowMs = 0;
    const limiter = new CallLimiter(6, () => nowMs);
    expect([1, 2, 3].map(() => limiter.allow('resident-3'))).toEqual([true, true, false]);
    expect(limiter.allow('resident-4')).toBe(true);
    nowMs += 9_000;
    expect(limiter.allow('resident-3')).toBe(false);
    nowMs += 1_000;
    expect(limiter.allow('resident-3')).toBe(true);
  });
});

describe('checkScope', () => {
  const identity = { username: 'resident-3', home: 'home-3' };

  it('allows the session’s own home, named or not', () => {
    expect(() => checkScope(identity, undefined)).not.toThrow();
    expect(() => checkScope(identity, 'home-3')).not.toThrow();
  });

  it('refuses any other home, saying whose session it is', () => {
    expect(() => checkScope(identity, 'home-4')).toThrow(
      'this session acts for home-3 (resident resident-3); home-4 is outside its scope',
    );
  });
});
