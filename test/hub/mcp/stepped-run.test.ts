import { type ChildProcess, execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentPlanRequest } from '../../../protocol/gridflex.js';
import { addUser, CLI } from '../live/hub-process.js';
import { tempDir } from '../mqtt-helpers.js';
import { mcpHttpClient, startMcpHttp } from './mcp-http.js';

const data = tempDir('gridflex-mcp-run-');
const out = join(data.dir, 'run');
let agent: Client;

/** A tool's answer: its JSON body, and whether it was refused. */
async function call(name: string, args: Record<string, unknown> = {}) {
  const result = (await agent.callTool({ name, arguments: args })) as {
    isError?: boolean;
    content: { text: string }[];
  };
  const text = result.content[0]?.text ?? '';
  return { refused: result.isError === true, text, body: JSON.parse(text) as Record<string, unknown> };
}

beforeAll(async () => {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [
      CLI,
      'mcp',
      '--scenario',
      'scenarios/table.yaml',
      '--home',
      'home-3',
      '--days',
      '2',
      '--policy',
      'selfish',
      '--out',
      out,
      '--data-dir',
      data.dir,
    ],
    stderr: 'ignore',
  });
  agent = new Client({ name: 'test-agent', version: '1.0.0' });
  await agent.connect(transport);
});

afterAll(async () => {
  await agent?.close();
  data.remove();
});

describe('gridflex mcp --scenario: an agent steps a scenario run', () => {
  let request: AgentPlanRequest;
  /**
   * The plan the agent gives: 1.1 kW whenever the EV is at home, an amount no built-in plan chose. It never
   * fills in 20 steps: 11 kWh at the charger, 10.4 kWh stored, and the EV starts at 48 of its 60 kWh.
   */
  let evKw: number[];

  it('offers no plan request before the first step, then the step-0 request after advance', async () => {
    const early = await call('plan_request');
    expect(early.refused).toBe(true);
    expect(early.text).toContain('advance');
    const advanced = await call('advance', { steps: 1 });
    expect(advanced.body).toMatchObject({ ran: 1, step: 1, stepCount: 96, tariff: 'ev-tou' });
    const open = await call('plan_request');
    request = open.body as unknown as AgentPlanRequest;
    expect(request).toMatchObject({ home: 'home-3', step: 0, limits: { evMaxChargeKw: 7 } });
    evKw = request.evAtHome.map((atHome) => (atHome === 1 ? 1.1 : 0));
  });

  it('refuses a plan outside the device limits and a call about another home', async () => {
    const tooMuch = await call('submit_plan', { evKw: request.evAtHome.map(() => 50) });
    expect(tooMuch.refused).toBe(true);
    expect(tooMuch.text).toContain("the EV charger's limits");
    const other = await call('meter_history', { home: 'home-4' });
    expect(other.refused).toBe(true);
    expect(other.text).toContain('outside its scope');
  });

  it('follows the submitted plan from the next step on, step after step', async () => {
    const taken = await call('submit_plan', { evKw, explanation: 'charge gently at 1.1 kW' });
    expect(taken.refused).toBe(false);
    await call('advance', { steps: 20 });
    const history = await call('meter_history', { lastSteps: 20 });
    const readings = history.body.readings as { step: number; evKw: number }[];
    expect(readings.map((reading) => reading.step)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    const atHome = readings.filter((reading) => request.evAtHome[reading.step] === 1);
    expect(atHome.length).toBeGreaterThan(0);
    for (const reading of readings) expect(reading.evKw).toBeCloseTo(evKw[reading.step] as number, 6);
  });

  it('prices, carbon and the network come from the run', async () => {
    const prices = await call('prices');
    expect(prices.body.tariff).toBe('ev-tou');
    expect((prices.body.importPriceGbpPerKwh as number[]).length).toBe(request.horizonSteps);
    const carbon = await call('carbon_intensity');
    expect((carbon.body.carbonKgPerKwh as number[]).every((kg) => kg >= 0)).toBe(true);
    const network = await call('network_status');
    expect(network.body.transformerLoadingPct).toBeGreaterThan(0);
    expect(network.body.yourHomeVolts).toBeGreaterThan(200);
  });

  it('compares tariffs on the home’s metered use and switches through the switching system', async () => {
    const compared = await call('compare_tariffs');
    const ranked = compared.body.ranked as { tariffId: string; costGbp: number }[];
    expect(ranked.map((entry) => entry.tariffId)).toContain('ev-tou');
    expect(ranked.map((entry) => entry.costGbp)).toEqual(
      [...ranked.map((entry) => entry.costGbp)].sort((a, b) => a - b),
    );
    const unknown = await call('request_tariff_switch', { tariff: 'no-such' });
    expect(unknown.refused).toBe(true);
    expect(unknown.text).toContain('flat-cap');
    expect((await call('request_tariff_switch', { tariff: 'flat-cap' })).refused).toBe(false);
    expect((await call('list_tariffs')).body).toMatchObject({ inForce: 'ev-tou', switchPending: true });
    const again = await call('request_tariff_switch', { tariff: 'flat-cap' });
    expect(again.refused).toBe(true);
    expect(again.text).toContain('already pending');
  });

  it('offers the scenario as a resource, with the home on policy external', async () => {
    const resource = await agent.readResource({ uri: 'gridflex://scenario' });
    const scenario = JSON.parse((resource.contents[0] as { text: string }).text);
    expect(scenario).toMatchObject({ name: 'Table street (8 homes)', stepCount: 96 });
    expect(scenario.homes).toContainEqual({ home: 'home-3', policy: 'external' });
    expect(scenario.homes).toContainEqual({ home: 'home-4', policy: 'selfish' });
  });

  it('changes the resident’s preferences for the rest of the run', async () => {
    expect((await call('set_ev_schedule', { readyBy: '06:00', targetSocPct: 90 })).refused).toBe(false);
    expect((await call('get_preferences')).body).toMatchObject({ evReadyByMinute: 360, evTargetSocPct: 90 });
    const upsideDown = await call('set_heating_band', { minCelsius: 22, maxCelsius: 19 });
    expect(upsideDown).toMatchObject({
      refused: true,
      text: expect.stringContaining('must be below maxCelsius 19'),
    });
    expect((await call('set_heating_band', { minCelsius: 18.5, maxCelsius: 21 })).refused).toBe(false);
    expect((await call('get_preferences')).body).toMatchObject({ comfortMinC: 18.5, comfortMaxC: 21 });
  });

  it('finish_run writes the run with the agent’s plans and calls in decisions.jsonl and records it', async () => {
    const finished = await call('finish_run');
    expect(finished.body).toMatchObject({ outDir: out, runId: 1 });
    expect(existsSync(join(out, 'metrics.json'))).toBe(true);
    const decisions = readFileSync(join(out, 'decisions.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { home: string; kind: string; text: string; step: number });
    const own = decisions.filter((entry) => entry.home === 'home-3');
    expect(own.some((entry) => entry.kind === 'plan' && entry.text.includes('charge gently at 1.1 kW'))).toBe(
      true,
    );
    const calls = own.filter((entry) => entry.kind === 'agent-call').map((entry) => entry.text);
    expect(
      calls.some((text) => text.startsWith('mcp submit_plan: refused:') && text.includes('evKw[0] = 50 kW')),
    ).toBe(true);
    expect(calls.some((text) => text.startsWith('mcp request_tariff_switch: ok'))).toBe(true);
    const listed = execFileSync(process.execPath, [CLI, 'runs', 'list', '--data-dir', data.dir]).toString();
    expect(listed).toContain('external over MCP');
    const after = await call('advance');
    expect(after.refused).toBe(true);
    expect(after.text).toContain('finished');
  });
});

describe('examples/mcp-agent/run-agent.mjs', () => {
  it('steps a day of the table street, charging home-3’s EV in the cheapest half-hours', () => {
    const exampleOut = join(data.dir, 'example');
    const printed = execFileSync(process.execPath, [
      'examples/mcp-agent/run-agent.mjs',
      '--days',
      '1',
      '--out',
      exampleOut,
      '--data-dir',
      data.dir,
    ]).toString();
    expect(printed).toMatch(/^home-3: bill £\d+\.\d\d, street £\d+\.\d\d, peak \d+\.\d kW; run \d+ written/);
    const plans = readFileSync(join(exampleOut, 'decisions.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { home: string; kind: string; text: string });
    const followed = plans.filter(
      (entry) => entry.home === 'home-3' && entry.text.startsWith('outside agent: EV in the cheapest'),
    );
    expect(followed.length).toBe(47);
  });
});

describe('gridflex mcp --scenario --http-port: the home’s resident steps the run over HTTP', () => {
  let server: ChildProcess | undefined;

  afterAll(() => {
    server?.kill('SIGTERM');
  });

  it('serves home-3’s resident, refuses another home’s, and every session steps the same run', async () => {
    const secrets = {
      home3: addUser(data.dir, 'resident-3', 'resident:home-3'),
      home4: addUser(data.dir, 'resident-4', 'resident:home-4'),
    };
    const started = await startMcpHttp([
      '--scenario',
      'scenarios/table.yaml',
      '--home',
      'home-3',
      '--days',
      '1',
      '--out',
      join(data.dir, 'http-run'),
      '--data-dir',
      data.dir,
    ]);
    server = started.child;
    await expect(mcpHttpClient(started.url, 'resident-4', secrets.home4)).rejects.toThrow(
      /resident-4 is the resident of home-4; this run serves home-3/,
    );
    const first = await mcpHttpClient(started.url, 'resident-3', secrets.home3);
    const second = await mcpHttpClient(started.url, 'resident-3', secrets.home3);
    const status = async (client: Client, name: string, args = {}) => {
      const result = (await client.callTool({ name, arguments: args })) as { content: { text: string }[] };
      return JSON.parse(result.content[0]?.text ?? '{}') as { step: number };
    };
    expect((await status(first, 'advance', { steps: 3 })).step).toBe(3);
    expect((await status(second, 'run_status')).step).toBe(3);
    await first.close();
    await second.close();
  });
});
