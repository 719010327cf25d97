import type { Highs } from 'highs';
import type { SharedLimit } from './coordination.js';
import { solveLp } from './solve-lp.js';

/** One home's LP as arrays: what it would pass to HiGHS on its own. */
export interface LpBlock {
  cost: Float64Array;
  colLower: Float64Array;
  colUpper: Float64Array;
  rowLower: Float64Array;
  rowUpper: Float64Array;
  /** Row-wise sparse matrix (CSR): row r has entries `starts[r]..starts[r+1]` of `indices`/`values`. */
  starts: ArrayLike<number>;
  indices: ArrayLike<number>;
  values: ArrayLike<number>;
  /** Column of the home's import (kW) at each step. */
  importColumn: ArrayLike<number>;
  /** Column of the home's export (kW) at each step; net import = import − export. */
  exportColumn: ArrayLike<number>;
}

/** A shared peak: Σ_h net import_h,t − excess ≤ upperByStep[t], with `excess` (kW) priced once per problem. */
export interface PeakLimit {
  upperByStep: Float64Array;
  excessCostGbpPerKw: number;
}

/** Soft shared limits: each unit of violation per step costs `violationCostGbp`. */
export interface PricedLimit extends SharedLimit {
  violationCostGbp: number;
}

export interface JointLpResult {
  /** Each home's column values, in its block's column order. */
  columnValues: Float64Array[];
  objectiveGbp: number;
  /** kW the peak went above its upper bound (what reinforcement pays for). */
  peakExcessKw: number;
  /** Largest violation of any priced limit. */
  maxLimitViolation: number;
  /**
   * Per home and step, what one kW more of its net import would cost through the shared rows (the peak and
   * the priced limits' shadow prices, each times the home's weight in the row), £/kW for the step.
   */
  netImportPriceGbpPerKw: Float64Array[];
  columns: number;
  rows: number;
}

/**
 * Solves all homes' LPs as one problem (block-diagonal) joined by shared rows: the peak limit and the priced
 * limits (e.g. linearised voltage rows). This is the social planner's problem: one optimisation over all homes.
 */
export function solveJointLp(
  highs: Highs,
  blocks: readonly LpBlock[],
  steps: number,
  peak: PeakLimit | undefined,
  limits: readonly PricedLimit[] = [],
): JointLpResult {
  const offsets: number[] = [];
  let columnCount = 0;
  let rowCount = 0;
  for (const block of blocks) {
    offsets.push(columnCount);
    columnCount += block.cost.length;
    rowCount += block.rowLower.length;
  }
  const peakColumn = peak ? columnCount++ : -1;
  const slackColumns = limits.map(() => {
    const first = columnCount;
    columnCount += steps;
    return first;
  });
  const coupledRows = (peak ? steps : 0) + limits.length * steps;
  const totalRows = rowCount + coupledRows;

  const cost = new Float64Array(columnCount);
  const colLower = new Float64Array(columnCount);
  const colUpper = new Float64Array(columnCount).fill(highs.infinity);
  const rowLower = new Float64Array(totalRows);
  const rowUpper = new Float64Array(totalRows);
  const starts: number[] = [0];
  const indices: number[] = [];
  const values: number[] = [];

  let row = 0;
  blocks.forEach((block, b) => {
    const offset = offsets[b] as number;
    cost.set(block.cost, offset);
    colLower.set(block.colLower, offset);
    colUpper.set(block.colUpper, offset);
    rowLower.set(block.rowLower, row);
    rowUpper.set(block.rowUpper, row);
    for (let r = 0; r < block.rowLower.length; r++) {
      for (let k = block.starts[r] as number; k < (block.starts[r + 1] as number); k++) {
        indices.push((block.indices[k] as number) + offset);
        values.push(block.values[k] as number);
      }
      starts.push(indices.length);
    }
    row += block.rowLower.length;
  });

  const addNetImport = (t: number, coefficientOf: (b: number) => number) => {
    blocks.forEach((block, b) => {
      const coefficient = coefficientOf(b);
      if (coefficient === 0) return;
      indices.push((block.importColumn[t] as number) + (offsets[b] as number));
      values.push(coefficient);
      indices.push((block.exportColumn[t] as number) + (offsets[b] as number));
      values.push(-coefficient);
    });
  };
  if (peak) {
    cost[peakColumn] = peak.excessCostGbpPerKw;
    for (let t = 0; t < steps; t++) {
      addNetImport(t, () => 1);
      indices.push(peakColumn);
      values.push(-1);
      starts.push(indices.length);
      rowLower[row] = -highs.infinity;
      rowUpper[row] = peak.upperByStep[t] as number;
      row++;
    }
  }
  limits.forEach((limit, c) => {
    for (let t = 0; t < steps; t++) {
      const slack = (slackColumns[c] as number) + t;
      cost[slack] = limit.violationCostGbp;
      addNetImport(t, (b) => limit.coefficientByHome[b] as number);
      indices.push(slack);
      values.push(-1);
      starts.push(indices.length);
      rowLower[row] = -highs.infinity;
      rowUpper[row] = limit.upperByStep[t] as number;
      row++;
    }
  });

  const solution = solveLp(
    highs,
    {
      numCols: columnCount,
      numRows: totalRows,
      colCost: cost,
      colLower,
      colUpper,
      rowLower,
      rowUpper,
      matrix: { format: 'csr', numRows: totalRows, numCols: columnCount, starts, indices, values },
    },
    `joint LP over ${blocks.length} homes`,
  );
  const x = solution.colValue;

  let maxLimitViolation = 0;
  slackColumns.forEach((first) => {
    for (let t = 0; t < steps; t++) maxLimitViolation = Math.max(maxLimitViolation, x[first + t] ?? 0);
  });
  return {
    netImportPriceGbpPerKw: netImportPrices(
      solution.rowDual.subarray(rowCount),
      blocks.length,
      steps,
      peak,
      limits,
    ),
    columnValues: blocks.map((block, b) =>
      Float64Array.from(x.subarray(offsets[b] as number, (offsets[b] as number) + block.cost.length)),
    ),
    objectiveGbp: solution.objective,
    peakExcessKw: peak ? (x[peakColumn] ?? 0) : 0,
    maxLimitViolation,
    columns: columnCount,
    rows: totalRows,
  };
}

/**
 * −Σ_rows coefficient · dual per home and step, from the shared rows' duals (the peak's `steps` rows, then
 * each limit's): a binding ≤ row's dual is ≤ 0, so a home whose import tightens it pays a positive price.
 */
function netImportPrices(
  sharedDuals: Float64Array,
  homeCount: number,
  steps: number,
  peak: PeakLimit | undefined,
  limits: readonly PricedLimit[],
): Float64Array[] {
  const firstLimitRow = peak ? steps : 0;
  return Array.from({ length: homeCount }, (_, b) =>
    Float64Array.from({ length: steps }, (_, t) => {
      let dual = peak ? (sharedDuals[t] as number) : 0;
      limits.forEach((limit, c) => {
        dual +=
          (limit.coefficientByHome[b] as number) * (sharedDuals[firstLimitRow + c * steps + t] as number);
      });
      return -dual;
    }),
  );
}
