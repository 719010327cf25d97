/**
 * Seeded pseudo-random numbers for every stochastic part of GridFlex (generators, start delays,
 * agents' noise). Same seed, same sequence, on every platform: the generator is mulberry32 over
 * 32-bit integer arithmetic, so no `Math.random` anywhere in the simulation core.
 *
 * API:
 *   createRng(seed)            -> Rng: next() in [0,1), int(maxExclusive), uniform(a,b), normal(mean,sd), fork(label)
 *   seedFromString(text)       -> a 32-bit seed from a label (FNV-1a), for per-home / per-purpose streams
 */

/** A deterministic random stream. */
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [0, maxExclusive). */
  int(maxExclusive: number): number;
  /** Uniform in [min, max). */
  uniform(min: number, max: number): number;
  /** Gaussian (Box–Muller) with the given mean and standard deviation. */
  normal(mean?: number, sd?: number): number;
  /** An independent stream derived from this stream's seed and a label (does not advance this stream). */
  fork(label: string): Rng;
}

/** FNV-1a hash of a string to an unsigned 32-bit seed. */
export function seedFromString(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** A mulberry32 stream from an integer seed (any JS number; reduced to 32 bits). */
export function createRng(seed: number): Rng {
  const baseSeed = Math.trunc(seed) >>> 0;
  let state = baseSeed;
  let spareNormal: number | undefined;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (maxExclusive) => Math.floor(next() * maxExclusive),
    uniform: (min, max) => min + (max - min) * next(),
    normal: (mean = 0, sd = 1) => {
      if (spareNormal !== undefined) {
        const value = spareNormal;
        spareNormal = undefined;
        return mean + sd * value;
      }
      // 1 - next() is in (0, 1], so the log is finite.
      const radius = Math.sqrt(-2 * Math.log(1 - next()));
      const angle = 2 * Math.PI * next();
      spareNormal = radius * Math.sin(angle);
      return mean + sd * radius * Math.cos(angle);
    },
    fork: (label) => createRng((baseSeed ^ seedFromString(label)) >>> 0),
  };
}
