import highsModule, { type Highs } from 'highs';

// highs ships CommonJS typings but an ESM build whose default export is the loader itself.
type HighsLoader = typeof highsModule.default;
const loadHighs: HighsLoader =
  (highsModule as unknown as { default?: HighsLoader }).default ?? (highsModule as unknown as HighsLoader);

let highsPromise: Promise<Highs> | undefined;

/** The HiGHS WebAssembly runtime, loaded once per process. */
export function getHighs(): Promise<Highs> {
  if (!highsPromise) highsPromise = loadHighs();
  return highsPromise;
}
