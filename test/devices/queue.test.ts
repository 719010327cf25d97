import { describe, expect, it } from 'vitest';
import { BoundedQueue } from '../../devices/queue.js';

describe('BoundedQueue', () => {
  it('keeps order and drops the oldest when full, counting drops', () => {
    const queue = new BoundedQueue<number>(3);
    for (const n of [1, 2, 3]) expect(queue.push(n)).toBeUndefined();
    expect(queue.push(4)).toBe(1);
    expect(queue.push(5)).toBe(2);
    expect(queue.dropped).toBe(2);
    expect([queue.shift(), queue.shift(), queue.shift(), queue.shift()]).toEqual([3, 4, 5, undefined]);
    expect(queue.length).toBe(0);
  });

  it('wraps around its ring without losing items', () => {
    const queue = new BoundedQueue<number>(6);
    const out: number[] = [];
    for (let n = 0; n < 10; n++) {
      queue.push(n);
      if (n % 2 === 1) out.push(queue.shift() as number);
    }
    while (queue.length > 0) out.push(queue.shift() as number);
    expect(out).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(queue.dropped).toBe(0);
  });

  it('refuses a capacity below one', () => {
    expect(() => new BoundedQueue(0)).toThrow(RangeError);
  });
});
