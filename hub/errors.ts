/**
 * An error in something the user gave us (a file, a flag, a payload).
 * The CLI prints its message on one line and exits with code 2; never a stack trace.
 */
export class InputError extends Error {
  override readonly name = 'InputError';
  /**
   * @param where - what and where: a file path, optionally with `:row`, or a flag name.
   * @param problem - what is wrong, in words a user can act on.
   */
  constructor(
    readonly where: string,
    readonly problem: string,
  ) {
    super(`${where}: ${problem}`);
  }
}

/** A solver that did not converge; the CLI exits with code 1. */
export class ConvergenceError extends Error {
  override readonly name = 'ConvergenceError';
}
