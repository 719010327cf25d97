/** A planning window's per-step figures moved to the next window: the warm starts of cooperative and central. */

/**
 * A window's per-step series moved to the next window, which starts `shiftSteps` later: each step takes the
 * value of the same moment, or where the old window does not reach it, of the same time a day (or days) before.
 */
export function shiftedWindow(series: Float64Array, shiftSteps: number, stepsPerDay: number): Float64Array {
  return Float64Array.from(series, (_, t) => {
    const source = shiftedStep(t, shiftSteps, series.length, stepsPerDay);
    return source < series.length ? (series[source] as number) : 0;
  });
}

/** The old window's step whose value step `t` of the next takes (see shiftedWindow); ≥ `steps` for none. */
export function shiftedStep(t: number, shiftSteps: number, steps: number, stepsPerDay: number): number {
  let source = t + shiftSteps;
  while (source >= steps && source >= stepsPerDay) source -= stepsPerDay;
  return source;
}
