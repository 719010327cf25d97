#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { registerDataCommand } from './commands/data.js';
import { registerDeviceCommand } from './commands/device.js';
import { registerFlowsCommand } from './commands/flows.js';
import { registerHardwareCommand } from './commands/hardware.js';
import { registerHubCommand } from './commands/hub.js';
import { registerMcpCommand } from './commands/mcp.js';
import { registerMosaikCommand } from './commands/mosaik.js';
import { registerMosquittoCommand } from './commands/mosquitto.js';
import { registerPowerflowCommand } from './commands/powerflow.js';
import { registerProtocolCommand } from './commands/protocol.js';
import { registerReportCommand } from './commands/report.js';
import { registerRunCommand } from './commands/run.js';
import { registerRunsCommand } from './commands/runs.js';
import { registerStudyCommand } from './commands/study.js';
import { registerTariffsCommand } from './commands/tariffs.js';
import { registerUserCommand } from './commands/user.js';
import { ConvergenceError, InputError } from './errors.js';

/** Exit codes of every `gridflex` subcommand. */
export const EXIT_CODE = { ok: 0, failed: 1, badInput: 2 } as const;

const program = new Command('gridflex')
  .description('GridFlex Table: what residents\u2019 AI energy agents do to a low-voltage street')
  .version('0.1.0')
  .exitOverride()
  .configureOutput({ writeErr: (text) => process.stderr.write(text) });

// Each subcommand lives in hub/commands/<name>.ts and registers itself here.
registerPowerflowCommand(program);
registerDataCommand(program);
registerTariffsCommand(program);
registerHubCommand(program);
registerDeviceCommand(program);
registerUserCommand(program);
registerMosquittoCommand(program);
registerProtocolCommand(program);
registerRunCommand(program);
registerStudyCommand(program);
registerHardwareCommand(program);
registerFlowsCommand(program);
registerRunsCommand(program);
registerReportCommand(program);
registerMcpCommand(program);
registerMosaikCommand(program);

try {
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
