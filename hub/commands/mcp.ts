import { resolve } from 'node:path';
import type { Command } from 'commander';
import { InputError } from '../errors.js';
import { parsePort, parsePositiveInt } from '../live/options.js';
import { type McpHubOptions, serveHttp, serveStdio } from '../mcp/mcp-server.js';
import { DEFAULT_DATA_DIR } from '../runs/store.js';
import {
  LIVE_CALLS_PER_MINUTE,
  mcpLog,
  RUN_CALLS_PER_MINUTE,
  type RunFlags,
  startSteppedRun,
} from './mcp-run.js';

interface McpFlags {
  broker: string;
  dataDir: string;
  httpPort?: string;
  host: string;
  callsPerMinute?: string;
  scenario?: string;
}

/** `gridflex mcp`: an MCP server for residents' AI agents, beside a running live hub. */
export function registerMcpCommand(program: Command): void {
  program
    .command('mcp')
    .description(
      'MCP server for a resident’s AI agent: their home’s meter, prices, carbon, tariffs and controls',
    )
    .option('--broker <url>', 'the live hub’s MQTT broker', 'mqtt://127.0.0.1:1883')
    .option(
      '--data-dir <dir>',
      'the hub’s data dir (its users file names each resident’s home)',
      DEFAULT_DATA_DIR,
    )
    .option(
      '--http-port <port>',
      'serve streamable HTTP on /mcp (HTTP Basic: resident username and password) instead of stdio',
    )
    .option('--host <address>', 'interface for --http-port', '127.0.0.1')
    .option(
      '--calls-per-minute <n>',
      `tool calls a minute each resident may make (default ${LIVE_CALLS_PER_MINUTE}, with --scenario ${RUN_CALLS_PER_MINUTE})`,
    )
    .option('--scenario <file>', 'instead of the live hub: a scenario run that the agent’s calls step')
    .option('--home <id>', 'with --scenario: the home the agent acts for (policy external)')
    .option('--out <dir>', 'with --scenario: where finish_run writes the run’s results')
    .option('--days <n>', 'with --scenario: only the first N days')
    .option('--policy <name>', 'with --scenario: the other homes’ policy (default: each home’s own)')
    .option('--limit-kw <kW>', 'with --scenario: street import limit for fleet policies')
    .option(
      '--network-data <what>',
      'with --scenario: what network_status may read: street, own-home or none',
      'street',
    )
    .addHelpText(
      'after',
      '\nOver stdio the resident is GRIDFLEX_USERNAME with GRIDFLEX_PASSWORD (from `gridflex user add`).\n' +
        'With --http-port it prints "mcp ready: <url>" on stdout.\n' +
        'With --scenario it serves a run on this machine (stdio, or --http-port for the home’s resident);\n' +
        'the agent steps it (advance) and\n' +
        'finish_run writes it to --out and the run history of --data-dir. See docs/agents.md.',
    )
    .action((flags: McpFlags & RunFlags) => serveMcp(flags));
}

async function serveMcp(flags: McpFlags & RunFlags): Promise<void> {
  const stop =
    flags.scenario === undefined
      ? await startLive(flags)
      : await startSteppedRun({ ...flags, scenario: flags.scenario });
  await new Promise<void>((done) => {
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
    process.stdin.once('end', () => {
      if (flags.httpPort === undefined) done();
    });
  });
  await stop();
}

async function startLive(flags: McpFlags): Promise<() => Promise<void>> {
  if (!/^(mqtts?|wss?|tcp):\/\/[^\s/]+/.test(flags.broker)) {
    throw new InputError('--broker', `"${flags.broker}" is not an mqtt://host:port URL`);
  }
  const options: McpHubOptions = {
    brokerUrl: flags.broker,
    dataDir: resolve(flags.dataDir),
    callsPerMinute: parsePositiveInt(
      flags.callsPerMinute ?? `${LIVE_CALLS_PER_MINUTE}`,
      '--calls-per-minute',
      10_000,
    ),
    log: mcpLog,
  };
  return flags.httpPort === undefined ? startStdio(options) : startHttp(options, flags);
}

async function startStdio(options: McpHubOptions): Promise<() => Promise<void>> {
  const username = process.env.GRIDFLEX_USERNAME;
  const password = process.env.GRIDFLEX_PASSWORD;
  if (!username || !password) {
    throw new InputError(
      'GRIDFLEX_USERNAME, GRIDFLEX_PASSWORD',
      'set both to a resident’s credentials (gridflex user add)',
    );
  }
  return serveStdio(options, username, password);
}

async function startHttp(options: McpHubOptions, flags: McpFlags): Promise<() => Promise<void>> {
  const port = parsePort(flags.httpPort as string, '--http-port');
  const server = await serveHttp(options, flags.host, port);
  process.stdout.write(`mcp ready: ${server.url}\n`);
  return () => server.close();
}
