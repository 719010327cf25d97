/**
 * The run history's and the year report's API, and scenario upload:
 *   GET    /api/runs                      every recorded run, newest first
 *   GET    /api/runs/compare?a=ID&b=ID    two runs' headline figures side by side
 *   GET    /api/runs/ID                   one run
 *   DELETE /api/runs/ID[?files=true]      forget a run (and delete its output folder)        [operator]
 *   GET    /api/runs/ID/report            the year report's data (JSON)
 *   GET    /api/runs/ID/report.html       the take-away single-file report (download)
 *   POST   /api/scenarios/check           validate an uploaded scenario YAML (same schema as the CLI) [operator]
 *   POST   /api/runs                      validate it and start a short run; answers a job to poll    [operator]
 *   GET    /api/jobs/ID                   a started run's state (running, done with its run id, failed) [operator]
 * [operator]: the request needs `Authorization: Bearer <token>` of an operator's dashboard login (401 without a
 * valid session, 403 for another role); reading stays open, like anonymous MQTT.
 * Bad input is answered 4xx with a message naming what was wrong, and logged; nothing here throws past
 * the route (the server turns anything unexpected into a 500 without stopping).
 */
import { createHash } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { basename, join, resolve } from 'node:path';
import { z } from 'zod';
import { PolicyNameSchema } from '../agents/policy-name-schema.js';
import { POLICY_NAMES } from '../agents/registry.js';
import { InputError } from '../errors.js';
import { PACKAGE_ROOT } from '../live/options.js';
import { isReportableDir, loadReport, reportHtml } from '../report/index.js';
import { RunJobs, uploadedRunDir } from '../runs/jobs.js';
import { parseRunId, RunStore } from '../runs/store.js';
import { parseScenario } from '../scenarios/load.js';
import { uploadsDir } from '../scenarios/uploads.js';
import { type DashboardContext, HttpError, type RouteTable, readJsonBody, sendJson } from './routes.js';
import { RUN_MANAGER_ROLES } from './run-permissions.js';
import { requireRole } from './sessions.js';

/** Longest run the dashboard starts (the hub shares its cores with the live table). */
export const MAX_UPLOAD_DAYS = 28;
/** Largest scenario file accepted. */
const MAX_SCENARIO_BYTES = 256 * 1024;

const UploadSchema = z.strictObject({
  fileName: z.string().min(1).max(200),
  yaml: z
    .string()
    .min(1, 'the file is empty')
    .max(MAX_SCENARIO_BYTES, `larger than ${MAX_SCENARIO_BYTES / 1024} KiB`),
  days: z.number().int().min(1).max(MAX_UPLOAD_DAYS).optional(),
  policy: PolicyNameSchema.optional(),
});
type Upload = z.infer<typeof UploadSchema>;

const ID_PATH = /^\/api\/runs\/(?<id>[^/]+)$/;
const REPORT_PATH = /^\/api\/runs\/(?<id>[^/]+)\/report$/;
const REPORT_HTML_PATH = /^\/api\/runs\/(?<id>[^/]+)\/report\.html$/;
const JOB_PATH = /^\/api\/jobs\/(?<id>[^/]+)$/;

/** Adds the history, report and upload routes. */
export function registerRunsRoutes(routes: RouteTable, context: DashboardContext): void {
  const jobs = new RunJobs(join(PACKAGE_ROOT, 'dist', 'hub', 'cli.js'), 1, context.log);
  const refuse = (request: IncomingMessage, status: number, message: string): never => {
    context.log('warn', `${request.method} ${request.url}: refused (${status}): ${message}`);
    throw new HttpError(status, message);
  };
  /** Runs `use` with the history open; input errors become 400/404 answers. */
  const withStore = <T>(request: IncomingMessage, use: (store: RunStore) => T): T => {
    let store: RunStore | undefined;
    try {
      store = RunStore.open(context.dataDir);
      return use(store);
    } catch (error) {
      if (error instanceof InputError) {
        return refuse(request, /no such run/.test(error.problem) ? 404 : 400, error.message);
      }
      throw error;
    } finally {
      store?.close();
    }
  };
  const mayManageRuns = (request: IncomingMessage, action: string) =>
    requireRole(request, context.sessions, RUN_MANAGER_ROLES, action, context.log);
  const runId = (request: IncomingMessage, text: string | undefined, where = 'run id'): number => {
    try {
      return parseRunId(decodeURIComponent(text ?? ''), where);
    } catch (error) {
      return refuse(request, 400, (error as Error).message);
    }
  };
  const reportOf = (request: IncomingMessage, id: number) =>
    withStore(request, (store) => {
      const record = store.get(id);
      if (record.kind === 'study-sweep') {
        refuse(
          request,
          400,
          `run ${id} is a sweep: its table is ${join(record.outDir, 'results.csv')}; reports cover runs and PoA studies`,
        );
      }
      if (!existsSync(record.outDir) || !isReportableDir(record.outDir)) {
        refuse(request, 410, `run ${id}: its files are gone from ${record.outDir}`);
      }
      return { ...loadReport(record.outDir), runId: id };
    });

  routes
    .add('GET', '/api/runs', (request, response) =>
      sendJson(response, 200, {
        runs: withStore(request, (store) => store.list()),
        uploadMaxDays: MAX_UPLOAD_DAYS,
        policies: POLICY_NAMES,
      }),
    )
    .add('GET', '/api/runs/compare', (request, response) => {
      const query = new URL(request.url ?? '/', 'http://hub').searchParams;
      const a = runId(request, query.get('a') ?? '', 'a');
      const b = runId(request, query.get('b') ?? '', 'b');
      sendJson(
        response,
        200,
        withStore(request, (store) => store.compare(a, b)),
      );
    })
    .add('GET', ID_PATH, (request, response, params) => {
      const id = runId(request, params.id);
      sendJson(
        response,
        200,
        withStore(request, (store) => store.get(id)),
      );
    })
    .add('DELETE', ID_PATH, (request, response, params) => {
      const session = mayManageRuns(request, 'delete runs');
      const id = runId(request, params.id);
      const files = new URL(request.url ?? '/', 'http://hub').searchParams.get('files') === 'true';
      const { record, filesRemoved } = withStore(request, (store) => store.delete(id, { files }));
      context.log(
        'info',
        `run ${record.id} deleted from the history${filesRemoved ? ` with ${record.outDir}` : ''} by ${session.username}`,
      );
      sendJson(response, 200, { deleted: record.id, filesRemoved });
    })
    .add('GET', REPORT_PATH, (request, response, params) => {
      sendJson(response, 200, reportOf(request, runId(request, params.id)));
    })
    .add('GET', REPORT_HTML_PATH, (request, response, params) => {
      const id = runId(request, params.id);
      const html = reportHtml(reportOf(request, id));
      response.writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        'content-disposition': `attachment; filename="gridflex-report-run-${id}.html"`,
        'cache-control': 'no-store',
      });
      response.end(html);
    })
    .add('POST', '/api/scenarios/check', async (request, response) => {
      mayManageRuns(request, 'check scenarios');
      const { scenario } = await readScenarioUpload(request, context, refuse);
      sendJson(response, 200, describeScenario(scenario));
    })
    .add('POST', '/api/runs', async (request, response) => {
      const session = mayManageRuns(request, 'start runs');
      if (jobs.running() >= jobs.maxRunning) {
        refuse(request, 429, 'a run started from the dashboard is still going: wait for it to finish');
      }
      const { upload, scenario, file } = await readScenarioUpload(request, context, refuse);
      writeFileSync(file, upload.yaml);
      const stamp = basename(file, '.yaml');
      const job = jobs.start({
        scenarioFile: file,
        scenarioName: scenario.name,
        fileName: upload.fileName,
        days: upload.days ?? 2,
        ...(upload.policy ? { policy: upload.policy } : {}),
        outDir: uploadedRunDir(resolve(context.dataDir), stamp),
        dataDir: resolve(context.dataDir),
      });
      context.log(
        'info',
        `run job ${job.id} started by ${session.username}: ${upload.fileName} (${scenario.name}), ${job.days} days`,
      );
      sendJson(response, 202, { job, scenario: describeScenario(scenario) });
    })
    .add('GET', JOB_PATH, (request, response, params) => {
      // As the upload: a job's state names the uploaded file and says why it failed.
      mayManageRuns(request, 'see run jobs');
      const job = jobs.get(decodeURIComponent(params.id ?? ''));
      if (!job) refuse(request, 404, `no job "${(params.id ?? '').slice(0, 40)}"`);
      sendJson(response, 200, job);
    });
}

/** Reads, checks and validates an uploaded scenario; every problem is a 400 naming the file and path. */
async function readScenarioUpload(
  request: IncomingMessage,
  context: DashboardContext,
  refuse: (request: IncomingMessage, status: number, message: string) => never,
): Promise<{ upload: Upload; scenario: ReturnType<typeof parseScenario>['scenario']; file: string }> {
  let body: unknown;
  try {
    body = await readJsonBody(request, MAX_SCENARIO_BYTES * 2);
  } catch (error) {
    return refuse(request, error instanceof HttpError ? error.status : 400, (error as Error).message);
  }
  const parsed = UploadSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return refuse(request, 400, `upload: ${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}`);
  }
  const upload = parsed.data;
  const safeName =
    basename(upload.fileName)
      .replace(/[^A-Za-z0-9._-]+/g, '_')
      .slice(0, 80) || 'scenario.yaml';
  const uploads = uploadsDir(context.dataDir);
  const hash = createHash('sha256').update(upload.yaml).digest('hex').slice(0, 10);
  const stamp = `${new Date().toISOString().replace(/[:.]/g, '-')}-${hash}`;
  const file = join(uploads, `${stamp}-${safeName.replace(/\.ya?ml$/i, '')}.yaml`);
  try {
    // Paths in the upload (feeder, catalogue …) resolve only in the shipped data and saved streets (uploads.ts).
    const { scenario } = parseScenario(upload.yaml, file);
    const days = upload.days ?? 2;
    if (scenario.startDay + days > 365) {
      refuse(
        request,
        400,
        `${upload.fileName}: time.startDay ${scenario.startDay} + ${days} days runs past the end of the year`,
      );
    }
    return { upload, scenario, file };
  } catch (error) {
    if (error instanceof InputError) {
      // Name the file as the user knows it, not by where the hub would keep it.
      return refuse(request, 400, error.message.split(file).join(upload.fileName));
    }
    throw error;
  }
}

function describeScenario(scenario: ReturnType<typeof parseScenario>['scenario']) {
  return {
    name: scenario.name,
    homes: scenario.homes.length,
    seed: scenario.seed,
    startDay: scenario.startDay,
  };
}
