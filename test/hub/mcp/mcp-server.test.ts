import { type ChildProcess, execFileSync } from 'node:child_process';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type FeedEvent,
  type HomeDecision,
  type HomePreferences,
  HomePreferencesSchema,
  type MarketTariffs,
} from '../../../protocol/gridflex.js';
import { addUser, CLI, type HubProcess, startHub, writeTestMap } from '../live/hub-process.js';
import { connectClient, nextMessage, tempDir, watchHubUntilAllOnline } from '../mqtt-helpers.js';
import { NIGHT_ONLY_TARIFF } from '../night-only-tariff.js';
import { mcpHttpClient, startMcpHttp } from './mcp-http.js';

const data = tempDir('gridflex-mcp-');
let hub: HubProcess;
let viewer: MqttClient;
let home3: Client;
let httpServer: ChildProcess;
let httpUrl: string;
const secrets: Record<string, string> = {};

const json = <T>(payload: Buffer) => JSON.parse(payload.toString()) as T;

beforeAll(async () => {
  const map = writeTestMap(data.dir);
  secrets['resident-3'] = addUser(data.dir, 'resident-3', 'resident:home-3');
  secrets['resident-4'] = addUser(data.dir, 'resident-4', 'resident:home-4');
  secrets['table-op'] = addUser(data.dir, 'table-op', 'operator');
  secrets.octo = addUser(data.dir, 'octo', 'supplier:octo');
  secrets.ofgem = addUser(data.dir, 'ofgem', 'regulator');
  hub = await startHub(['--demo', '--scenario', map, '--data-dir', data.dir, '--step-ms', '40']);
  viewer = await connectClient(hub.mqttUrl, { clientId: 'mcp-viewer' });
  await watchHubUntilAllOnline(viewer);
  home3 = await stdioClient('resident-3', secrets['resident-3'] as string);
  ({ child: httpServer, url: httpUrl } = await startHttpServer());
});

afterAll(async () => {
  await home3?.close();
  httpServer?.kill('SIGTERM');
  viewer?.end(true);
  await hub?.stop();
  data.remove();
});

/** `gridflex mcp` over stdio, started by the SDK's own client as an agent would. */
async function stdioClient(username: string, password: string): Promise<Client> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [CLI, 'mcp', '--broker', hub.mqttUrl, '--data-dir', data.dir],
    env: { ...process.env, GRIDFLEX_USERNAME: username, GRIDFLEX_PASSWORD: password } as Record<
      string,
      string
    >,
    stderr: 'ignore',
  });
  const client = new Client({ name: 'test-agent', version: '1.0.0' });
  await client.connect(transport);
  return client;
}

function startHttpServer() {
  return startMcpHttp(['--broker', hub.mqttUrl, '--data-dir', data.dir]);
}

function httpClient(username: string, password: string): Promise<Client> {
  return mcpHttpClient(httpUrl, username, password);
}

/** A tool's answer: its JSON body (or error text) and whether it was an error. */
async function call(client: Client, name: string, args: Record<string, unknown> = {}) {
  try {
    const result = await client.callTool({ name, arguments: args });
    const text = (result.content as { type: string; text: string }[])[0]?.text ?? '';
    const isError = result.isError === true;
    return { isError, text, body: isError ? undefined : (JSON.parse(text) as Record<string, unknown>) };
  } catch (error) {
    return { isError: true, text: (error as Error).message, body: undefined };
  }
}

function preferencesOf(home: string, test: (preferences: HomePreferences) => boolean) {
  return nextMessage(
    viewer,
    (topic) => topic === `gridflex/v1/preferences/${home}`,
    (payload) => test(json<HomePreferences>(payload)),
  ).then(({ payload }) => HomePreferencesSchema.parse(json(payload)));
}

function nextSteps(home: string, count: number): Promise<void> {
  let seen = 0;
  return nextMessage(
    viewer,
    (topic) => topic === `gridflex/v1/homes/${home}`,
    () => ++seen >= count,
  ).then(() => undefined);
}

describe('gridflex mcp over stdio (home-3)', () => {
  it('lists the home tools', async () => {
    const { tools } = await home3.listTools();
    expect(tools.map((tool) => tool.name)).toEqual(
      expect.arrayContaining(['live_power', 'meter_history', 'compare_tariffs', 'set_ev_schedule', 'prices']),
    );
  });

  it('reads live power per device of its own home', async () => {
    const { isError, body } = await call(home3, 'live_power');
    expect(isError).toBe(false);
    expect(body?.home).toBe('home-3');
    expect(body?.assets).toEqual(
      expect.arrayContaining([expect.objectContaining({ asset: 'ev-1', kind: 'ev' })]),
    );
  });

  it('reads meter history and compares tariffs on it', async () => {
    await nextSteps('home-3', 3);
    const history = await call(home3, 'meter_history', { lastSteps: 100 });
    expect(history.body?.readings).not.toHaveLength(0);
    expect(history.body?.readings).toBeInstanceOf(Array);
    const compared = await call(home3, 'compare_tariffs');
    expect(compared.isError).toBe(false);
    const costs = compared.body?.costs as { tariff: string; totalGbp: number }[];
    expect(costs.map((cost) => cost.tariff)).toContain('price-cap');
    expect(costs[0]?.totalGbp).toBeGreaterThan(0);
  });

  it('gives carbon and prices now and ahead', async () => {
    const carbon = await call(home3, 'carbon_intensity', { hoursAhead: 6 });
    expect(carbon.body?.forecast).toHaveLength(12);
    const prices = await call(home3, 'prices', { hoursAhead: 2 });
    expect(prices.body?.now).toMatchObject({ source: 'price-cap' });
    expect(prices.body?.forecast).toHaveLength(4);
  });

  it('schedules the EV through the hub, which shows it and puts the call in the event feed', async () => {
    const shown = preferencesOf('home-3', (preferences) => preferences.evReadyByMinute === 390);
    const inFeed = nextMessage(
      viewer,
      (topic) => topic === 'gridflex/v1/events',
      (payload) => {
        const event = json<FeedEvent>(payload);
        return (
          event.kind === 'agent-call' && event.home === 'home-3' && event.message.includes('set_ev_schedule')
        );
      },
    );
    const { isError, body } = await call(home3, 'set_ev_schedule', { readyBy: '06:30', targetSocPct: 90 });
    expect(isError).toBe(false);
    expect(body?.accepted).toBe(true);
    expect((await shown).evTargetSocPct).toBe(90);
    await inFeed;
    const preferences = await call(home3, 'get_preferences');
    expect(preferences.body?.evReadyByMinute).toBe(390);
  });

  it('refuses values outside the device limits, naming the field, and the room sees the refusal', async () => {
    const inFeed = nextMessage(
      viewer,
      (topic) => topic === 'gridflex/v1/events',
      (payload) => json<FeedEvent>(payload).message.includes('set_ev_schedule (refused): invalid arguments'),
    ).then(({ payload }) => json<FeedEvent>(payload));
    const { isError, text } = await call(home3, 'set_ev_schedule', { readyBy: '06:30', targetSocPct: 150 });
    expect(isError).toBe(true);
    expect(text).toContain('targetSocPct');
    const event = await inFeed;
    expect(event).toMatchObject({ kind: 'agent-call', severity: 'warning', home: 'home-3' });
    expect(event.message).toContain('targetSocPct');
  });

  it('cannot touch home-4: another home is refused, and another home’s device by the hub', async () => {
    const otherHome = await call(home3, 'set_preferences', { home: 'home-4', costWeight: 0.1 });
    expect(otherHome.isError).toBe(true);
    expect(otherHome.text).toContain('home-4 is outside its scope');
    const read = await call(home3, 'live_power', { home: 'home-4' });
    expect(read.isError).toBe(true);
    const otherDevice = await call(home3, 'boost_device', { asset: 'ev-2', minutes: 30 });
    expect(otherDevice.isError).toBe(true);
    expect(otherDevice.text).toContain('ev-2 is not on plot-3 (home-3)');
  });
});

describe('examples/mcp-agent', () => {
  it('schedules its home’s EV from the prices through gridflex mcp', () => {
    const out = execFileSync(
      process.execPath,
      ['examples/mcp-agent/agent.mjs', '--broker', hub.mqttUrl, '--data-dir', data.dir],
      {
        encoding: 'utf8',
        env: { ...process.env, GRIDFLEX_USERNAME: 'resident-3', GRIDFLEX_PASSWORD: secrets['resident-3'] },
      },
    );
    expect(out).toMatch(
      /^EV ready by 07:30 at (70|90) %: preferences updated: evReadyByMinute, evTargetSocPct$/m,
    );
    expect(out).toMatch(/^cheapest tariff on this home's use: price-cap/m);
  });
});

describe('gridflex mcp over streamable HTTP', () => {
  it('serves home-4 to its resident and changes its heating band on the hub', async () => {
    const home4 = await httpClient('resident-4', secrets['resident-4'] as string);
    try {
      const before = await call(home4, 'get_preferences');
      expect(before.body?.home).toBe('home-4');
      const shown = preferencesOf('home-4', (preferences) => preferences.comfortMinCelsius === 18.5);
      const { body } = await call(home4, 'set_heating_band', { minCelsius: 18.5, maxCelsius: 21 });
      expect(body?.accepted).toBe(true);
      expect((await shown).comfortMaxCelsius).toBe(21);
      const other = await call(home4, 'get_preferences', { home: 'home-3' });
      expect(other.text).toContain('refused: this session acts for home-4');
    } finally {
      await home4.close();
    }
  });

  it('keeps at most four open sessions a resident: a fifth closes the oldest', async () => {
    const clients: Client[] = [];
    for (let opened = 0; opened < 5; opened++) {
      clients.push(await httpClient('resident-4', secrets['resident-4'] as string));
    }
    try {
      const oldest = await call(clients[0] as Client, 'get_preferences');
      expect(oldest.isError).toBe(true);
      expect(oldest.text).toMatch(/no session [0-9a-f-]+/);
      const newest = await call(clients[4] as Client, 'get_preferences');
      expect(newest.body?.home).toBe('home-4');
    } finally {
      for (const client of clients) await client.close().catch(() => {});
    }
  });

  it('refuses a wrong password and a user who is not a resident', async () => {
    await expect(httpClient('resident-4', 'not-the-password')).rejects.toThrow(/wrong password/);
    await expect(httpClient('table-op', secrets['table-op'] as string)).rejects.toThrow(/serves residents/);
  });

  it('checks the password on every request of a session, not only the first', async () => {
    const home4 = await httpClient('resident-4', secrets['resident-4'] as string);
    try {
      const sessionId = (home4.transport as StreamableHTTPClientTransport).sessionId as string;
      const listTools = (password: string) =>
        fetch(httpUrl, {
          method: 'POST',
          headers: {
            authorization: `Basic ${Buffer.from(`resident-4:${password}`).toString('base64')}`,
            'content-type': 'application/json',
            accept: 'application/json, text/event-stream',
            'mcp-session-id': sessionId,
            'mcp-protocol-version': '2025-03-26',
          },
          body: JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'tools/list' }),
        });
      const guessed = await listTools('not-the-password');
      expect(guessed.status).toBe(401);
      expect(await guessed.text()).toContain('wrong password for resident-4');
      expect((await listTools(secrets['resident-4'] as string)).status).toBe(200);
    } finally {
      await home4.close();
    }
  });
});

describe('a tariff switch through gridflex mcp', () => {
  function tariffsWhere(test: (tariffs: MarketTariffs) => boolean): Promise<MarketTariffs> {
    return nextMessage(
      viewer,
      (topic) => topic === 'gridflex/v1/market/tariffs',
      (payload) => test(json<MarketTariffs>(payload)),
    ).then(({ payload }) => json<MarketTariffs>(payload));
  }

  it('moves home-3 alone to the tariff its agent asks for, after the switching lag', async () => {
    const supplier = await connectClient(hub.mqttUrl, {
      clientId: 'octo-mcp-test',
      username: 'octo',
      password: secrets.octo,
    });
    const offered = tariffsWhere((tariffs) =>
      tariffs.offers.some((offer) => offer.tariff.tariffId === 'night-only'),
    );
    await supplier.publishAsync(
      'gridflex/control/v1/supplier/octo/tariff',
      JSON.stringify(NIGHT_ONLY_TARIFF),
      {
        qos: 1,
      },
    );
    await offered;
    supplier.end(true);

    const unknown = await call(home3, 'request_tariff_switch', { tariff: 'edf/nothing' });
    expect(unknown.isError).toBe(true);
    expect(unknown.text).toContain('edf/nothing is not on offer (on offer: price-cap, octo/night-only)');

    const switched = tariffsWhere((tariffs) => tariffs.homes?.['home-3']?.tariff === 'octo/night-only');
    const asked = await call(home3, 'request_tariff_switch', { tariff: 'octo/night-only' });
    expect(asked.body).toMatchObject({ accepted: true });
    expect(asked.body?.reason).toMatch(/^home-3 will switch from price-cap to octo\/night-only in 60 min/);
    const tariffs = await switched;
    expect(tariffs.inForce).toBe('price-cap');
    expect(tariffs.homes?.['home-4']).toBeUndefined();

    // The agent sees its own tariff; home-3's decisions are priced on it, home-4's on the street's.
    // The server follows the tariffs the hub publishes, which may reach it after they reached this viewer.
    await expect
      .poll(async () => (await call(home3, 'list_tariffs')).body?.home, { interval: 500, timeout: 30_000 })
      .toMatchObject({ tariff: 'octo/night-only', pending: null });
    const prices = await call(home3, 'prices', { hoursAhead: 1 });
    // Priced as the hub prices the home: its own tariff's standing charge, the wire shape of market/prices.
    expect(prices.body?.now).toMatchObject({ source: 'octo/night-only', standingChargeGbpPerDay: 0.5 });
    expect(prices.body?.now).not.toHaveProperty('tariff');
    const decisions = new Map<string, HomeDecision>();
    await nextMessage(
      viewer,
      (topic) =>
        topic === 'gridflex/v1/homes/home-3/decision' || topic === 'gridflex/v1/homes/home-4/decision',
      (payload) => {
        const decision = json<HomeDecision>(payload);
        if (Date.parse(decision.simTime) <= Date.parse(tariffs.homes?.['home-3']?.since ?? '')) return false;
        decisions.set(decision.home, decision);
        return (
          decisions.get('home-3')?.step !== undefined &&
          decisions.get('home-3')?.step === decisions.get('home-4')?.step
        );
      },
    );
    expect(decisions.get('home-3')?.importPriceGbpPerKwh).not.toBeCloseTo(
      decisions.get('home-4')?.importPriceGbpPerKwh ?? 0,
      3,
    );
  });
});

describe('network_status, as far as the regulator lets agents read the network', () => {
  async function regulatorSets(networkDataForAgents: string): Promise<void> {
    const regulator = await connectClient(hub.mqttUrl, {
      clientId: `ofgem-${networkDataForAgents}`,
      username: 'ofgem',
      password: secrets.ofgem,
    });
    await regulator.publishAsync(
      'gridflex/control/v1/regulator/rules',
      JSON.stringify({ networkDataForAgents }),
      { qos: 1 },
    );
    regulator.end(true);
  }
  const status = () => call(home3, 'network_status');
  // A call a second: the resident's call limit (60 a minute) is not what is tested here.
  const POLL = { interval: 1000, timeout: 60_000 };

  it('gives the street’s figures by default, only the home’s voltage or nothing when the regulator says so', async () => {
    const street = await status();
    expect(street.body?.transformerLoadingPct).toEqual(expect.any(Number));
    expect(street.body?.yourHomeVolts).toEqual(expect.any(Number));

    await regulatorSets('own-home');
    // The server follows the rules the hub publishes; until it has them, the street's figures come back.
    const ownOnly = async () => {
      const answer = await status();
      return answer.body !== undefined && !('transformerLoadingPct' in answer.body);
    };
    await expect.poll(ownOnly, POLL).toBe(true);
    const own = await status();
    expect(own.body?.yourHomeVolts).toEqual(expect.any(Number));
    expect(own.body).not.toHaveProperty('lowestVolts');

    await regulatorSets('none');
    await expect
      .poll(async () => (await status()).text, POLL)
      .toContain('the regulator lets agents read nothing of the network');
  });
});

describe('policy external over MCP (home-3)', () => {
  it('reads the scenario as a resource', async () => {
    const resource = await home3.readResource({ uri: 'gridflex://scenario' });
    const map = JSON.parse((resource.contents[0] as { text: string }).text) as { plots: { home?: string }[] };
    expect(map.plots.map((plot) => plot.home)).toContain('home-3');
  });

  it('answers the home’s plan requests once the operator puts the street on policy external', async () => {
    const before = await call(home3, 'plan_request');
    expect(before.isError).toBe(true);
    expect(before.text).toContain('not on policy external');
    const operator = await connectClient(hub.mqttUrl, {
      clientId: 'mcp-operator',
      username: 'table-op',
      password: secrets['table-op'],
    });
    await operator.publishAsync(
      'gridflex/control/v1/table/policy',
      JSON.stringify({ policy: 'external', requestId: 'policy-external' }),
      { qos: 1 },
    );
    await expect
      .poll(async () => (await call(home3, 'plan_request')).body?.home, { interval: 300, timeout: 60_000 })
      .toBe('home-3');
    // At 40 ms a step each step brings a new request, and a loaded machine's two tool calls can take longer than
    // that every time (CI failed so): the clock pauses while the agent reads and answers, as a slow agent's
    // operator would.
    await operator.publishAsync('gridflex/control/v1/clock', JSON.stringify({ action: 'pause' }), { qos: 1 });
    const followed = nextMessage(
      viewer,
      (topic) => topic === 'gridflex/v1/homes/home-3/decision',
      (payload) => json<HomeDecision>(payload).explanation.startsWith('outside agent: the MCP agent’s plan'),
    );
    // A new request may come between reading one and answering it: the hub refuses an old one, so ask again.
    await expect
      .poll(
        async () => {
          const request = (await call(home3, 'plan_request')).body as { horizonSteps: number };
          const answer = await call(home3, 'submit_plan', {
            evKw: Array.from({ length: request.horizonSteps }, () => 0),
            explanation: 'the MCP agent’s plan',
          });
          return answer.body?.accepted;
        },
        { interval: 200, timeout: 60_000 },
      )
      .toBe(true);
    await operator.publishAsync('gridflex/control/v1/clock', JSON.stringify({ action: 'play' }), { qos: 1 });
    operator.end(true);
    const decision = json<HomeDecision>((await followed).payload);
    expect(decision.policy).toBe('external');
    // The switch waits for the next half-hour and each poll for a loaded hub: more than the default minute.
  }, 150_000);
});
