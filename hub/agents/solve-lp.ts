import type { Highs, ModelData } from 'highs';

/** The parts of an optimal LP solution the coordinating policies read. */
export interface LpSolution {
  colValue: Float64Array;
  rowDual: Float64Array;
  objective: number;
}

/**
 * Solves a one-off LP with HiGHS and frees its model. Throws, naming `what`, unless the solve is optimal.
 * (Each home's own LP keeps a persistent model instead, to warm-start day after day: see HomeLp.)
 */
export function solveLp(highs: Highs, data: ModelData, what: string): LpSolution {
  const model = highs.createModel();
  try {
    model.options.set({ output_flag: false });
    model.passModel(data);
    model.run();
    const status = model.getModelStatus();
    if (status !== highs.constants.modelStatus.optimal)
      throw new Error(`${what} ended with model status ${status}`);
    const solution = model.getSolution();
    return {
      colValue: Float64Array.from(solution.colValue),
      rowDual: Float64Array.from(solution.rowDual),
      objective: model.getObjectiveValue(),
    };
  } finally {
    model.dispose();
  }
}
