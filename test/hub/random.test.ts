import { describe, expect, it } from 'vitest';
import { createRng, seedFromString } from '../../hub/random.js';

describe('seeded random numbers', () => {
  it('repeats the same sequence for the same seed and differs for another', () => {
    const a = createRng(7);
    const b = createRng(7);
    const c = createRng(8);
    const first = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(first);
    expect(Array.from({ length: 5 }, () => c.next())).not.toEqual(first);
    expect(seedFromString('home-1')).toBe(seedFromString('home-1'));
    expect(seedFromString('home-1')).not.toBe(seedFromString('home-2'));
  });

  it('gives uniform values in [0,1), integers in range and a standard normal', () => {
    const rng = createRng(123);
    const values = Array.from({ length: 20000 }, () => rng.next());
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThan(1);
    expect(values.reduce((sum, v) => sum + v, 0) / values.length).toBeCloseTo(0.5, 1);
    const ints = new Set(Array.from({ length: 1000 }, () => rng.int(6)));
    expect([...ints].sort()).toEqual([0, 1, 2, 3, 4, 5]);
    const normals = Array.from({ length: 20000 }, () => rng.normal(10, 2));
    const mean = normals.reduce((sum, v) => sum + v, 0) / normals.length;
    const sd = Math.sqrt(normals.reduce((sum, v) => sum + (v - mean) ** 2, 0) / normals.length);
    expect(mean).toBeCloseTo(10, 1);
    expect(sd).toBeCloseTo(2, 1);
  });

  it('forks independent streams without advancing the parent', () => {
    const parent = createRng(5);
    const fork = parent.fork('weather');
    expect(parent.next()).toBe(createRng(5).next());
    expect(fork.next()).toBe(createRng(5).fork('weather').next());
    expect(createRng(5).fork('weather').next()).not.toBe(createRng(5).fork('price').next());
  });
});
