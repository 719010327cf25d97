import type { SharedLimit } from './coordination.js';
import type { ActiveRow, MasterLp } from './master-lp.js';

/**
 * Broken limit rows of one step that join the master in a round, worst first. On the IEEE 70 % street over two
 * winter days 3 took 50 rounds warm (more than the 47 cold), 5 took 46 (47 cold), 10 35 and 100 28; but the
 * master's dense rows filled HiGHS's WebAssembly memory (before the linking rows of ./master-lp.ts): 28 days
 * aborted with 10 and ran with 3 and 5, and in summer 100 took 3.6 times the time of 3.
 */
const ROWS_PER_STEP_PER_ROUND = 5;

/**
 * Which limit rows (limit, step) join a coordinator's master, round by round: every row some plan mix has
 * broken, the worst of a step first, as long as the master stays within its nonzero budget counted from its
 * real size and the most it can still grow.
 */
export class RowAdmission {
  /** Whether a broken row was ever left out because the master would have passed its nonzero budget. */
  budgetReached = false;
  /** Whether the last {@link admit} left out a row for want of room: a window may not conclude on it. */
  refusedRow = false;
  /** The master's rows, as limit × steps + step. */
  private readonly activeKeys = new Set<number>();
  /** The steps some kept row is at: each has a linking row per home, an entry of every proposal. */
  private readonly linkedSteps = new Set<number>();
  private projectedNonzeros = 0;

  constructor(
    private readonly master: MasterLp,
    private readonly limits: readonly SharedLimit[],
    private readonly steps: number,
    private readonly nonzeroBudget: number,
  ) {
    for (const row of master.activeRows) {
      this.activeKeys.add(row.limit * steps + row.step);
      this.linkedSteps.add(row.step);
    }
  }

  /**
   * Adds to the master the rows of `start` it lacks and, per step, the worst rows `violationByLimit` (per limit,
   * per step) breaks that it lacks, as far as the budget allows with `roundsLeft` rounds of proposals to come.
   * Returns how many rows joined.
   */
  admit(start: readonly ActiveRow[], violationByLimit: readonly Float64Array[], roundsLeft: number): number {
    this.refusedRow = false;
    this.countFrom(roundsLeft);
    const fresh: ActiveRow[] = [];
    for (const row of start) {
      const key = row.limit * this.steps + row.step;
      const known = row.limit < this.limits.length && row.step < this.steps;
      if (known && !this.activeKeys.has(key) && this.fits(row, roundsLeft)) {
        this.activeKeys.add(key);
        fresh.push(row);
      }
    }
    // Per step only the worst broken rows join: on a street many rows break together (every bus's voltage
    // as midday PV lifts them all) and most are kept once the worst are, while each row makes the master
    // larger. A row still broken joins in a later round; the coordinator concludes only when none is.
    for (let t = 0; t < this.steps; t++) {
      const broken: { limit: number; by: number }[] = [];
      violationByLimit.forEach((by, c) => {
        const excess = by[t] as number;
        if (excess > 1e-9 && !this.activeKeys.has(c * this.steps + t)) broken.push({ limit: c, by: excess });
      });
      broken.sort((a, b) => b.by - a.by || a.limit - b.limit);
      for (const { limit } of broken.slice(0, ROWS_PER_STEP_PER_ROUND)) {
        if (!this.fits({ limit, step: t }, roundsLeft)) break;
        this.activeKeys.add(limit * this.steps + t);
        fresh.push({ limit, step: t });
      }
    }
    this.master.addRows(fresh);
    return fresh.length;
  }

  /**
   * Starts counting a round's rows from the master's real size: its nonzeros once the proposals in hand have
   * joined and every home proposes a new plan in each round left (the most it can grow without more rows).
   */
  private countFrom(roundsLeft: number): void {
    this.projectedNonzeros = this.master.nonzeros;
    this.master.proposals.forEach((list, h) => {
      const columns = list.length - this.master.proposalCount(h) + roundsLeft;
      this.projectedNonzeros += columns * (1 + this.linkedSteps.size);
    });
  }

  /**
   * Whether the row fits the master's budget: its slack and an entry per home it weighs, and at a step no
   * kept row is at yet, the step's linking rows (an entry per home, and per proposal so far and to come).
   * A row that does not is refused (and the window says so); a later round, with fewer rounds left to grow
   * in, may admit it.
   */
  private fits(row: ActiveRow, roundsLeft: number): boolean {
    const coefficients = (this.limits[row.limit] as SharedLimit).coefficientByHome;
    let nonzeros = 1 + coefficients.filter((a) => a !== 0).length;
    if (!this.linkedSteps.has(row.step)) {
      this.master.proposals.forEach((list) => {
        nonzeros += 1 + list.length + roundsLeft;
      });
    }
    if (this.projectedNonzeros + nonzeros > this.nonzeroBudget) {
      this.budgetReached = true;
      this.refusedRow = true;
      return false;
    }
    this.projectedNonzeros += nonzeros;
    this.linkedSteps.add(row.step);
    return true;
  }
}
