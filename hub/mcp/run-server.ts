/**
 * Serves a run the agent steps itself (`gridflex mcp --scenario`): one MCP server per session with the run's
 * tools and resources, over stdio (the local agent) or streamable HTTP (the home's resident from the users
 * file). Every session acts on the same run.
 */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { InputError } from '../errors.js';
import { type CallContext, CallLimiter, type McpLog, type ResidentIdentity } from './call-guard.js';
import {
  connectSession,
  type McpHttpServer,
  type McpServeOptions,
  residentIdentity,
  type ServedSession,
  serveSessionsHttp,
} from './mcp-server.js';
import { type RunLink, registerRunTools } from './run-tools.js';
import { registerJsonResources } from './tool-kit.js';

/** The run's tools and resources for one session acting as `identity`. */
export function openRunSession(
  link: RunLink,
  identity: ResidentIdentity,
  limiter: CallLimiter,
  log: McpLog,
): ServedSession {
  const server = new McpServer(
    { name: 'gridflex-run', version: '0.1.0' },
    {
      instructions: `Tools for ${identity.home}'s energy on a scenario run that your calls step (advance), acting for ${identity.username}.`,
    },
  );
  const context: CallContext<RunLink> = { identity, link, limiter, log };
  registerRunTools(server, context);
  registerRunResources(server, link, identity);
  // The run outlives its sessions: closing one releases nothing of it.
  return { server, identity, context, close: async () => {} };
}

function registerRunResources(server: McpServer, link: RunLink, identity: ResidentIdentity): void {
  registerJsonResources(server, [
    {
      name: 'home-assets',
      uri: 'gridflex://home/assets',
      description: `${identity.home}: its connection and assets`,
      read: () => link.run.home.spec,
    },
    {
      name: 'market-rules',
      uri: 'gridflex://market/rules',
      description: 'The regulator’s rules of the scenario',
      read: () => link.run.rules,
    },
    {
      name: 'scenario',
      uri: 'gridflex://scenario',
      description: 'The run: its scenario, span, homes and their policies',
      read: () => link.run.scenarioSummary,
    },
  ]);
}

/** Serves the run to the agent that started `gridflex mcp --scenario` (stdio). */
export async function serveRunStdio(
  link: RunLink,
  identity: ResidentIdentity,
  callsPerMinute: number,
  log: McpLog,
): Promise<() => Promise<void>> {
  const session = openRunSession(link, identity, new CallLimiter(callsPerMinute), log);
  await connectSession(session, new StdioServerTransport());
  log('info', `serving ${identity.home} on a stepped run over stdio`);
  return () => session.server.close();
}

/**
 * Serves the run over streamable HTTP to the resident of its home: their username and password from the
 * users file of `options.dataDir` (HTTP Basic, as on the live table); any other user is refused.
 */
export function serveRunHttp(
  link: RunLink,
  options: McpServeOptions,
  host: string,
  port: number,
): Promise<McpHttpServer> {
  const home = link.run.home.spec.id;
  return serveSessionsHttp(options, host, port, async (username, password, login, limiter) => {
    const identity = await residentIdentity(login, username, password);
    if (identity.home !== home) {
      throw new InputError(
        'credentials',
        `${username} is the resident of ${identity.home}; this run serves ${home}`,
      );
    }
    return openRunSession(link, identity, limiter, options.log);
  });
}
