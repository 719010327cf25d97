import { resolve } from 'node:path';
import type { Command } from 'commander';
import { InputError } from '../errors.js';
import { parsePort, parsePositiveInt } from '../live/options.js';
import { type McpHubOptions, serveHttp, serveStdio } from '../mcp/mcp-server.js';
import { DEFAULT_DATA_DIR } from '../runs/store.js';

interface McpFlags {
  broker: string;
  dataDir: string;
  httpPort?: string;
  host: string;
  callsPerMinute: string;
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
    .option('--calls-per-minute <n>', 'tool calls a minute each resident may make', '60')
    .addHelpText(
      'after',
      '\nOver stdio the resident is GRIDFLEX_USERNAME with GRIDFLEX_PASSWORD (from `gridflex user add`).\n' +
        'With --http-port it prints "mcp ready: <url>" on stdout. See docs/agents.md.',
    )
    .action((flags: McpFlags) => runMcp(flags));
}

async function runMcp(flags: McpFlags): Promise<void> {
  if (!/^(mqtts?|wss?|tcp):\/\/[^\s/]+/.test(flags.broker)) {
    throw new InputError('--broker', `"${flags.broker}" is not an mqtt://host:port URL`);
  }
  const options: McpHubOptions = {
    brokerUrl: flags.broker,
    dataDir: resolve(flags.dataDir),
    callsPerMinute: parsePositiveInt(flags.callsPerMinute, '--calls-per-minute', 10_000),
    log: (level, message) => process.stderr.write(`${new Date().toISOString()} ${level} mcp: ${message}\n`),
  };
  const stop = flags.httpPort === undefined ? await startStdio(options) : await startHttp(options, flags);
  await new Promise<void>((done) => {
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
    process.stdin.once('end', () => {
      if (flags.httpPort === undefined) done();
    });
  });
  await stop();
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
