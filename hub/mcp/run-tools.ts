/**
 * The tools of a resident's agent on a scenario run it steps itself (`gridflex mcp --scenario`): the same
 * names as on the live table where the meaning is the same, plus `plan_request`, `submit_plan`, `advance`
 * and `finish_run`, which drive the run.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import type { ResidentPreferences } from '../homes/index.js';
import { type CallContext, type CallReporter, type ToolOutcome, ToolRefusal } from './call-guard.js';
import type { SteppedRun } from './stepped-run.js';
import {
  addHeatingBandTool,
  addTool,
  meterHistoryAnswer,
  type NetworkDataForAgents,
  networkAnswer,
  ok,
  planShape,
  round3,
} from './tool-kit.js';

/** A stepped run as the tools see it: the run, and what finishing it writes. */
export interface RunLink extends CallReporter {
  run: SteppedRun;
  networkData: NetworkDataForAgents;
  /** Finishes the run, writes its files and records it; returns what to tell the agent. */
  finish(): Promise<Record<string, unknown>>;
  finished: boolean;
}

export function registerRunTools(server: McpServer, context: CallContext<RunLink>): void {
  registerSteppingTools(server, context);
  registerRunReadingTools(server, context);
  registerRunMarketTools(server, context);
  registerRunPreferenceTools(server, context);
}

function registerSteppingTools(server: McpServer, context: CallContext<RunLink>): void {
  const link = context.link;
  addTool(
    server,
    context,
    'plan_request',
    'The open plan request of your home: the step it was made at, forecasts over the horizon (prices, carbon, base load, PV, EV at home), the stores now, device limits and preferences.',
    {},
    () => {
      const request = running(link).request;
      if (!request) throw new ToolRefusal('no plan request yet: call advance to run the first step');
      return ok(`request ${request.requestId}, ${request.horizonSteps} steps ahead`, request);
    },
  );
  addTool(
    server,
    context,
    'submit_plan',
    'Answer the open plan request with device setpoints, kW per step (index 0 is the request’s own step, already run; index 1 the next step). The plan is followed from the next step until its series end; devices left out, and steps after the end, follow the built-in selfish plan.',
    planShape,
    (plan) => {
      const answer = running(link).submitPlan(plan);
      return { outcome: answer.accepted ? 'ok' : 'refused', summary: answer.reason, body: answer };
    },
  );
  addTool(
    server,
    context,
    'advance',
    'Run the street forward: your home follows your plan, every other home its own policy, and the power flow solves each step.',
    { steps: z.number().int().min(1).max(17_568).default(1) },
    ({ steps }) => {
      const run = running(link);
      const ran = run.advance(steps);
      const last = run.meterHistory(1)[0];
      return ok(`ran ${ran} steps to ${run.time}${run.done ? ' (end of the run)' : ''}`, {
        ran,
        ...status(run),
        lastReading: last,
      });
    },
  );
  addTool(
    server,
    context,
    'run_status',
    'Where the run is: the next step, the steps in all, the time, your tariff and any switch waiting.',
    {},
    () =>
      ok(`step ${link.run.step} of ${link.run.stepCount}`, { ...status(link.run), finished: link.finished }),
  );
  addTool(
    server,
    context,
    'finish_run',
    'Run the steps left (your standing plan, then the built-in one), write the run’s results (metrics.json, decisions.jsonl, series) and record it in the run history.',
    {},
    async () => {
      running(link);
      const summary = await link.finish();
      return ok(`run finished: ${JSON.stringify(summary).slice(0, 200)}`, summary);
    },
  );
}

function registerRunReadingTools(server: McpServer, context: CallContext<RunLink>): void {
  const link = context.link;
  addTool(
    server,
    context,
    'meter_history',
    'Your home’s readings of the steps run, oldest first: net kW (negative = export), kWh imported and exported, each device’s kW.',
    { lastSteps: z.number().int().min(1).max(17_568).default(48) },
    ({ lastSteps }) => {
      const readings = link.run.meterHistory(lastSteps);
      const importedKwh = readings.reduce((sum, reading) => sum + reading.importKwh, 0);
      return meterHistoryAnswer(readings, link.run.stepMinutes, importedKwh);
    },
  );
  addTool(
    server,
    context,
    'network_status',
    'The network after the last step, as far as the regulator lets agents read it: transformer loading, voltages and breaches, and your home’s voltage.',
    {},
    () => networkStatus(link),
  );
  addTool(
    server,
    context,
    'carbon_intensity',
    'Grid carbon intensity over the open request’s horizon, kg CO2/kWh per step.',
    {},
    () => {
      const request = openRequest(link);
      return ok(`now ${request.carbonKgPerKwh[0]} kg/kWh`, {
        fromStep: request.step,
        stepMinutes: request.stepMinutes,
        carbonKgPerKwh: request.carbonKgPerKwh,
      });
    },
  );
}

function registerRunMarketTools(server: McpServer, context: CallContext<RunLink>): void {
  const link = context.link;
  addTool(
    server,
    context,
    'prices',
    'Your import and export prices over the open request’s horizon, £/kWh per step (your tariff, with the network charges).',
    {},
    () => {
      const request = openRequest(link);
      return ok(`now ${request.importPriceGbpPerKwh[0]} £/kWh on ${link.run.home.tariff.id}`, {
        tariff: link.run.home.tariff.id,
        fromStep: request.step,
        stepMinutes: request.stepMinutes,
        importPriceGbpPerKwh: request.importPriceGbpPerKwh,
        exportPriceGbpPerKwh: request.exportPriceGbpPerKwh,
      });
    },
  );
  addTool(
    server,
    context,
    'list_tariffs',
    'The scenario’s tariffs on offer, the one your home is on and whether a switch is waiting.',
    {},
    () => {
      const run = link.run;
      const offers = run.offers();
      return ok(`${offers.length} offers, ${run.home.spec.id} on ${run.home.tariff.id}`, {
        inForce: run.home.tariff.id,
        switchPending: run.switchPending,
        offers,
      });
    },
  );
  addTool(
    server,
    context,
    'compare_tariffs',
    'What each tariff would have cost on your home’s metered use of the steps run, cheapest first (exit fee included in the saving).',
    {},
    () => {
      if (link.run.step === 0) throw new ToolRefusal('no meter readings yet: advance the run first');
      const evaluation = link.run.compareTariffs();
      const cheapest = evaluation.ranked[0];
      return ok(`cheapest ${cheapest?.tariffId} (£${cheapest?.costGbp.toFixed(2)})`, evaluation);
    },
  );
  addTool(
    server,
    context,
    'request_tariff_switch',
    'Move your home to a tariff on offer (its id from list_tariffs): the switching system processes requests on working days within its capacity, and the switch takes effect after the regulator’s lag.',
    { tariff: z.string().min(1).max(129) },
    ({ tariff }) => {
      const answer = running(link).requestSwitch(tariff, 'the resident’s agent asked over MCP');
      return { outcome: answer.accepted ? 'ok' : 'refused', summary: answer.reason, body: answer };
    },
  );
}

function registerRunPreferenceTools(server: McpServer, context: CallContext<RunLink>): void {
  const link = context.link;
  addTool(
    server,
    context,
    'get_preferences',
    'Your preferences in force (weights, comfort band, EV ready-by and target).',
    {},
    () => ok('your preferences', link.run.home.spec.preferences),
  );
  addTool(
    server,
    context,
    'set_preferences',
    'Set how the built-in agent weighs cost, carbon and autarky when it plans for you (0–1 each; fields given change).',
    {
      costWeight: z.number().min(0).max(1).optional(),
      carbonWeight: z.number().min(0).max(1).optional(),
      autarkyWeight: z.number().min(0).max(1).optional(),
    },
    ({ costWeight, carbonWeight, autarkyWeight }) => {
      const { weights } = link.run.home.spec.preferences;
      return changed(link, {
        weights: {
          cost: costWeight ?? weights.cost,
          carbon: carbonWeight ?? weights.carbon,
          autarky: autarkyWeight ?? weights.autarky,
        },
      });
    },
  );
  addTool(
    server,
    context,
    'set_ev_schedule',
    'Your EV: the time it must be charged by (HH:MM) and the state of charge it needs then (10–100 %).',
    {
      readyBy: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM'),
      targetSocPct: z.number().min(10).max(100),
    },
    ({ readyBy, targetSocPct }) => {
      if (!link.run.home.spec.ev) throw new ToolRefusal(`${link.run.home.spec.id} has no EV`);
      const [hours = 0, minutes = 0] = readyBy.split(':').map(Number);
      return changed(link, { evReadyByMinute: hours * 60 + minutes, evTargetSocPct: targetSocPct });
    },
  );
  addHeatingBandTool(server, context, ({ minCelsius, maxCelsius }) =>
    changed(link, { comfortMinC: minCelsius, comfortMaxC: maxCelsius }),
  );
}

/** Replaces the home's preferences (a new object: the passive baseline keeps the scenario's). */
function changed(link: RunLink, change: Partial<ResidentPreferences>): ToolOutcome {
  const home = running(link).home;
  home.spec = { ...home.spec, preferences: { ...home.spec.preferences, ...change } };
  return ok(`preferences changed from step ${link.run.step}`, home.spec.preferences);
}

function networkStatus(link: RunLink): ToolOutcome {
  const run = link.run;
  const flow = run.flow;
  if (!flow && link.networkData !== 'none') throw new ToolRefusal('no power flow yet: advance the run first');
  return networkAnswer(link.networkData, { step: run.step - 1, volts: round3(run.home.voltsLn) }, () => ({
    transformerLoadingPct: round3(flow?.transformerLoadingPct ?? 0),
    substationPKw: round3(flow?.substationPTotalKw ?? 0),
    lowestVolts: flow?.vMin,
    highestVolts: flow?.vMax,
    busPhasesOutsideStatutory: flow?.busPhasesOutsideStatutory,
  }));
}

function status(run: SteppedRun) {
  return {
    step: run.step,
    stepCount: run.stepCount,
    time: run.time,
    stepMinutes: run.stepMinutes,
    done: run.done,
    tariff: run.home.tariff.id,
    switchPending: run.switchPending,
    openRequest: run.request?.requestId ?? null,
  };
}

/** The run, if it is still going (a finished run's results are written and it takes no more calls). */
function running(link: RunLink): SteppedRun {
  if (link.finished) throw new ToolRefusal('the run is finished and its results are written');
  return link.run;
}

function openRequest(link: RunLink) {
  const request = link.run.request;
  if (!request) throw new ToolRefusal('no forecast yet: call advance to run the first step');
  return request;
}
