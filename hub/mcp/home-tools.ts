import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { ClockTimeSchema, controlTopics } from '../../protocol/gridflex.js';
import { marketPricesAt } from '../table/live-market.js';
import { type CallContext, type ToolOutcome, ToolRefusal } from './call-guard.js';
import { carbonForecast, compareOnReadings, homeTariff, priceForecast, tariffsByKey } from './home-market.js';
import { HISTORY_STEPS_KEPT, type HubView, type ResidentLink } from './resident-link.js';
import { addHeatingBandTool, addTool, meterHistoryAnswer, networkAnswer, ok, planShape } from './tool-kit.js';

const hoursAheadField = {
  hoursAhead: z.number().int().min(1).max(48).default(24).describe('how far ahead, hours (1–48)'),
};

/** The tools a resident's agent uses for its own home (docs/agents.md lists them). */
export function registerHomeTools(server: McpServer, context: CallContext<ResidentLink>): void {
  registerPlanTools(server, context);
  registerReadingTools(server, context);
  registerMarketTools(server, context);
  registerControlTools(server, context);
}

/** Policy `external` over MCP: the agent answers its home's plan requests itself. */
function registerPlanTools(server: McpServer, context: CallContext<ResidentLink>): void {
  const { view } = context.link;
  addTool(
    server,
    context,
    'plan_request',
    'When the street runs policy external: your home’s latest plan request (forecasts over the horizon, the stores now, device limits, preferences), to answer with submit_plan before the next plan step.',
    {},
    () => {
      const request = need(view.planRequest, 'a plan request (the street is not on policy external)');
      return ok(`request ${request.requestId}, due by minute ${request.deadlineMinuteOfDay}`, request);
    },
  );
  addTool(
    server,
    context,
    'submit_plan',
    'Answer your home’s latest plan request with device setpoints, kW per plan step (index 0 is the request’s own step): followed from the next plan step; devices left out follow the built-in selfish plan.',
    planShape,
    (plan) => {
      const request = need(view.planRequest, 'a plan request (the street is not on policy external)');
      return controlled(
        context,
        controlTopics.residentPlan(context.identity.home),
        { ...plan },
        request.requestId,
      );
    },
  );
}

function registerReadingTools(server: McpServer, context: CallContext<ResidentLink>): void {
  const { view } = context.link;
  addTool(
    server,
    context,
    'live_power',
    'Live power of your home and each of its devices, kW (negative = export).',
    {},
    () => {
      const home = need(view.home, 'the home’s power');
      const summary = `net ${home.netPKw.toFixed(2)} kW, ${home.assets.length} devices`;
      return ok(summary, { simTime: view.clock?.simTime, ...home });
    },
  );
  addTool(
    server,
    context,
    'meter_history',
    'Your home’s meter readings since this server connected, oldest first (net kW, the meter board’s kW, each device’s kW).',
    { lastSteps: z.number().int().min(1).max(HISTORY_STEPS_KEPT).default(60).describe('how many steps') },
    ({ lastSteps }) => {
      const readings = context.link.meterHistory(lastSteps);
      const stepMinutes = need(view.clock, 'the clock').stepMinutes;
      const importedKwh = readings.reduce(
        (sum, r) => sum + (Math.max(0, r.meteredPKw ?? r.netPKw) * stepMinutes) / 60,
        0,
      );
      return meterHistoryAnswer(readings, stepMinutes, importedKwh);
    },
  );
  addTool(
    server,
    context,
    'network_status',
    'The network now, as far as the regulator lets agents read it: the street’s transformer loading, voltages and breaches, and your home’s voltage.',
    {},
    () => {
      const exposed = need(view.rules, 'the rules').networkDataForAgents;
      const home = need(view.home, 'your home');
      return networkAnswer(exposed, { step: home.step, volts: home.vVolts }, () => {
        const feeder = need(view.feeder, 'the power flow');
        return {
          simTime: feeder.simTime,
          transformerLoadingPct: feeder.transformerLoadingPct,
          substationPKw: feeder.substationPKw,
          lowestVolts: feeder.vMin,
          highestVolts: feeder.vMax,
          busPhasesOutsideStatutory: feeder.busPhasesOutsideStatutory,
          maxLineLoadingPct: feeder.maxLineLoadingPct,
        };
      });
    },
  );
  addTool(
    server,
    context,
    'agent_decision',
    'What your home’s agent on the hub decided this step, and why.',
    {},
    () => {
      const decision = need(view.decision, 'a decision of your home’s agent');
      return ok(decision.explanation, decision);
    },
  );
  addTool(
    server,
    context,
    'carbon_intensity',
    'Grid carbon intensity now and half-hourly ahead, kg CO2/kWh.',
    hoursAheadField,
    ({ hoursAhead }) => {
      const now = simNow(view);
      const forecast = carbonForecast(now, hoursAhead);
      return ok(`now ${forecast[0]?.carbonKgPerKwh} kg/kWh`, { now: forecast[0], forecast });
    },
  );
}

function registerMarketTools(server: McpServer, context: CallContext<ResidentLink>): void {
  const { view } = context.link;
  const { home } = context.identity;
  addTool(
    server,
    context,
    'prices',
    'Import and export prices now and half-hourly ahead, £/kWh (the tariff your home is on, a pending switch from its date).',
    hoursAheadField,
    ({ hoursAhead }) => {
      const street = need(view.prices, 'the prices');
      const tariffs = need(view.tariffs, 'the tariffs');
      const rules = need(view.rules, 'the rules');
      const forecast = priceForecast(tariffs, rules, simNow(view), hoursAhead, home);
      // The hub publishes the street's prices now; a home on its own tariff is priced as the hub prices it.
      const own = tariffs.homes?.[home]?.tariff;
      const ownTariff = own === undefined ? undefined : tariffsByKey(tariffs, rules).get(own);
      const now = own && ownTariff ? marketPricesAt(ownTariff, own, new Date(street.simTime)) : street;
      return ok(`now ${now.importPriceGbpPerKwh} £/kWh on ${now.source}`, { now, forecast });
    },
  );
  addTool(
    server,
    context,
    'list_tariffs',
    'Tariffs on offer, the one your home is on and any agreed switch.',
    {},
    () => {
      const tariffs = need(view.tariffs, 'the tariffs');
      const mine = homeTariff(tariffs, home);
      return ok(`${tariffs.offers.length} offers, ${home} on ${mine.tariff}`, { ...tariffs, home: mine });
    },
  );
  addTool(
    server,
    context,
    'request_tariff_switch',
    'Move your home to a tariff on offer (`<supplier>/<tariffId>` as list_tariffs names it, or `price-cap`): in force after the regulator’s switching lag; your home then keeps it instead of following the street’s.',
    { tariff: z.string().min(1).max(129) },
    ({ tariff }) => controlled(context, controlTopics.residentTariff(home), { tariff }),
  );
  addTool(
    server,
    context,
    'compare_tariffs',
    'What each tariff would have cost on your home’s own metered use since this server connected, cheapest first.',
    {},
    () => {
      const readings = context.link.meterHistory(HISTORY_STEPS_KEPT);
      if (readings.length === 0)
        throw new ToolRefusal('no meter readings yet: wait a step of the hub’s clock');
      const byKey = tariffsByKey(need(view.tariffs, 'the tariffs'), need(view.rules, 'the rules'));
      const costs = compareOnReadings(byKey, readings, need(view.clock, 'the clock').stepMinutes);
      const cheapest = costs[0];
      return ok(
        `${costs.length} tariffs on ${readings.length} readings: cheapest ${cheapest?.tariff} (£${cheapest?.perDayGbp}/day)`,
        {
          readings: readings.length,
          inForce: view.tariffs?.inForce,
          costs,
        },
      );
    },
  );
}

function registerControlTools(server: McpServer, context: CallContext<ResidentLink>): void {
  const { view, home } = { view: context.link.view, home: context.identity.home };
  const preferences = controlTopics.residentPreferences(home);
  addTool(
    server,
    context,
    'get_preferences',
    'Your preferences in force (weights, comfort band, EV ready-by and target).',
    {},
    () => {
      const current = need(view.preferences, 'your preferences');
      return ok(
        `cost ${current.costWeight} carbon ${current.carbonWeight} autarky ${current.autarkyWeight}`,
        current,
      );
    },
  );
  addTool(
    server,
    context,
    'set_preferences',
    'Set how your home’s agent weighs cost, carbon and autarky (0–1 each; fields given change).',
    {
      costWeight: z.number().min(0).max(1).optional(),
      carbonWeight: z.number().min(0).max(1).optional(),
      autarkyWeight: z.number().min(0).max(1).optional(),
    },
    (weights) => controlled(context, preferences, weights),
  );
  addTool(
    server,
    context,
    'set_ev_schedule',
    'Your EV: the time it must be charged by (HH:MM) and the state of charge it needs then (10–100 %).',
    {
      readyBy: ClockTimeSchema.describe('HH:MM'),
      targetSocPct: z.number().min(10).max(100),
    },
    ({ readyBy, targetSocPct }) =>
      controlled(context, preferences, {
        evReadyByMinute: clockMinute(readyBy),
        evTargetSocPct: targetSocPct,
      }),
  );
  addHeatingBandTool(server, context, ({ minCelsius, maxCelsius }) =>
    controlled(context, preferences, { comfortMinCelsius: minCelsius, comfortMaxCelsius: maxCelsius }),
  );
  addTool(
    server,
    context,
    'boost_device',
    'Run your heat pump or EV at full power for some minutes now (0 cancels a boost); the hub says what it costs.',
    { asset: z.string().min(1).max(64), minutes: z.number().int().min(0).max(240) },
    ({ asset, minutes }) => controlled(context, controlTopics.residentBoost(home), { asset, minutes }),
  );
}

/** Sends a control to the hub and turns its answer into the tool's outcome. */
async function controlled(
  context: CallContext<ResidentLink>,
  topic: string,
  body: Record<string, unknown>,
  requestId?: string,
): Promise<ToolOutcome> {
  const answer = await context.link.control(topic, body, requestId);
  const summary = `${answer.accepted ? 'accepted' : 'refused'}: ${answer.reason}`;
  return { outcome: answer.accepted ? 'ok' : 'refused', summary, body: answer };
}

function need<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new ToolRefusal(`the hub has not published ${what} yet`);
  return value;
}

function simNow(view: HubView): Date {
  return new Date(need(view.clock, 'the clock').simTime);
}

function clockMinute(text: string): number {
  const [hours = 0, minutes = 0] = text.split(':').map(Number);
  return hours * 60 + minutes;
}
