/** The dashboard HTTP server's route table and the helpers route handlers share (no server here, so route groups import it without a cycle). */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CredentialStore } from '../auth/credentials.js';
import type { FeederNetwork } from '../feeder/index.js';
import type { HubSnapshot } from '../live/hub-runtime.js';
import type { LoadedTableMap } from '../table/map-config.js';
import type { SessionStore } from './sessions.js';

/** Where clients find the hub; shown in `/api/state`. */
export interface HubEndpoints {
  mqttUrl: string;
  /** The embedded broker's MQTT-over-WebSocket URL (null with an external broker). */
  wsUrl: string | null;
}

/** What route handlers may use: the hub's live state and its files. */
export interface DashboardContext {
  /** The latest of everything the hub publishes. */
  snapshot: () => HubSnapshot;
  endpoints: HubEndpoints;
  network: FeederNetwork;
  map: LoadedTableMap;
  /** The hub's data dir (credentials, placements, run history). */
  dataDir: string;
  credentials: CredentialStore;
  /** Dashboard logins: who may delete and start runs (and the page's MQTT password). */
  sessions: SessionStore;
  log: (level: 'info' | 'warn' | 'error', message: string) => void;
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** Handles one request; `params` holds the named groups of a RegExp path. Throwing answers 500. */
export type RouteHandler = (
  request: IncomingMessage,
  response: ServerResponse,
  params: Record<string, string>,
) => void | Promise<void>;

/** The dashboard's API routes: exact paths or RegExps (named groups become `params`). */
export class RouteTable {
  private readonly routes: { method: HttpMethod; path: string | RegExp; handler: RouteHandler }[] = [];

  add(method: HttpMethod, path: string | RegExp, handler: RouteHandler): this {
    this.routes.push({ method, path, handler });
    return this;
  }

  /** The handler for a request, `'wrong-method'` when the path exists with other methods, or null. */
  find(
    method: string,
    path: string,
  ): { handler: RouteHandler; params: Record<string, string> } | 'wrong-method' | null {
    let pathKnown = false;
    for (const route of this.routes) {
      const params =
        typeof route.path === 'string'
          ? route.path === path
            ? {}
            : null
          : (route.path.exec(path)?.groups ?? (route.path.test(path) ? {} : null));
      if (params === null) continue;
      if (route.method === method || (method === 'HEAD' && route.method === 'GET')) {
        return { handler: route.handler, params };
      }
      pathKnown = true;
    }
    return pathKnown ? 'wrong-method' : null;
  }
}

/** Adds a group of routes (e.g. the live view's, the run history's) to the table. */
export type RouteGroup = (routes: RouteTable, context: DashboardContext) => void;

/** Sends a JSON body with no caching (the live state changes every step). */
export function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  response.end(JSON.stringify(body));
}

/** Answered to a request the client got wrong: the status and a message naming what was wrong. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Reads a request body up to `maxBytes` (413 beyond). */
export async function readBody(request: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw new HttpError(413, `request body larger than ${maxBytes} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Reads a JSON request body (400 with the parser's reason when it is not JSON). */
export async function readJsonBody(request: IncomingMessage, maxBytes = 64 * 1024): Promise<unknown> {
  const text = (await readBody(request, maxBytes)).toString('utf8');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new HttpError(400, `request body is not JSON: ${(error as Error).message}`);
  }
}
