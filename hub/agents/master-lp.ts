import type { Highs } from 'highs';
import type { HomeResponse, SharedLimit } from './coordination.js';

/** The master's answer: how to mix each home's proposals, and the active rows' shadow prices. */
export interface MasterSolution {
  /** Per home, the weight of each of its proposals (they sum to 1). */
  weights: Float64Array[];
  /** Shadow price of each active row, £ per unit (≤ 0 for a binding ≤ row). */
  rowDuals: Float64Array;
  /** Shadow price of each home's convexity row, £: what one more plan of the home must cost less than to enter. */
  homeDuals: Float64Array;
  objectiveGbp: number;
}

/** One active row of the master: a limit at one step. */
export interface ActiveRow {
  limit: number;
  step: number;
}

/**
 * The coordinator's LP, kept for one exchange: the cheapest mix of each home's proposals that keeps the
 * active limit rows (each with a slack at the violation cost). Rows: one convexity row per home (its
 * weights sum to 1 once it has proposed), then the active limit rows. Proposals and rows are appended as
 * they come, so each round's solve starts from the previous round's optimal basis instead of from scratch
 * (column generation's hot start: a new column keeps the old basis primal feasible). The master's columns
 * are dense (a proposal enters every active row), so a cold solve per round was most of the exchange's time.
 */
export class MasterLp {
  private readonly model;
  private readonly rows: ActiveRow[] = [];
  /** Per home, the model column of each of its proposals. */
  private readonly columnsOfHome: number[][];
  private columnCount = 0;
  private nonzeroCount = 0;

  constructor(
    private readonly highs: Highs,
    private readonly proposals: readonly HomeResponse[][],
    private readonly limits: readonly SharedLimit[],
    private readonly violationCostGbp: number,
  ) {
    this.model = highs.createModel();
    // Primal simplex: each round adds columns, which keep the last basis primal feasible (the dual simplex
    // HiGHS picks by default took 2.5 times the iterations on the IEEE street, and 2.2 times when used only
    // on rounds that add rows). Measured on 7 IEEE days and not kept: taking proposals unused for 3 solves out
    // of the model (priced here, put back when cheaper) cut the iterations but not the time, as each deletion
    // costs the hot start; after 8 unused solves only 4 % of the columns left. Scaling off and Dantzig pricing
    // took more iterations; steepest edge a quarter fewer at several times the time.
    this.model.options.set({ output_flag: false, presolve: 'off', simplex_strategy: 4 });
    this.columnsOfHome = proposals.map(() => []);
    // A home the coordinator has not heard from yet has no column to mix: its row is 0 = 0 until then.
    for (let h = 0; h < proposals.length; h++) this.model.addRow(0, 0, { indices: [], values: [] });
  }

  get activeRows(): readonly ActiveRow[] {
    return this.rows;
  }

  /** The model's matrix entries so far (each proposal's and slack's), what fills HiGHS's heap. */
  get nonzeros(): number {
    return this.nonzeroCount;
  }

  /** How many of the home's proposals are columns of the model. */
  proposalCount(home: number): number {
    return (this.columnsOfHome[home] as number[]).length;
  }

  /**
   * Adds limit rows, over every proposal so far, each with its violation slack. The rows go in one call and
   * their slacks in another: HiGHS rebuilds its whole matrix when rows follow columns (or columns rows), so
   * a row and its slack added in turn cost a rebuild each (on 28 IEEE winter days a seventh of the time).
   */
  addRows(rows: readonly ActiveRow[]): void {
    if (rows.length === 0) return;
    const firstRow = this.proposals.length + this.rows.length;
    const starts = [0];
    const indices: number[] = [];
    const values: number[] = [];
    for (const row of rows) {
      this.columnsOfHome.forEach((columns, h) => {
        columns.forEach((column, j) => {
          const value = this.entry(row, h, this.proposals[h]?.[j] as HomeResponse);
          if (value !== 0) {
            indices.push(column);
            values.push(value);
          }
        });
      });
      starts.push(indices.length);
    }
    const upper = Float64Array.from(rows, (row) => {
      const limit = this.limits[row.limit] as SharedLimit;
      return limit.upperByStep[row.step] as number;
    });
    this.model.addRows({
      lower: new Float64Array(rows.length).fill(-this.highs.infinity),
      upper,
      matrix: sparse('csr', rows.length, this.columnCount, starts, indices, values),
    });
    this.rows.push(...rows);
    const slackRows = Array.from(rows, (_, r) => firstRow + r);
    this.model.addCols({
      cost: new Float64Array(rows.length).fill(this.violationCostGbp),
      lower: new Float64Array(rows.length),
      upper: new Float64Array(rows.length).fill(this.highs.infinity),
      matrix: sparse(
        'csc',
        firstRow + rows.length,
        rows.length,
        slackRows.map((_, r) => r).concat(rows.length),
        slackRows,
        slackRows.map(() => -1),
      ),
    });
    this.columnCount += rows.length;
    this.nonzeroCount += indices.length + rows.length;
  }

  /** Adds the proposals that joined `proposals` since the last call as columns, in one call. */
  addNewProposals(): void {
    const cost: number[] = [];
    const starts = [0];
    const indices: number[] = [];
    const values: number[] = [];
    this.proposals.forEach((list, h) => {
      const columns = this.columnsOfHome[h] as number[];
      if (columns.length === 0 && list.length > 0) this.model.changeRowBounds(h, 1, 1);
      for (let j = columns.length; j < list.length; j++) {
        const proposal = list[j] as HomeResponse;
        indices.push(h);
        values.push(1);
        this.rows.forEach((row, r) => {
          const value = this.entry(row, h, proposal);
          if (value !== 0) {
            indices.push(this.proposals.length + r);
            values.push(value);
          }
        });
        starts.push(indices.length);
        cost.push(proposal.ownCostGbp);
        columns.push(this.columnCount + cost.length - 1);
      }
    });
    if (cost.length === 0) return;
    this.model.addCols({
      cost: Float64Array.from(cost),
      lower: new Float64Array(cost.length),
      upper: new Float64Array(cost.length).fill(this.highs.infinity),
      matrix: sparse('csc', this.proposals.length + this.rows.length, cost.length, starts, indices, values),
    });
    this.columnCount += cost.length;
    this.nonzeroCount += indices.length;
  }

  solve(): MasterSolution {
    // Nothing heard yet (every first proposal late or lost): no mix and no prices.
    if (this.columnsOfHome.every((columns) => columns.length === 0)) {
      return {
        weights: this.proposals.map(() => new Float64Array(0)),
        rowDuals: new Float64Array(this.rows.length),
        homeDuals: new Float64Array(this.proposals.length),
        objectiveGbp: 0,
      };
    }
    this.run();
    const solution = this.model.getSolution();
    return {
      weights: this.columnsOfHome.map((columns) =>
        Float64Array.from(columns, (column) => Math.max(0, solution.colValue[column] ?? 0)),
      ),
      rowDuals: Float64Array.from(solution.rowDual.subarray(this.proposals.length)),
      homeDuals: Float64Array.from(solution.rowDual.subarray(0, this.proposals.length)),
      objectiveGbp: this.model.getObjectiveValue(),
    };
  }

  dispose(): void {
    this.model.dispose();
  }

  /** A proposal's coefficient in an active row: the limit's weight of its home times its net import then. */
  private entry(row: ActiveRow, home: number, proposal: HomeResponse): number {
    const coefficient = (this.limits[row.limit] as SharedLimit).coefficientByHome[home] as number;
    return coefficient * (proposal.netImportKw[row.step] as number);
  }

  /** Solves from the kept basis; a hot start that ends anywhere but optimal is solved again cold. */
  private run(): void {
    const optimal = this.highs.constants.modelStatus.optimal;
    this.model.run();
    if (this.model.getModelStatus() !== optimal) {
      this.model.clearSolver();
      this.model.run();
    }
    const status = this.model.getModelStatus();
    if (status !== optimal) throw new Error(`the coordinator's master LP ended with model status ${status}`);
  }
}

/** A sparse matrix to append (rows in CSR, columns in CSC). */
function sparse(
  format: 'csr' | 'csc',
  numRows: number,
  numCols: number,
  starts: readonly number[],
  indices: readonly number[],
  values: readonly number[],
) {
  return {
    format,
    numRows,
    numCols,
    starts: Int32Array.from(starts),
    indices: Int32Array.from(indices),
    values: Float64Array.from(values),
  };
}
