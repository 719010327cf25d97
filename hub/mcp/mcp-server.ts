import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { CredentialStore, type LoginOutcome } from '../auth/credentials.js';
import { InputError } from '../errors.js';
import {
  type CallContext,
  CallLimiter,
  type McpLog,
  type ResidentIdentity,
  reportCall,
} from './call-guard.js';
import { registerHomeTools } from './home-tools.js';
import { ResidentLink } from './resident-link.js';
import { registerJsonResources } from './tool-kit.js';

/** Whose credentials say who may use a server, its call limit and its log. */
export interface McpServeOptions {
  /** The data dir whose credentials file names each resident's home. */
  dataDir: string;
  callsPerMinute: number;
  log: McpLog;
}

/** Where the hub is, and the server's options. */
export interface McpHubOptions extends McpServeOptions {
  /** The hub's broker, e.g. mqtt://127.0.0.1:1883. */
  brokerUrl: string;
}

/** What `serveSessionsHttp` serves a login with: an MCP server with its tools, for whom, and how to release it. */
export interface ServedSession {
  server: McpServer;
  identity: ResidentIdentity;
  context: CallContext;
  close(): Promise<void>;
}

/** Opens a session for a login checked by `login`, its calls counted by `limiter`. */
export type SessionOpener = (
  username: string,
  password: string,
  login: PasswordLogin,
  limiter: CallLimiter,
) => Promise<ServedSession>;

/** One resident's MCP server: their tools over their own connection to the hub. */
export interface HomeSession extends ServedSession {
  link: ResidentLink;
}

/**
 * Checks a resident's username and password against the hub's users file and connects to the hub's broker
 * as them. Refused (InputError) for a wrong password or a user who is not a resident.
 */
export async function openHomeSession(
  options: McpHubOptions,
  limiter: CallLimiter,
  username: string,
  password: string,
  login: PasswordLogin = onceWith(options.dataDir),
): Promise<HomeSession> {
  const identity = await residentIdentity(login, username, password);
  const link = await ResidentLink.connect(options.brokerUrl, username, password, identity.home);
  const server = new McpServer(
    { name: 'gridflex-home', version: '0.1.0' },
    {
      instructions: `Tools for ${identity.home}'s energy on the GridFlex live table, acting for ${username}.`,
    },
  );
  const context: CallContext<ResidentLink> = { identity, link, limiter, log: options.log };
  registerHomeTools(server, context);
  registerHomeResources(server, link, identity);
  return { server, link, identity, context, close: () => link.close() };
}

/**
 * Connects the session's server to a transport. Calls the SDK refuses on their arguments (before a tool
 * runs) are logged and reported to the hub like every other call.
 */
export async function connectSession(
  session: Pick<ServedSession, 'server' | 'context'>,
  transport: Transport,
): Promise<void> {
  const send = transport.send.bind(transport);
  transport.send = async (message, options) => {
    const refusal = argumentRefusal(message);
    if (refusal)
      await reportCall(session.context, refusal.tool, { outcome: 'refused', summary: refusal.reason });
    return send(message, options);
  };
  await session.server.connect(transport);
}

/** The tool and reason of a "tools/call" answer that the SDK's argument check refused, if it is one. */
function argumentRefusal(message: unknown): { tool: string; reason: string } | undefined {
  const result = (message as { result?: { isError?: boolean; content?: { text?: string }[] } }).result;
  if (result?.isError !== true) return undefined;
  const match = /Input validation error: Invalid arguments for tool (\S+): ([\s\S]*)$/.exec(
    result.content?.[0]?.text ?? '',
  );
  return match ? { tool: match[1] as string, reason: `invalid arguments: ${match[2]}` } : undefined;
}

/** A login refused unchecked: its account or address waits after too many failures (HTTP 429). */
class LoginHeldError extends InputError {}

/** How a session's password is checked: once at start (stdio), or per new HTTP session under the back-off. */
export type PasswordLogin = (username: string, password: string) => Promise<LoginOutcome>;

/** One check against the users file as it is now, with no back-off (a process that serves one resident). */
function onceWith(dataDir: string): PasswordLogin {
  return async (username, password) => {
    const principal = await CredentialStore.open(dataDir).verify(username, password);
    return principal ? { outcome: 'accepted', principal } : { outcome: 'refused' };
  };
}

/** The resident's home from the hub's users file, after checking their password. */
export async function residentIdentity(
  login: PasswordLogin,
  username: string,
  password: string,
): Promise<ResidentIdentity> {
  const answer = await login(username, password);
  if (answer.outcome === 'held') {
    const waitS = Math.ceil(answer.waitMs / 1000);
    throw new LoginHeldError('credentials', `too many failed logins: try again in ${waitS} s`);
  }
  const principal = answer.outcome === 'accepted' ? answer.principal : null;
  if (!principal) throw new InputError('credentials', `unknown user "${username}" or wrong password`);
  if (principal.role.role !== 'resident') {
    throw new InputError(
      'credentials',
      `"${username}" has role ${principal.role.role}: gridflex mcp serves residents (role resident:<home>)`,
    );
  }
  return { username, home: principal.role.homeId };
}

/** The home's assets, the market rules and the table as MCP resources. */
function registerHomeResources(server: McpServer, link: ResidentLink, identity: ResidentIdentity): void {
  registerJsonResources(server, [
    {
      name: 'home-assets',
      uri: 'gridflex://home/assets',
      description: `${identity.home}: its plot, bus and the assets on it`,
      read: () => {
        const map = link.view.tableMap;
        const plot = map?.plots.find((candidate) => candidate.home === identity.home);
        const assets = map?.assets.filter((asset) => plot && asset.plot === plot.plot) ?? [];
        return { home: identity.home, plot, assets };
      },
    },
    {
      name: 'market-rules',
      uri: 'gridflex://market/rules',
      description: 'The regulator’s rules in force',
      read: () => link.view.rules,
    },
    {
      name: 'scenario',
      uri: 'gridflex://scenario',
      description: 'The live table: its feeder, plots and the assets on them',
      read: () => link.view.tableMap,
    },
  ]);
}

/** Serves one resident over stdio (an agent that starts `gridflex mcp` itself). */
export async function serveStdio(
  options: McpHubOptions,
  username: string,
  password: string,
): Promise<() => Promise<void>> {
  const limiter = new CallLimiter(options.callsPerMinute);
  const session = await openHomeSession(options, limiter, username, password);
  const transport = new StdioServerTransport();
  await connectSession(session, transport);
  options.log('info', `serving ${session.identity.home} for ${username} over stdio`);
  return async () => {
    await session.server.close();
    await session.close();
  };
}

/** A running streamable HTTP server and where it listens. */
export interface McpHttpServer {
  url: string;
  close(): Promise<void>;
}

/**
 * Serves residents over streamable HTTP on `/mcp`: every request carries the resident's username and
 * password (HTTP Basic); a session (its `Mcp-Session-Id`) belongs to the user who opened it, with its own
 * connection to the hub as that user.
 */
export function serveHttp(options: McpHubOptions, host: string, port: number): Promise<McpHttpServer> {
  return serveSessionsHttp(options, host, port, (username, password, login, limiter) =>
    openHomeSession(options, limiter, username, password, login),
  );
}

/** Serves over streamable HTTP the sessions `open` makes for each checked login (the live table's or a run's). */
export async function serveSessionsHttp(
  options: McpServeOptions,
  host: string,
  port: number,
  open: SessionOpener,
): Promise<McpHttpServer> {
  const limiter = new CallLimiter(options.callsPerMinute);
  const sessions: HttpSessions = new Map();
  // One store for the server's life, so its login back-off (per account and per address) holds across requests.
  const credentials = CredentialStore.open(options.dataDir);
  const http = createServer((request, response) => {
    const address = request.socket.remoteAddress ?? 'unknown';
    const login: PasswordLogin = (username, password) => {
      credentials.reloadIfChanged();
      return credentials.login(username, password, address);
    };
    handleHttp({ ...options, open }, limiter, sessions, login, request, response).catch((error: Error) => {
      options.log('error', `HTTP ${request.method} ${request.url}: ${error.message}`);
      if (!response.headersSent) sendError(response, 500, error.message);
    });
  });
  await listen(http, host, port);
  const address = http.address() as AddressInfo;
  return {
    url: `http://${host}:${address.port}/mcp`,
    close: async () => {
      for (const { session, transport } of sessions.values()) {
        await transport.close();
        await session.close();
      }
      await new Promise<void>((done) => http.close(() => done()));
    },
  };
}

type HttpSessions = Map<
  string,
  { session: ServedSession; transport: StreamableHTTPServerTransport; passwordDigest: Buffer }
>;

/** What a session keeps of its password, to check every later request's cheaply (no scrypt per request). */
function passwordDigest(password: string): Buffer {
  return createHash('sha256').update(password).digest();
}

async function handleHttp(
  options: McpServeOptions & { open: SessionOpener },
  limiter: CallLimiter,
  sessions: HttpSessions,
  login: PasswordLogin,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  if (new URL(request.url ?? '/', 'http://localhost').pathname !== '/mcp')
    return sendError(response, 404, 'not found: use /mcp');
  const credentials = basicCredentials(request);
  if (!credentials) return sendError(response, 401, 'send the resident’s username and password (HTTP Basic)');
  const sessionId = request.headers['mcp-session-id'];
  if (typeof sessionId === 'string') {
    const existing = sessions.get(sessionId);
    if (!existing) return sendError(response, 404, `no session ${sessionId}`);
    if (existing.session.identity.username !== credentials.username) {
      return sendError(response, 403, `session ${sessionId} belongs to another user`);
    }
    if (!timingSafeEqual(existing.passwordDigest, passwordDigest(credentials.password))) {
      options.log(
        'warn',
        `HTTP request of ${credentials.username} on session ${sessionId} refused: wrong password`,
      );
      return sendError(response, 401, `wrong password for ${credentials.username}`);
    }
    return existing.transport.handleRequest(request, response);
  }
  let session: ServedSession;
  try {
    session = await options.open(credentials.username, credentials.password, login, limiter);
  } catch (error) {
    const message = (error as Error).message;
    options.log('warn', `HTTP login of ${credentials.username} refused: ${message}`);
    return sendError(response, error instanceof LoginHeldError ? 429 : 401, message);
  }
  const transport = new StreamableHTTPServerTransport({
    sessionIdGenerator: () => randomUUID(),
    onsessioninitialized: (id) => {
      sessions.set(id, { session, transport, passwordDigest: passwordDigest(credentials.password) });
      closeOldestSessions(sessions, session.identity.username, options.log);
      options.log('info', `HTTP session for ${session.identity.home} (${credentials.username}) opened`);
    },
    onsessionclosed: (id) => {
      sessions.delete(id);
      session.close().catch(() => {});
    },
  });
  await connectSession(session, transport);
  await transport.handleRequest(request, response);
  if (transport.sessionId === undefined) await session.close();
}

/** Open HTTP sessions one resident may keep (each holds a connection to the hub); the oldest go first. */
export const MAX_SESSIONS_PER_RESIDENT = 4;

/** Closes a resident's oldest sessions beyond {@link MAX_SESSIONS_PER_RESIDENT} (clients that left without closing). */
function closeOldestSessions(sessions: HttpSessions, username: string, log: McpLog): void {
  const own = [...sessions].filter(([, entry]) => entry.session.identity.username === username);
  for (const [id, entry] of own.slice(0, Math.max(0, own.length - MAX_SESSIONS_PER_RESIDENT))) {
    sessions.delete(id);
    entry.transport.close().catch(() => {});
    entry.session.close().catch(() => {});
    log('info', `HTTP session ${id} of ${username} closed: more than ${MAX_SESSIONS_PER_RESIDENT} open`);
  }
}

function basicCredentials(request: IncomingMessage): { username: string; password: string } | undefined {
  const header = request.headers.authorization;
  if (!header?.startsWith('Basic ')) return undefined;
  const decoded = Buffer.from(header.slice('Basic '.length), 'base64').toString();
  const colon = decoded.indexOf(':');
  if (colon <= 0) return undefined;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

function sendError(response: ServerResponse, status: number, message: string): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message }, id: null }));
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
}
