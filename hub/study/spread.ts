/**
 * How a policy's benefits spread over the homes (Gini, means per decile), for the PoA study and the report.
 * Its own module, free of the study's other imports: the report's page (hub/dashboard/web/report) bundles it
 * for the browser, and the market modules the study imports read files.
 */

/** Splits `order.length` items into 10 groups as even as possible and averages `values` in each. */
export function decileMeans(values: readonly number[], order: readonly number[]): number[] {
  const n = order.length;
  return Array.from({ length: 10 }, (_, decile) => {
    const from = Math.floor((decile * n) / 10);
    const to = Math.floor(((decile + 1) * n) / 10);
    if (to <= from) return 0;
    let sum = 0;
    for (let position = from; position < to; position++) sum += values[order[position] as number] as number;
    return sum / (to - from);
  });
}

/**
 * Gini coefficient, mean absolute difference over twice the mean: 0 when all are equal, towards 1 when
 * one takes all. Undefined (null) for a non-positive mean, which happens when a policy leaves most homes
 * worse off than the baseline.
 */
export function gini(values: readonly number[]): number | null {
  const n = values.length;
  if (n === 0) return null;
  const mean = values.reduce((sum, value) => sum + value, 0) / n;
  if (values.every((value) => value === values[0])) return 0;
  if (!(mean > 0)) return null;
  const sorted = [...values].sort((a, b) => a - b);
  // Σ_i Σ_j |x_i − x_j| = 2 Σ_i (2i − n + 1) x_(i) for sorted x.
  let weighted = 0;
  sorted.forEach((value, index) => {
    weighted += (2 * index - n + 1) * value;
  });
  return weighted / (n * n * mean);
}
