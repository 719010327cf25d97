import { existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join, normalize, sep } from 'node:path';
import { PACKAGE_ROOT } from '../live/options.js';
import { registerDrawRoutes } from './draw-routes.js';
import { registerLiveRoutes } from './live-routes.js';
import { type DashboardContext, HttpError, type RouteGroup, RouteTable, sendJson } from './routes.js';
import { registerRunsRoutes } from './runs-routes.js';
import { setSecurityHeaders } from './security-headers.js';
import { StaticFileCache } from './static-files.js';

/** Every route group the hub serves. To add yours: one import above and one entry here. */
const ROUTE_GROUPS: readonly RouteGroup[] = [registerLiveRoutes, registerRunsRoutes, registerDrawRoutes];

/** The built dashboard (Vite output), found from this module so it works from a packed install too. */
export const DASHBOARD_DIR = join(PACKAGE_ROOT, 'dist', 'dashboard');

/** Options of {@link startDashboardServer}. */
export interface DashboardServerOptions {
  port: number;
  host: string;
  context: DashboardContext;
  /** The built pages; default {@link DASHBOARD_DIR}. */
  staticDir?: string;
}

/** The hub's HTTP side: the API routes of every {@link RouteGroup}, and the built dashboard pages at `/`. */
export function startDashboardServer(
  options: DashboardServerOptions,
): Promise<{ server: Server; port: number }> {
  const routes = new RouteTable();
  for (const group of ROUTE_GROUPS) group(routes, options.context);
  const staticDir = options.staticDir ?? DASHBOARD_DIR;
  const files = new StaticFileCache();
  const server = createServer((request, response) => {
    setSecurityHeaders(response);
    handle(request, response, routes, staticDir, files).catch((error: unknown) => {
      const status = error instanceof HttpError ? error.status : 500;
      if (status === 500) {
        options.context.log('error', `${request.method} ${request.url}: ${(error as Error).message}`);
      }
      if (response.headersSent) response.destroy();
      else
        sendJson(response, status, { error: status === 500 ? 'internal error' : (error as Error).message });
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      const address = server.address();
      resolve({ server, port: typeof address === 'object' && address ? address.port : options.port });
    });
  });
}

async function handle(
  request: IncomingMessage,
  response: ServerResponse,
  routes: RouteTable,
  staticDir: string,
  files: StaticFileCache,
): Promise<void> {
  const method = request.method ?? 'GET';
  let path: string;
  try {
    path = decodeURIComponent(new URL(request.url ?? '/', 'http://hub').pathname);
  } catch {
    throw new HttpError(400, 'malformed URL');
  }
  const found = routes.find(method, path);
  if (found === 'wrong-method') throw new HttpError(405, `${method} is not allowed on ${path}`);
  if (found) {
    await found.handler(request, response, found.params);
    return;
  }
  if (method !== 'GET' && method !== 'HEAD') throw new HttpError(405, `${method} is not allowed on ${path}`);
  serveStatic(path, request, response, staticDir, files);
}

function serveStatic(
  path: string,
  request: IncomingMessage,
  response: ServerResponse,
  staticDir: string,
  files: StaticFileCache,
): void {
  if (!existsSync(join(staticDir, 'index.html'))) {
    response.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' });
    response.end(`the dashboard is not built (${staticDir} is missing): run npm run build\n`);
    return;
  }
  // normalize() folds `..`; anything that still leaves the folder is refused.
  const file = normalize(join(staticDir, path === '/' ? 'index.html' : path));
  if (!file.startsWith(staticDir + sep) || !existsSync(file) || !statSync(file).isFile()) {
    throw new HttpError(404, `${path} not found`);
  }
  const hashedAsset = file.startsWith(join(staticDir, 'assets') + sep);
  // Vite names assets by content hash, so they may be cached; pages are revalidated by ETag (a rebuild changes them).
  const cacheControl = hashedAsset ? 'public, max-age=31536000, immutable' : 'no-cache';
  files.send(request, response, file, cacheControl, request.method === 'HEAD');
}
