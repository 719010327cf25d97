#!/usr/bin/env -S node --lite-mode --no-expose-wasm --max-semi-space-size=1
/**
 * `gridflex-device --config FILE [--broker URL] [--simulate [EVENTS]]`: runs one board's device agent until SIGTERM/SIGINT.
 * Exit codes: 0 after a clean stop, 1 when the hardware cannot be opened, 2 for a bad config or flag.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { DeviceAgent, type LogLevel } from './agent.js';
import { type DeviceConfig, DeviceConfigError, loadDeviceConfig, simulatedConfig } from './config.js';

const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error', 'fatal'];

const program = new Command('gridflex-device')
  .description('Run one GridFlex board: its device kinds as a Homie 5 device on the hub\u2019s MQTT broker')
  .version('0.1.0')
  .requiredOption('-c, --config <file>', 'the board config YAML (see hardware/boards/)')
  .option('-b, --broker <url>', 'broker URL, overriding broker.url in the config')
  .option(
    '--simulate [events]',
    'run on the simulated backend instead of the hardware (pins still checked against the board); EVENTS: a YAML file of scripted sim events',
  )
  .addOption(
    new Option('--log-level <level>', 'least severe log level printed').choices(LOG_LEVELS).default('info'),
  )
  .exitOverride()
  .configureOutput({ writeErr: (text) => process.stderr.write(text) });

try {
  program.parse(process.argv);
  await run(program.opts<RunOptions>());
} catch (error) {
  process.exitCode = reportError(error);
}

interface RunOptions {
  config: string;
  broker?: string;
  simulate?: boolean | string;
  logLevel: LogLevel;
}

async function run(options: RunOptions): Promise<void> {
  const loaded = loadDeviceConfig(options.config);
  // Validated for its own hardware above; only the driver (and the scripted events) change.
  const config =
    options.simulate === undefined
      ? loaded
      : simulatedConfig(loaded, typeof options.simulate === 'string' ? options.simulate : undefined);
  if (options.broker !== undefined && !/^(mqtts?|wss?|tcp):\/\/\S+$/.test(options.broker)) {
    throw new DeviceConfigError('--broker', [
      `"${options.broker}" is not an mqtt://, mqtts://, ws:// or wss:// URL`,
    ]);
  }
  const minLevel = LOG_LEVELS.indexOf(options.logLevel);
  const log = (level: LogLevel, message: string) => {
    if (LOG_LEVELS.indexOf(level) >= minLevel) {
      process.stderr.write(`${new Date().toISOString()} ${level} ${config.deviceId}: ${message}\n`);
    }
  };
  const agent = new DeviceAgent({
    config,
    brokerUrl: options.broker,
    password: resolvePassword(config, options.config),
    log,
  });
  const shutdown = async (signal: string) => {
    log('info', `${signal}: stopping`);
    await agent.stop();
    process.exit(0);
  };
  // Registered before start, so a stop during a slow hardware open is still clean.
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
  // Started by a hub (`gridflex hub --demo`) with an IPC channel: the channel closes when the hub ends, however
  // it ends, and the board stops with it instead of running on as an orphan.
  // (A hub that ended while this agent was still loading closed the channel already: `connected` is false.)
  if (process.send !== undefined) {
    if (process.connected) process.once('disconnect', () => void shutdown('hub gone'));
    else return shutdown('hub gone');
  }
  await agent.start();
}

function resolvePassword(config: DeviceConfig, file: string): string | undefined {
  const { password, passwordFile } = config.broker;
  if (passwordFile === undefined) return password;
  try {
    return readFileSync(passwordFile, 'utf8').trim();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new DeviceConfigError(file, [`broker.passwordFile: cannot read ${passwordFile}: ${code}`]);
  }
}

function reportError(error: unknown): number {
  if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
  if (error instanceof DeviceConfigError) {
    for (const problem of error.problems) process.stderr.write(`error: ${error.file}: ${problem}\n`);
    return 2;
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`error: ${message}\n`);
  return 1;
}
