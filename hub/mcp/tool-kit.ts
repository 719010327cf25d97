/** How a GridFlex MCP tool is declared: every tool is guarded (scope, rate limit, log, report) the same way. */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { STATUTORY_VOLTS } from '../feeder/network.js';
import {
  type CallContext,
  type CallReporter,
  guardedCall,
  type ToolOutcome,
  ToolRefusal,
} from './call-guard.js';

/** Every tool takes the home it is about; only the session's own home is allowed (default: it). */
const homeField = {
  home: z.string().max(64).optional().describe('the home this is about: only your own (default: your home)'),
};

type ToolShape = Record<string, z.ZodType>;
type ToolRun<Shape extends ToolShape> = (
  args: z.infer<z.ZodObject<Shape>>,
) => Promise<ToolOutcome> | ToolOutcome;

/** Registers one guarded tool: scope, rate limit, log and report around `run`. */
export function addTool<Shape extends ToolShape>(
  server: McpServer,
  context: CallContext<CallReporter>,
  name: string,
  description: string,
  shape: Shape,
  run: ToolRun<Shape>,
): void {
  const inputSchema = { ...homeField, ...shape };
  server.registerTool(name, { description, inputSchema }, (async ({
    home,
    ...args
  }: Record<string, unknown>) => {
    const outcome = await guardedCall(context, name, home as string | undefined, () =>
      run(args as z.infer<z.ZodObject<Shape>>),
    );
    return {
      content: [{ type: 'text' as const, text: JSON.stringify(outcome.body, null, 2) }],
      ...(outcome.outcome === 'ok' ? {} : { isError: true }),
    };
  }) as never);
}

/** A heat pump's comfort band, °C, as `set_heating_band` takes it. */
export interface HeatingBand {
  minCelsius: number;
  maxCelsius: number;
}

/**
 * `set_heating_band`, on the live hub and in a stepped run alike: the band is checked here, `set` puts it in
 * force (a resident's preferences control to the hub, or the run's home preferences).
 */
export function addHeatingBandTool(
  server: McpServer,
  context: CallContext<CallReporter>,
  set: (band: HeatingBand) => Promise<ToolOutcome> | ToolOutcome,
): void {
  addTool(
    server,
    context,
    'set_heating_band',
    'Your heat pump’s comfort band, °C (5–30, min below max).',
    { minCelsius: z.number().min(5).max(30), maxCelsius: z.number().min(5).max(30) },
    (band) => {
      if (band.minCelsius >= band.maxCelsius)
        throw new ToolRefusal(`minCelsius ${band.minCelsius} must be below maxCelsius ${band.maxCelsius}`);
      return set(band);
    },
  );
}

const planSeries = z.array(z.number().finite()).max(96);

/** A plan's device series, kW a step (index 0 is the request's own step), as `submit_plan` takes them. */
export const planShape = {
  evKw: planSeries.optional(),
  batteryKw: planSeries.optional().describe('positive charges, negative discharges'),
  heatPumpKw: planSeries.optional(),
  explanation: z.string().max(300).optional(),
};

export function ok(summary: string, body: unknown): ToolOutcome {
  return { outcome: 'ok', summary, body };
}

export function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}

/** `meter_history`'s answer, live or on a stepped run: the readings with the energy they imported. */
export function meterHistoryAnswer(
  readings: readonly unknown[],
  stepMinutes: number,
  importedKwh: number,
): ToolOutcome {
  return ok(`${readings.length} readings, ${importedKwh.toFixed(2)} kWh imported`, {
    stepMinutes,
    importedKwh: round3(importedKwh),
    readings,
  });
}

/** What the regulator lets agents read of the network (`networkDataForAgents`). */
export type NetworkDataForAgents = 'street' | 'own-home' | 'none';

/**
 * `network_status`'s answer as far as `exposed` allows: nothing (refused, saying why), the home's own voltage,
 * or that and the street's figures (read only when allowed).
 */
export function networkAnswer(
  exposed: NetworkDataForAgents,
  home: { step: number; volts: number },
  street: () => { transformerLoadingPct: number } & Record<string, unknown>,
): ToolOutcome {
  if (exposed === 'none') {
    throw new ToolRefusal(
      'the regulator lets agents read nothing of the network (networkDataForAgents: none)',
    );
  }
  const own = { step: home.step, statutoryVolts: STATUTORY_VOLTS, yourHomeVolts: home.volts };
  if (exposed === 'own-home') {
    return ok(`your home ${home.volts.toFixed(1)} V (the regulator exposes only your own home)`, own);
  }
  const figures = street();
  const summary = `transformer ${figures.transformerLoadingPct.toFixed(0)} %, your home ${home.volts.toFixed(1)} V`;
  return ok(summary, { ...own, ...figures });
}

/** One JSON resource of a session: read afresh on every request. */
export interface JsonResource {
  name: string;
  uri: string;
  description: string;
  read: () => unknown;
}

export function registerJsonResources(server: McpServer, resources: readonly JsonResource[]): void {
  for (const { name, uri, description, read } of resources) {
    server.registerResource(name, uri, { description, mimeType: 'application/json' }, (url) => ({
      contents: [
        { uri: url.href, mimeType: 'application/json', text: JSON.stringify(read() ?? null, null, 2) },
      ],
    }));
  }
}
