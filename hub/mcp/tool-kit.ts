/** How a GridFlex MCP tool is declared: every tool is guarded (scope, rate limit, log, report) the same way. */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { type CallContext, type CallReporter, guardedCall, type ToolOutcome } from './call-guard.js';

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
