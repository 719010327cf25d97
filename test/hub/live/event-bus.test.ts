import { describe, expect, it } from 'vitest';
import { EventBus } from '../../../hub/live/event-bus.js';
import { ControlRegistry } from '../../../hub/live/extensions/extension.js';

const request = { id: undefined, who: 'table-op', body: {}, now: new Date(0), simTime: new Date(0) };

describe('EventBus', () => {
  it('runs handlers in registration order, awaiting each one that returns a promise', async () => {
    const bus = new EventBus();
    const seen: string[] = [];
    bus.on('clockJumped', {}, async () => {
      await new Promise((done) => setTimeout(done, 10));
      seen.push('slow first');
    });
    bus.on('clockJumped', {}, ({ to }) => {
      seen.push(`second ${to.toISOString().slice(0, 4)}`);
    });
    await bus.emit('clockJumped', { to: new Date('2030-01-01T00:00:00Z') });
    expect(seen).toEqual(['slow first', 'second 2030']);
  });

  it('runs synchronous handlers synchronously, and drops an owner’s handlers at once', () => {
    const bus = new EventBus();
    const owner = {};
    let count = 0;
    bus.on('tableChanged', owner, () => {
      count += 1;
    });
    bus.on('pricesChanged', owner, () => {
      count += 10;
    });
    void bus.emit('tableChanged', {});
    expect(count).toBe(1);
    bus.removeListeners(owner);
    void bus.emit('tableChanged', {});
    void bus.emit('pricesChanged', {});
    expect(count).toBe(1);
  });
});

describe('ControlRegistry', () => {
  it('hands a control to the one handler of its kind; a kind nobody handles is an unknown control topic', () => {
    const controls = new ControlRegistry();
    controls.handle('clock', ({ who }) => ({ accepted: true, reason: `clock by ${who}` }));
    expect(controls.apply({ ...request, kind: 'clock' })).toEqual({
      accepted: true,
      reason: 'clock by table-op',
    });
    expect(controls.apply({ ...request, kind: 'table-wire' })).toEqual({
      accepted: false,
      reason: 'unknown control topic',
    });
    expect(controls.apply({ ...request, kind: 'unknown' }).accepted).toBe(false);
    expect(() => controls.handle('clock', () => ({ accepted: true, reason: '' }))).toThrow(/two extensions/);
  });
});
