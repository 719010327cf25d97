import type { Highs } from 'highs';
import type { HomeResponse, SharedLimit } from './coordination.js';
import { sparseMatrix } from './sparse-matrix.js';

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
 * weights sum to 1 once it has proposed), then per step some active row is at, a linking row per home
 * (n_h,t = Σ_j w_h,j · net_h,j,t, its mixed net import then, a free column), then the active limit rows over
 * the n columns (Σ_h a_h · n_h,t ≤ upper). Proposals and rows are appended as they come, so each round's solve
 * starts from the previous round's optimal basis instead of from scratch (column generation's hot start: a
 * new column keeps the old basis primal feasible).
 *
 * The linking rows keep the master sparse: a limit row weighs every home (a bus's voltage moves with each
 * home's load), so written over the proposals directly every proposal entered every active row, and the
 * entries grew as rows × proposals (3.8 million in the hardest window of 28 IEEE 70 % winter days, 3,367
 * rows). Through n a proposal enters one linking row per linked step and a limit row one entry per home: the
 * same LP (n's free columns carry no cost, so each linking row's shadow price is the home's price that step,
 * Σ_r a_h,r · the row's), in a tenth of the entries.
 */
export class MasterLp {
  private readonly model;
  private rows: ActiveRow[] = [];
  /** The model row of each active limit row, in `rows`' order. */
  private readonly modelRowOf: number[] = [];
  /** Per home, the model column of each of its proposals. */
  private readonly columnsOfHome: number[][];
  /** The steps with linking rows, in the order they joined. */
  private readonly linkedSteps: number[] = [];
  /** Per linked step, the model row of home 0's linking row and the model column of its n (home h: + h). */
  private readonly linkOf = new Map<number, { row: number; column: number }>();
  /** Steps linked since the last solve, whose n columns are not yet basic. */
  private readonly unbasedSteps: number[] = [];
  /** The basis of the last solve, statuses per column and row (none before the first). */
  private lastBasis: { colStatus: Int32Array; rowStatus: Int32Array } | undefined;
  private rowCount: number;
  private columnCount = 0;
  private nonzeroCount = 0;

  constructor(
    private readonly highs: Highs,
    readonly proposals: HomeResponse[][],
    private limits: readonly SharedLimit[],
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
    this.rowCount = proposals.length;
  }

  get activeRows(): readonly ActiveRow[] {
    return this.rows;
  }

  /** The model's matrix entries so far, what fills HiGHS's heap. */
  get nonzeros(): number {
    return this.nonzeroCount;
  }

  /** How many of the home's proposals are columns of the model. */
  proposalCount(home: number): number {
    return (this.columnsOfHome[home] as number[]).length;
  }

  /**
   * Carries the master to another exchange of its window under `limits` (e.g. a reactive pass's rows at the
   * plan's own reactive power): each row it holds takes the bound of the limit of its name, and the next solve
   * starts from the last basis instead of building the master again from its proposals. False, the master
   * unchanged, when some row's limit is not among `limits` with the same weights.
   */
  retarget(limits: readonly SharedLimit[]): boolean {
    const indexOf = new Map(limits.map(({ name }, limit) => [name, limit]));
    const rows: ActiveRow[] = [];
    for (const row of this.rows) {
      const before = this.limits[row.limit] as SharedLimit;
      const limit = indexOf.get(before.name);
      const after = limit === undefined ? undefined : limits[limit];
      if (!after?.coefficientByHome.every((a, h) => a === before.coefficientByHome[h])) return false;
      rows.push({ limit: limit as number, step: row.step });
    }
    this.rows = rows;
    this.limits = limits;
    if (rows.length > 0) {
      this.model.changeRowsBounds(
        { kind: 'set', indices: Int32Array.from(this.modelRowOf) },
        new Float64Array(rows.length).fill(-this.highs.infinity),
        Float64Array.from(rows, (row) => (limits[row.limit] as SharedLimit).upperByStep[row.step] as number),
      );
    }
    return true;
  }

  /**
   * Adds limit rows, each with its violation slack, and the linking rows of the steps they are the first at.
   * The rows go in one call and the new columns (the new steps' n and the slacks) in another: HiGHS rebuilds
   * its whole matrix when rows follow columns (or columns rows), so each piece added in turn costs a rebuild
   * (on 28 IEEE winter days a row and its slack in turn took a seventh of the time).
   */
  addRows(rows: readonly ActiveRow[]): void {
    if (rows.length === 0) return;
    const homes = this.proposals.length;
    const newSteps = [...new Set(rows.map((row) => row.step))].filter((step) => !this.linkOf.has(step));
    const starts = [0];
    const indices: number[] = [];
    const values: number[] = [];
    const lower: number[] = [];
    const upper: number[] = [];
    // Linking rows: n_h,t − Σ_j net_h,j,t · w_h,j = 0, over the proposals so far (n joins below).
    newSteps.forEach((step, s) => {
      this.linkOf.set(step, {
        row: this.rowCount + s * homes,
        column: this.columnCount + s * homes,
      });
      this.columnsOfHome.forEach((columns, h) => {
        columns.forEach((column, j) => {
          const kw = ((this.proposals[h] as HomeResponse[])[j] as HomeResponse).netImportKw[step] as number;
          if (kw !== 0) {
            indices.push(column);
            values.push(-kw);
          }
        });
        starts.push(indices.length);
        lower.push(0);
        upper.push(0);
      });
    });
    this.linkedSteps.push(...newSteps);
    this.unbasedSteps.push(...newSteps);
    // Limit rows over the n columns already in the model (a new step's join with theirs below).
    const firstLimitRow = this.rowCount + newSteps.length * homes;
    for (const row of rows) {
      const limit = this.limits[row.limit] as SharedLimit;
      const link = this.linkOf.get(row.step) as { column: number };
      if (link.column < this.columnCount) {
        limit.coefficientByHome.forEach((a, h) => {
          if (a !== 0) {
            indices.push(link.column + h);
            values.push(a);
          }
        });
      }
      starts.push(indices.length);
      lower.push(-this.highs.infinity);
      upper.push(limit.upperByStep[row.step] as number);
    }
    const addedRows = lower.length;
    this.model.addRows({
      lower: Float64Array.from(lower),
      upper: Float64Array.from(upper),
      matrix: sparseMatrix('csr', addedRows, this.columnCount, starts, indices, values),
    });
    rows.forEach((row, r) => {
      this.rows.push(row);
      this.modelRowOf.push(firstLimitRow + r);
    });
    this.rowCount += addedRows;
    this.nonzeroCount += indices.length;
    this.addLinkAndSlackColumns(newSteps, rows, firstLimitRow);
  }

  /** The new steps' n columns (in their linking rows and the new limit rows at them) and the rows' slacks. */
  private addLinkAndSlackColumns(
    newSteps: number[],
    rows: readonly ActiveRow[],
    firstLimitRow: number,
  ): void {
    const homes = this.proposals.length;
    const starts = [0];
    const indices: number[] = [];
    const values: number[] = [];
    const cost: number[] = [];
    const lower: number[] = [];
    const upper: number[] = [];
    for (const step of newSteps) {
      const link = this.linkOf.get(step) as { row: number };
      for (let h = 0; h < homes; h++) {
        indices.push(link.row + h);
        values.push(1);
        rows.forEach((row, r) => {
          const a = (this.limits[row.limit] as SharedLimit).coefficientByHome[h] as number;
          if (row.step === step && a !== 0) {
            indices.push(firstLimitRow + r);
            values.push(a);
          }
        });
        starts.push(indices.length);
        cost.push(0);
        lower.push(-this.highs.infinity);
        upper.push(this.highs.infinity);
      }
    }
    rows.forEach((_, r) => {
      indices.push(firstLimitRow + r);
      values.push(-1);
      starts.push(indices.length);
      cost.push(this.violationCostGbp);
      lower.push(0);
      upper.push(this.highs.infinity);
    });
    this.model.addCols({
      cost: Float64Array.from(cost),
      lower: Float64Array.from(lower),
      upper: Float64Array.from(upper),
      matrix: sparseMatrix('csc', this.rowCount, cost.length, starts, indices, values),
    });
    this.columnCount += cost.length;
    this.nonzeroCount += indices.length;
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
        for (const step of this.linkedSteps) {
          const kw = proposal.netImportKw[step] as number;
          if (kw !== 0) {
            indices.push((this.linkOf.get(step) as { row: number }).row + h);
            values.push(-kw);
          }
        }
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
      matrix: sparseMatrix('csc', this.rowCount, cost.length, starts, indices, values),
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
      rowDuals: Float64Array.from(this.modelRowOf, (row) => solution.rowDual[row] ?? 0),
      homeDuals: Float64Array.from(solution.rowDual.subarray(0, this.proposals.length)),
      objectiveGbp: this.model.getObjectiveValue(),
    };
  }

  dispose(): void {
    this.model.dispose();
  }

  /**
   * Puts the new steps' n columns in the basis in place of their linking rows. Left to the simplex, each
   * free n column was a pivot of its own: a window's reactive pass, starting cold from 1,500 proposals over
   * 2,600 linking rows, took ten times the dense master's time. With n basic the basis stays nonsingular
   * (each linking row has its n's 1 and no other basic entry's but proposals', which are nonbasic).
   */
  private baseLinks(): void {
    if (this.unbasedSteps.length === 0) return;
    const { basic, lower } = this.highs.constants.basisStatus;
    // The last basis, extended as HiGHS extends it: columns since then nonbasic at their lower bound (0 for
    // a proposal or slack), rows since then basic.
    const colStatus = new Int32Array(this.columnCount).fill(lower);
    const rowStatus = new Int32Array(this.rowCount).fill(basic);
    if (this.lastBasis) {
      colStatus.set(this.lastBasis.colStatus);
      rowStatus.set(this.lastBasis.rowStatus);
    }
    const basis = { colStatus, rowStatus };
    for (const step of this.unbasedSteps) {
      const link = this.linkOf.get(step) as { row: number; column: number };
      for (let h = 0; h < this.proposals.length; h++) {
        basis.colStatus[link.column + h] = basic;
        basis.rowStatus[link.row + h] = lower;
      }
    }
    this.unbasedSteps.length = 0;
    this.model.setBasis(basis);
  }

  /** Solves from the kept basis; a hot start that ends anywhere but optimal is solved again cold. */
  private run(): void {
    const optimal = this.highs.constants.modelStatus.optimal;
    this.baseLinks();
    this.model.run();
    if (this.model.getModelStatus() !== optimal) {
      // Cold, but with every n column basic (see baseLinks).
      this.model.clearSolver();
      this.lastBasis = undefined;
      this.unbasedSteps.push(...this.linkedSteps);
      this.baseLinks();
      this.model.run();
    }
    const status = this.model.getModelStatus();
    if (status !== optimal) throw new Error(`the coordinator's master LP ended with model status ${status}`);
    const { colStatus, rowStatus } = this.model.getBasis();
    this.lastBasis = { colStatus, rowStatus };
  }
}
