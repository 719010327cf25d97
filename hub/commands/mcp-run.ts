/** `gridflex mcp --scenario F --home H`: a resident's agent steps a scenario run over MCP (stdio). */
import { resolve } from 'node:path';
import { isPolicyName, unknownPolicy } from '../agents/registry.js';
import { InputError } from '../errors.js';
import { parsePort, parsePositiveInt } from '../live/options.js';
import type { McpLog } from '../mcp/call-guard.js';
import { serveRunHttp, serveRunStdio } from '../mcp/run-server.js';
import type { RunLink } from '../mcp/run-tools.js';
import { SteppedRun } from '../mcp/stepped-run.js';
import type { NetworkDataForAgents } from '../mcp/tool-kit.js';
import { RunStore } from '../runs/index.js';
import { loadRunInputs } from '../sim/inputs.js';
import { runPolicyMaker, saveRun } from '../sim/run-setup.js';
import { integerFlag, numberFlag } from './flags.js';

/** Tool calls a minute on the live table (its hub is shared) and on a run of one's own (the agent steps it). */
export const LIVE_CALLS_PER_MINUTE = 60;
export const RUN_CALLS_PER_MINUTE = 6000;

const NETWORK_DATA = ['street', 'own-home', 'none'] as const;

/** The flags of a stepped run. */
export interface RunFlags {
  scenario: string;
  home?: string;
  out?: string;
  days?: string;
  policy?: string;
  limitKw?: string;
  networkData: string;
  dataDir: string;
  httpPort?: string;
  host: string;
  callsPerMinute?: string;
}

export const mcpLog: McpLog = (level, message) =>
  process.stderr.write(`${new Date().toISOString()} ${level} mcp: ${message}\n`);

/** Checks the flags, builds the run and serves it over stdio; returns how to stop. */
export async function startSteppedRun(flags: RunFlags): Promise<() => Promise<void>> {
  const checked = checkRunFlags(flags);
  const inputs = loadRunInputs(flags.scenario);
  // Opened first, so a bad --data-dir is refused before any work.
  const history = RunStore.open(flags.dataDir);
  const run = await SteppedRun.open(inputs, {
    home: checked.home,
    ...(flags.policy !== undefined ? { othersPolicy: flags.policy } : {}),
    ...(checked.days !== undefined ? { days: checked.days } : {}),
    createPolicy: await runPolicyMaker(inputs, checked.limitKw),
  });
  const link: RunLink = {
    run,
    networkData: checked.networkData,
    finished: false,
    notify: async (_topic, body) => run.note(`mcp ${body.tool}: ${body.outcome}: ${body.summary}`),
    finish: async () => {
      const outcome = await run.finish();
      link.finished = true;
      const { record } = saveRun(
        history,
        {
          scenarioFile: flags.scenario,
          outDir: checked.out,
          policy: `${checked.home} external over MCP, others ${flags.policy ?? 'scenario'}`,
          ...(checked.limitKw !== undefined ? { limitKw: checked.limitKw } : {}),
        },
        outcome,
      );
      const own = outcome.result.homes.find((home) => home.home === checked.home);
      return {
        outDir: checked.out,
        runId: record.id,
        yourBillGbp: own?.billGbp,
        streetBillsGbp: outcome.metrics.totals.billsGbp,
        transformerPeakKw: outcome.metrics.network.transformerPeakKw,
      };
    },
  };
  const callsPerMinute = parsePositiveInt(
    flags.callsPerMinute ?? `${RUN_CALLS_PER_MINUTE}`,
    '--calls-per-minute',
    100_000,
  );
  const stop = await serveRun(link, flags, callsPerMinute);
  return async () => {
    if (!link.finished) {
      run.close();
      mcpLog(
        'warn',
        `the agent left at step ${run.step} of ${run.stepCount} without finish_run: nothing written`,
      );
    }
    history.close();
    await stop();
  };
}

/** Over stdio to the agent that started it, or over HTTP to the home's resident (the users file). */
async function serveRun(
  link: RunLink,
  flags: RunFlags,
  callsPerMinute: number,
): Promise<() => Promise<void>> {
  if (flags.httpPort === undefined) {
    const identity = { username: process.env.GRIDFLEX_USERNAME ?? 'local', home: link.run.home.spec.id };
    return serveRunStdio(link, identity, callsPerMinute, mcpLog);
  }
  const options = { dataDir: resolve(flags.dataDir), callsPerMinute, log: mcpLog };
  const server = await serveRunHttp(link, options, flags.host, parsePort(flags.httpPort, '--http-port'));
  process.stdout.write(`mcp ready: ${server.url}\n`);
  return () => server.close();
}

function checkRunFlags(flags: RunFlags) {
  if (flags.home === undefined)
    throw new InputError('--home', 'give the home the agent acts for, e.g. home-3');
  if (flags.out === undefined)
    throw new InputError('--out', 'give the folder finish_run writes the results to');
  if (flags.policy !== undefined && !isPolicyName(flags.policy)) {
    throw new InputError('--policy', unknownPolicy(flags.policy));
  }
  if (!(NETWORK_DATA as readonly string[]).includes(flags.networkData)) {
    throw new InputError(
      '--network-data',
      `expected one of ${NETWORK_DATA.join(', ')}, found "${flags.networkData}"`,
    );
  }
  return {
    home: flags.home,
    out: resolve(flags.out),
    networkData: flags.networkData as NetworkDataForAgents,
    ...(flags.days !== undefined ? { days: integerFlag(flags.days, '--days', 1, 366) } : {}),
    ...(flags.limitKw !== undefined ? { limitKw: numberFlag(flags.limitKw, '--limit-kw', 1, 1e6) } : {}),
  };
}
