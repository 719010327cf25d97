import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentPlanRequest, AuditEntry, Clock, HomeDecision } from '../../../protocol/gridflex.js';
import { connectClient, nextMessage, subscribe, tempDir, watchHubUntilAllOnline } from '../mqtt-helpers.js';
import { addUser, type HubProcess, startHub, writeTestMap } from './hub-process.js';

/** One simulated minute a step: a half-hour plan step is 30 clock steps. */
const STEPS_PER_PLAN_STEP = 30;

const data = tempDir('gridflex-external-');
let hub: HubProcess;
let viewer: MqttClient;
let operator: MqttClient;
let agent: ChildProcess;
const secrets: Record<string, string> = {};
const json = <T>(payload: Buffer) => JSON.parse(payload.toString()) as T;

/** The test street with every home on policy `external` and one shadow run. */
function writeExternalMap(): string {
  const file = writeTestMap(data.dir);
  const text = readFileSync(file, 'utf8').replace(/stepMinutes: .*$/m, 'stepMinutes: 1');
  writeFileSync(file, `${text}\nlive:\n  policy: external\n  shadows: [selfish]\n`);
  return file;
}

/** The example agent of examples/external-agent, as a team would start it. */
function startAgent(): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    ['examples/external-agent/agent.mjs', '--broker', hub.mqttUrl, '--home', 'home-3'],
    {
      env: { ...process.env, GRIDFLEX_USERNAME: 'resident-3', GRIDFLEX_PASSWORD: secrets['resident-3'] },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('agent ready for home-3')) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`the example agent exited with ${code}`)));
  });
}

function clockState(running: boolean): Promise<unknown> {
  return nextMessage(
    viewer,
    (topic) => topic === 'gridflex/v1/clock',
    (payload) => json<Clock>(payload).running === running,
  );
}

beforeAll(async () => {
  const map = writeExternalMap();
  secrets['resident-3'] = addUser(data.dir, 'resident-3', 'resident:home-3');
  secrets['table-op'] = addUser(data.dir, 'table-op', 'operator');
  hub = await startHub(['--demo', '--scenario', map, '--data-dir', data.dir, '--step-ms', '40']);
  viewer = await connectClient(hub.mqttUrl, { clientId: 'external-viewer' });
  await watchHubUntilAllOnline(viewer);
  operator = await connectClient(hub.mqttUrl, {
    clientId: 'external-operator',
    username: 'table-op',
    password: secrets['table-op'],
  });
  agent = await startAgent();
});

afterAll(async () => {
  agent?.kill('SIGTERM');
  operator?.end(true);
  viewer?.end(true);
  await hub?.stop();
  data.remove();
});

describe('policy external with the example agent over MQTT', () => {
  it('follows the agent’s plan once it answered before the next plan step', async () => {
    const requests: AgentPlanRequest[] = [];
    viewer.on('message', (topic, payload) => {
      if (topic === 'gridflex/v1/agents/home-3/plan-request') requests.push(json(payload));
    });
    const firstRequest = nextMessage(viewer, (topic) => topic === 'gridflex/v1/agents/home-3/plan-request');
    await firstRequest;
    const paused = clockState(false);
    operator.publish('gridflex/control/v1/clock', JSON.stringify({ action: 'pause' }));
    await paused;
    const lastRequest = requests.at(-1) as AgentPlanRequest;
    expect(lastRequest.limits.evMaxChargeKw).toBeGreaterThan(0);
    const answered = nextMessage(
      viewer,
      (topic) => topic === 'gridflex/v1/audit',
      (payload) => json<AuditEntry>(payload).requestId === lastRequest.requestId,
    ).then(({ payload }) => json<AuditEntry>(payload));
    // The agent may have answered before the pause: then the hub's retained list has it.
    const answer = await Promise.race([answered, recentAnswer(lastRequest.requestId)]);
    expect(answer).toMatchObject({ accepted: true, username: 'resident-3', action: 'resident-plan' });

    const followed = nextMessage(
      viewer,
      (topic) => topic === 'gridflex/v1/homes/home-3/decision',
      (payload) => json<HomeDecision>(payload).explanation.startsWith('outside agent:'),
    ).then(({ payload }) => json<HomeDecision>(payload));
    operator.publish(
      'gridflex/control/v1/clock',
      JSON.stringify({ action: 'step', count: STEPS_PER_PLAN_STEP + 1 }),
    );
    const decision = await followed;
    expect(decision.policy).toBe('external');
    expect(decision.explanation).toMatch(/EV charges in the \d+ cheapest half-hours before 07:30/);
    // 31 steps of the demo street on a shared machine: more than the default minute.
  }, 180_000);
});

/** The audit entry for `requestId` among the hub's latest answers, if it is there already. */
async function recentAnswer(requestId: string): Promise<AuditEntry> {
  const probe = await connectClient(hub.mqttUrl, { clientId: 'external-probe' });
  try {
    const recent = nextMessage(probe, (topic) => topic === 'gridflex/v1/audit/recent');
    await subscribe(probe, 'gridflex/v1/audit/recent');
    const { entries } = json<{ entries: AuditEntry[] }>((await recent).payload);
    const entry = entries.find((candidate) => candidate.requestId === requestId);
    return entry ?? new Promise<AuditEntry>(() => {});
  } finally {
    probe.end(true);
  }
}
