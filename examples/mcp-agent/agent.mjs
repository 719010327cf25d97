#!/usr/bin/env node
// A resident's AI agent in twenty lines of logic: it reaches its home through `gridflex mcp` (over stdio,
// or streamable HTTP with --url), reads the prices ahead, compares the tariffs on the home's own use and
// asks for the EV to be ready by the morning at the target the prices make worth it. An LLM agent does the
// same through the same tools. docs/agents.md.
//
//   GRIDFLEX_USERNAME=resident-3 GRIDFLEX_PASSWORD=… node examples/mcp-agent/agent.mjs \
//     [--broker mqtt://127.0.0.1:1883] [--data-dir ~/.gridflex] [--url http://127.0.0.1:8765/mcp]
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

const { values: flags } = parseArgs({
  options: {
    broker: { type: 'string', default: 'mqtt://127.0.0.1:1883' },
    'data-dir': { type: 'string' },
    url: { type: 'string' },
  },
});
const username = process.env.GRIDFLEX_USERNAME;
const password = process.env.GRIDFLEX_PASSWORD;
if (!username || !password) {
  console.error(
    'set GRIDFLEX_USERNAME and GRIDFLEX_PASSWORD to a resident’s credentials (gridflex user add)',
  );
  process.exit(2);
}

function transport() {
  if (flags.url) {
    const basic = Buffer.from(`${username}:${password}`).toString('base64');
    return new StreamableHTTPClientTransport(new URL(flags.url), {
      requestInit: { headers: { authorization: `Basic ${basic}` } },
    });
  }
  const cli = fileURLToPath(new URL('../../dist/hub/cli.js', import.meta.url));
  const dataDir = flags['data-dir'] ? ['--data-dir', flags['data-dir']] : [];
  return new StdioClientTransport({
    command: process.execPath,
    args: [cli, 'mcp', '--broker', flags.broker, ...dataDir],
    env: { ...process.env },
  });
}

async function tool(client, name, args = {}) {
  const result = await client.callTool({ name, arguments: args });
  const text = result.content[0]?.text ?? '';
  if (result.isError) throw new Error(`${name}: ${text}`);
  return JSON.parse(text);
}

const client = new Client({ name: 'example-agent', version: '1.0.0' });
await client.connect(transport());
try {
  const { forecast } = await tool(client, 'prices', { hoursAhead: 24 });
  const cheapest = [...forecast].sort((a, b) => a.importPriceGbpPerKwh - b.importPriceGbpPerKwh)[0];
  const average = forecast.reduce((sum, point) => sum + point.importPriceGbpPerKwh, 0) / forecast.length;
  // Fill up when the night is much cheaper than the day; otherwise only what the next day needs.
  const targetSocPct = cheapest.importPriceGbpPerKwh < 0.7 * average ? 90 : 70;
  const schedule = await tool(client, 'set_ev_schedule', { readyBy: '07:30', targetSocPct });
  console.log(`EV ready by 07:30 at ${targetSocPct} %: ${schedule.reason}`);
  const comparison = await tool(client, 'compare_tariffs').catch((error) => ({ error: error.message }));
  if (comparison.costs) {
    const best = comparison.costs[0];
    console.log(
      `cheapest tariff on this home's use: ${best.tariff} (£${best.perDayGbp} a day; on ${comparison.inForce} now)`,
    );
  } else console.log(comparison.error);
} finally {
  await client.close();
}
