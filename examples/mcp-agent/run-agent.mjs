#!/usr/bin/env node
// A resident's agent that steps a scenario run itself through `gridflex mcp --scenario` (docs/agents.md):
// once a simulated day it reads its home's plan request, charges the EV in the cheapest half-hours it is
// at home until it reaches the resident's target, submits that plan, advances a day, and at the end
// writes the run (finish_run) and prints its home's bill.
//
//   node examples/mcp-agent/run-agent.mjs --scenario scenarios/table.yaml --home home-3 --days 7 --out runs/mcp
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';

const { values: flags } = parseArgs({
  options: {
    scenario: { type: 'string', default: 'scenarios/table.yaml' },
    home: { type: 'string', default: 'home-3' },
    days: { type: 'string', default: '7' },
    out: { type: 'string', default: 'runs/mcp-agent' },
    'data-dir': { type: 'string' },
  },
});

const cli = fileURLToPath(new URL('../../dist/hub/cli.js', import.meta.url));
const dataDir = flags['data-dir'] ? ['--data-dir', flags['data-dir']] : [];
const transport = new StdioClientTransport({
  command: process.execPath,
  args: [
    cli,
    'mcp',
    '--scenario',
    flags.scenario,
    '--home',
    flags.home,
    '--days',
    flags.days,
    '--out',
    flags.out,
    ...dataDir,
  ],
});

async function tool(client, name, args = {}) {
  const result = await client.callTool({ name, arguments: args });
  const text = result.content[0]?.text ?? '';
  if (result.isError) throw new Error(`${name}: ${text}`);
  return JSON.parse(text);
}

/** The EV's kW per step of the request: the cheapest steps at home first, until the target is met. */
function cheapestCharging(request) {
  const { limits, preferences, evSocKwh = 0 } = request;
  const evKw = request.evAtHome.map(() => 0);
  if (!limits.evMaxChargeKw || !limits.evCapacityKwh) return evKw;
  const stepHours = request.stepMinutes / 60;
  let neededKwh = (preferences.evTargetSocPct / 100) * limits.evCapacityKwh - evSocKwh;
  // Index 0 is the request's own step, already run: the plan starts at index 1.
  const slots = request.evAtHome
    .map((atHome, index) => ({ index, atHome, price: request.importPriceGbpPerKwh[index] }))
    .filter((slot) => slot.index > 0 && slot.atHome === 1)
    .sort((a, b) => a.price - b.price);
  for (const slot of slots) {
    if (neededKwh <= 0) break;
    const kw = Math.min(limits.evMaxChargeKw, neededKwh / stepHours);
    evKw[slot.index] = kw;
    neededKwh -= kw * stepHours;
  }
  return evKw;
}

const client = new Client({ name: 'example-run-agent', version: '1.0.0' });
await client.connect(transport);
try {
  let status = await tool(client, 'advance', { steps: 1 });
  while (!status.done) {
    const request = await tool(client, 'plan_request');
    const evKw = cheapestCharging(request);
    await tool(client, 'submit_plan', { evKw, explanation: 'EV in the cheapest half-hours at home' });
    status = await tool(client, 'advance', { steps: Math.round((24 * 60) / request.stepMinutes) });
  }
  const finished = await tool(client, 'finish_run');
  console.log(
    `${flags.home}: bill £${finished.yourBillGbp.toFixed(2)}, street £${finished.streetBillsGbp.toFixed(2)}, ` +
      `peak ${finished.transformerPeakKw.toFixed(1)} kW; run ${finished.runId} written to ${finished.outDir}`,
  );
} finally {
  await client.close();
}
