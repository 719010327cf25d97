#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { COMMANDS, commandToRun, listCommand } from './commands/index.js';
import { ConvergenceError, InputError } from './errors.js';

/** Exit codes of every `gridflex` subcommand. */
export const EXIT_CODE = { ok: 0, failed: 1, badInput: 2 } as const;

const program = new Command('gridflex')
  .description('GridFlex Table: what residents\u2019 AI energy agents do to a low-voltage street')
  .version('0.1.0')
  .exitOverride()
  .configureOutput({ writeErr: (text) => process.stderr.write(text) });

// Each subcommand lives in hub/commands/<name>.ts, listed in hub/commands/index.ts. Only the one that runs is
// imported; without one (root help, version, an unknown name) the root help lists them all unloaded.
async function defineCommands(): Promise<void> {
  const toRun = commandToRun(process.argv.slice(2));
  if (toRun === undefined) {
    for (const command of COMMANDS) listCommand(program, command);
    return;
  }
  for (const register of await toRun.load()) register(program);
}

try {
  await defineCommands();
  await program.parseAsync(process.argv);
} catch (error) {
  process.exitCode = exitCodeFor(error);
}

function exitCodeFor(error: unknown): number {
  if (error instanceof CommanderError) {
    // --help and --version end through here with exit code 0.
    return error.exitCode === 0 ? EXIT_CODE.ok : EXIT_CODE.badInput;
  }
  if (error instanceof InputError) {
    process.stderr.write(`error: ${error.message}\n`);
    return EXIT_CODE.badInput;
  }
  if (error instanceof ConvergenceError) {
    process.stderr.write(`error: ${error.message}\n`);
    return EXIT_CODE.failed;
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`error: ${message}\n`);
  return EXIT_CODE.failed;
}
