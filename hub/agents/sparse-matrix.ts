/** A sparse matrix for HiGHS's addRows/addCols: rows in CSR (`starts` per row) or columns in CSC (per column). */
export function sparseMatrix(
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
