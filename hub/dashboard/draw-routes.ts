import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import {
  networkToDrawing,
  type ProfileSource,
  readProfileSource,
  writeDrawing,
} from '../draw/feeder-files.js';
import { drawingProblems, StreetDrawingSchema, solveDrawing } from '../draw/street-drawing.js';
import { InputError } from '../errors.js';
import { loadFeeder } from '../feeder/index.js';
import { PACKAGE_ROOT } from '../live/options.js';
import { checkMapAgainstFeeder, loadTableMap } from '../table/map-config.js';
import { type DashboardContext, HttpError, type RouteTable, readJsonBody, sendJson } from './routes.js';
import { RUN_MANAGER_ROLES } from './run-permissions.js';
import { requireRole } from './sessions.js';

/** The shipped table street: its daily profiles serve drawn streets when the hub's feeder has none. */
const SHIPPED_PROFILES = join(PACKAGE_ROOT, 'feeders', 'table-street');

const SolveRequestSchema = z.strictObject({
  drawing: StreetDrawingSchema,
  /** Every home's after-diversity design load, kW. */
  designKwPerHome: z.number().finite().min(0).max(50).default(2),
});
const SaveRequestSchema = z.strictObject({ drawing: StreetDrawingSchema });

/** Parses a request body with a schema; 400 naming the field (`drawing.cables.3.lineCode: …`) otherwise. */
function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new HttpError(400, `${issue?.path.join('.') || 'request body'}: ${issue?.message ?? 'invalid'}`);
}

/**
 * The "Draw a street" page's API: `GET /api/draw/start` (the hub's own street as a drawing, to start from),
 * `POST /api/draw/solve` (the drawing's problems in words, and its power flow at a design load per home) and
 * `POST /api/draw/save` (operator only: writes the feeder folder and its table map under
 * `<data dir>/streets/<name>/`, then loads them back as the hub would).
 */
export function registerDrawRoutes(routes: RouteTable, context: DashboardContext): void {
  const profiles = (): ProfileSource => {
    for (const dir of [context.network.dir, SHIPPED_PROFILES]) {
      if (existsSync(join(dir, 'LoadShapes.csv'))) return readProfileSource(dir);
    }
    return { dir: SHIPPED_PROFILES, shapes: [] };
  };
  routes.add('GET', '/api/draw/start', (_request, response) => {
    sendJson(response, 200, {
      drawing: networkToDrawing(context.network, context.map),
      shapes: profiles().shapes.map((shape) => shape.name),
    });
  });
  routes.add('POST', '/api/draw/solve', async (request, response) => {
    const { drawing, designKwPerHome } = parseBody(
      SolveRequestSchema,
      await readJsonBody(request, 2_000_000),
    );
    const problems = drawingProblems(drawing);
    sendJson(response, 200, {
      problems,
      solution: problems.length === 0 ? solveDrawing(drawing, designKwPerHome) : null,
    });
  });
  routes.add('POST', '/api/draw/save', async (request, response) => {
    const session = requireRole(request, context.sessions, RUN_MANAGER_ROLES, 'save a street', context.log);
    const { drawing } = parseBody(SaveRequestSchema, await readJsonBody(request, 2_000_000));
    const problems = drawingProblems(drawing);
    if (problems.length > 0)
      throw new HttpError(400, `the street cannot be saved yet: ${problems.join('; ')}`);
    const dir = join(context.dataDir, 'streets', drawing.name);
    if (existsSync(dir))
      throw new HttpError(
        409,
        `a street called "${drawing.name}" is saved already (${dir}): choose another name`,
      );
    const files = writeDrawing(drawing, dir, profiles());
    // Read back exactly as `gridflex hub --scenario` and `gridflex run` will.
    const mapFile = join(dir, 'table-map.yaml');
    try {
      const map = loadTableMap(mapFile);
      checkMapAgainstFeeder(map, loadFeeder(map.feederDir));
    } catch (error) {
      if (error instanceof InputError)
        throw new HttpError(422, `the saved street does not load: ${error.message}`);
      throw error;
    }
    context.log('info', `street ${drawing.name} saved to ${dir} by ${session.username}`);
    sendJson(response, 201, { dir, map: mapFile, files });
  });
}
