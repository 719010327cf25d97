import { setFlagsFromString } from 'node:v8';
import highsModule, { type Highs } from 'highs';

// highs ships CommonJS typings but an ESM build whose default export is the loader itself; the typings read
// differently under node's resolution (a `default` member) and a bundler's (the loader), so neither is trusted.
type HighsLoader = () => Promise<Highs>;
const highsExport = highsModule as unknown as HighsLoader & { default?: HighsLoader };
const loadHighs: HighsLoader = highsExport.default ?? highsExport;

let highsPromise: Promise<Highs> | undefined;

/** The HiGHS WebAssembly runtime, loaded once per process. */
export function getHighs(): Promise<Highs> {
  if (!highsPromise) highsPromise = loadHighs();
  return highsPromise;
}

/**
 * Compiles HiGHS with V8's baseline WebAssembly compiler (Liftoff) only, without the optimising tier-up, for a
 * process that runs for hours and solves small LPs (the live hub). The tier-up compiles the 3.5 MB module a
 * second time and keeps both codes, and its compile zones stay with malloc. Measured here: HiGHS loaded and
 * solving in a bare node, RSS 141-156 MB -> 67-69 MB; bench/live-street.js (IEEE street, 3 simulated hours of
 * selfish, cooperative and central, twice each way) peak RSS 206 and 225 MB -> 168 and 171 MB, process CPU 9.9
 * and 7.9 s -> 7.9 and 6.9 s (the slower code costs less than the compiling it saves). Batch runs and studies keep
 * the default. V8 reads the flag when it compiles a module, so this must run before the first getHighs().
 */
export function useBaselineWasmCompiler(): void {
  if (highsPromise)
    throw new Error('HiGHS is already loaded: choose its compiler before the first getHighs()');
  setFlagsFromString('--liftoff-only');
}
