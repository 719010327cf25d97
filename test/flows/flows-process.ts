/**
 * `gridflex flows` as a user runs it: a real process with embedded Node-RED, its editor's admin HTTP API on
 * loopback, and a Homie PV board played by hand so its power is known exactly.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import type { MqttClient } from 'mqtt';
import WebSocket from 'ws';
import { formatHomieValue, gridflexNodeType, homieTopics } from '../../protocol/homie.js';
import { CLI } from '../hub/live/hub-process.js';
import { connectClient } from '../hub/mqtt-helpers.js';

/** A running `gridflex flows` and its editor URL. */
export interface FlowsProcess {
  process: ChildProcess;
  editorUrl: string;
  /** Milliseconds from spawn to the "flows ready" line. */
  readyMs: number;
  stderr: () => string;
  /** Sends SIGINT and resolves with the exit code. */
  interrupt(): Promise<number | null>;
}

/** Spawns `gridflex flows …` and waits for its "flows ready: <url>" line. */
export function startFlows(flags: string[], env: Record<string, string> = {}): Promise<FlowsProcess> {
  const started = performance.now();
  const child = spawn(process.execPath, [CLI, 'flows', '--port', '0', ...flags], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /flows ready: (\S+)/.exec(out);
      if (!match) return;
      resolve({
        process: child,
        editorUrl: match[1] as string,
        readyMs: performance.now() - started,
        stderr: () => stderr,
        interrupt: () => {
          child.kill('SIGINT');
          return exited;
        },
      });
    });
    exited.then((code) => reject(new Error(`gridflex flows exited with ${code}:\n${stderr}`)));
  });
}

/** Runs `gridflex flows …` expecting it to fail; resolves with its exit code and stderr. */
export function failingFlows(
  flags: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [CLI, 'flows', '--port', '0', ...flags], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, GRIDFLEX_PASSWORD: '', ...env },
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  // A run that wrongly starts is stopped once it says it is ready, so the test ends either way.
  child.stdout?.on('data', (chunk: Buffer) => {
    if (chunk.toString().includes('flows ready:')) child.kill('SIGINT');
  });
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stderr })));
}

/** A PV board speaking Homie by hand, with its own credentials, generating a fixed power. */
export async function connectPvBoard(
  url: string,
  deviceId: string,
  password: string,
  powerKw: number,
): Promise<MqttClient> {
  const client = await connectClient(url, {
    clientId: deviceId,
    username: deviceId,
    password,
    will: { topic: homieTopics.state(deviceId), payload: Buffer.from('lost'), qos: 1, retain: true },
  });
  const publish = (topic: string, payload: string) =>
    client.publishAsync(topic, payload, { qos: 1, retain: true });
  await publish(homieTopics.state(deviceId), 'init');
  const description = {
    homie: '5.0',
    version: 1,
    nodes: {
      pv: {
        type: gridflexNodeType('pv'),
        properties: { 'power-kw': { datatype: 'float', unit: 'kW', format: ':0' } },
      },
    },
  };
  await publish(homieTopics.description(deviceId), JSON.stringify(description));
  await publish(homieTopics.property(deviceId, 'pv', 'power-kw'), formatHomieValue(powerKw));
  await publish(homieTopics.state(deviceId), 'ready');
  return client;
}

/** Calls the Node-RED admin HTTP API; returns its JSON answer, or its text when that is not JSON. */
export async function adminApi(editorUrl: string, path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(new URL(path, editorUrl), {
    method: body === undefined ? 'GET' : 'POST',
    headers: {
      Accept: 'application/json',
      ...(body === undefined
        ? {}
        : { 'Content-Type': 'application/json', 'Node-RED-Deployment-Type': 'full' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status} ${text}`);
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * Deploys `nodes` as the whole flow configuration (as the editor's Deploy button does) and resolves once
 * the runtime has started them: the editor's comms socket announces the deploy's revision then.
 */
export async function deploy(editorUrl: string, nodes: unknown[]): Promise<void> {
  const comms = new WebSocket(new URL('comms', editorUrl.replace(/^http/, 'ws')));
  await new Promise((resolve, reject) => {
    comms.once('open', resolve);
    comms.once('error', reject);
  });
  try {
    let wanted: string | undefined;
    const seen = new Set<string>();
    let started: (() => void) | undefined;
    const deployed = new Promise<void>((resolve) => {
      started = resolve;
    });
    comms.on('message', (data: Buffer) => {
      for (const event of JSON.parse(data.toString()) as { topic: string; data?: { revision?: string } }[]) {
        const revision = event.data?.revision;
        if (event.topic !== 'notification/runtime-deploy' || revision === undefined) continue;
        seen.add(revision);
        if (revision === wanted) started?.();
      }
    });
    comms.send(JSON.stringify({ subscribe: 'notification/#' }));
    const response = await fetch(new URL('flows', editorUrl), {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        'Node-RED-API-Version': 'v2',
        'Node-RED-Deployment-Type': 'full',
      },
      body: JSON.stringify({ flows: nodes }),
    });
    if (!response.ok) throw new Error(`deploy: HTTP ${response.status} ${await response.text()}`);
    wanted = ((await response.json()) as { rev: string }).rev;
    if (!seen.has(wanted)) await deployed;
  } finally {
    comms.close();
  }
}
