import type { ServerResponse } from 'node:http';
import { z } from 'zod';
import { formatRole } from '../auth/roles.js';
import type { FeederNetwork } from '../feeder/index.js';
import type { LoadedTableMap } from '../table/map-config.js';
import { type DashboardContext, HttpError, type RouteTable, readJsonBody, sendJson } from './routes.js';
import { bearerToken } from './sessions.js';

/** The street as the live view draws it: buses with coordinates, lines with ratings, the transformer, the plots. */
export interface FeederLayout {
  feeder: string;
  /** Bus coordinates in the feeder's own units (metres for both shipped feeders). */
  buses: { bus: string; x: number; y: number }[];
  lines: { line: string; fromBus: string; toBus: string; lengthM: number; ampacityAmps: number | null }[];
  transformer: { name: string; lvBus: string; ratedKva: number } | null;
  plots: { plot: string; bus: string; phase: 'A' | 'B' | 'C'; home: string | null }[];
}

/** Builds the layout once: the feeder does not change while the hub runs. */
export function feederLayout(network: FeederNetwork, map: LoadedTableMap): FeederLayout {
  const transformer = network.transformers[0];
  return {
    feeder: network.name,
    buses: network.buses.flatMap((bus) =>
      bus.x === undefined || bus.y === undefined ? [] : [{ bus: bus.name, x: bus.x, y: bus.y }],
    ),
    lines: network.lines.map((line) => ({
      line: line.name,
      fromBus: line.fromBus,
      toBus: line.toBus,
      lengthM: line.lengthKm * 1000,
      ampacityAmps: network.lineCodes.get(line.lineCode)?.ampacityAmps ?? null,
    })),
    transformer: transformer
      ? { name: transformer.name, lvBus: transformer.lvBus, ratedKva: transformer.ratedKva }
      : null,
    plots: map.plots.map((plot) => ({
      plot: plot.plot,
      bus: plot.bus,
      phase: plot.phase,
      home: plot.home ?? null,
    })),
  };
}

const LoginSchema = z.strictObject({
  username: z.string().min(1).max(128),
  password: z.string().min(1).max(256),
});

/**
 * The live view's API: `GET /api/state` (the hub's latest world), `GET /api/feeder` (the street layout),
 * `POST /api/login` (which role a hub user has, so the page shows that role's panel, and a session token for
 * the routes that change things; the broker's ACLs still decide what the user may publish),
 * `GET /api/session` (whether a token still holds) and `POST /api/logout` (ends the session at once).
 */
export function registerLiveRoutes(routes: RouteTable, context: DashboardContext): void {
  const layout = feederLayout(context.network, context.map);
  routes
    .add('GET', '/api/state', (_request, response) =>
      sendJson(response, 200, { ...context.snapshot(), endpoints: context.endpoints }),
    )
    .add('GET', '/api/feeder', (_request, response) => sendJson(response, 200, layout))
    .add('POST', '/api/login', async (request, response) => {
      const parsed = LoginSchema.safeParse(await readJsonBody(request, 4096));
      if (!parsed.success) throw new HttpError(400, 'expected {"username": "...", "password": "..."}');
      context.credentials.reloadIfChanged();
      const { username, password } = parsed.data;
      const address = request.socket.remoteAddress ?? 'unknown';
      const answer = await context.credentials.login(username, password, address);
      if (answer.outcome === 'held') {
        context.log('warn', `dashboard login held for "${username}" from ${address}: too many failures`);
        tooManyAttempts(response, answer.waitMs);
        return;
      }
      const principal = answer.outcome === 'accepted' ? answer.principal : null;
      if (!principal || principal.role.role === 'device' || principal.role.role === 'hub') {
        context.log('warn', `dashboard login refused for "${username}" from ${address}`);
        throw new HttpError(401, 'unknown user or wrong password');
      }
      const role = formatRole(principal.role);
      const { token, session } = context.sessions.create(principal.username, role);
      context.log('info', `dashboard login: ${principal.username} (${role})`);
      sendJson(response, 200, {
        username: principal.username,
        role,
        token,
        expiresAt: new Date(session.expiresAtMs).toISOString(),
      });
    })
    .add('GET', '/api/session', (request, response) => {
      const token = bearerToken(request);
      const session = token === null ? null : context.sessions.get(token);
      if (!session) throw new HttpError(401, 'no session: log in again');
      sendJson(response, 200, {
        username: session.username,
        role: session.role,
        expiresAt: new Date(session.expiresAtMs).toISOString(),
      });
    })
    .add('POST', '/api/logout', (request, response) => {
      const token = bearerToken(request);
      const session = token === null ? null : context.sessions.get(token);
      if (token !== null) context.sessions.revoke(token);
      if (session) context.log('info', `dashboard logout: ${session.username} (${session.role})`);
      sendJson(response, 200, { loggedOut: session !== null });
    });
}

function tooManyAttempts(response: ServerResponse, waitMs: number): void {
  const waitS = Math.ceil(waitMs / 1000);
  response.setHeader('retry-after', String(waitS));
  sendJson(response, 429, { error: `too many failed logins: try again in ${waitS} s` });
}
