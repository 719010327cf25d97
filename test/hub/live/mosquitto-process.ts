import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connectClient, nextMessage, subscribe } from '../mqtt-helpers.js';

/** Debian's Mosquitto 2, the external broker of the tests that run the hub with `--broker`. */
export const MOSQUITTO = '/usr/sbin/mosquitto';

/** Starts Mosquitto on a config file (`gridflex mosquitto-config`'s); resolves once it says it is running. */
export async function startMosquitto(conf: string): Promise<ChildProcess> {
  if (!existsSync(MOSQUITTO))
    throw new Error(`${MOSQUITTO} is missing: apt-get install mosquitto (see .ci/run)`);
  const child = spawn(MOSQUITTO, ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    let log = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      log += chunk.toString();
      if (log.includes('running')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`mosquitto exited with ${code}: ${log}`)));
  });
  return child;
}

/** SIGTERM, and resolves once it exited. */
export function stopMosquitto(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  return exited;
}

/**
 * The retained topics matching `filter` that a fresh reader gets, asked only after the broker finished with
 * earlier publishes: it subscribes to `filter` and then to the hub's retained state; Mosquitto sends retained
 * messages in subscription order, so once the hub state arrives, everything retained under `filter` came first.
 */
export async function retainedTopics(
  brokerUrl: string,
  filter: string,
  credentials: { username?: string; password?: string } = {},
): Promise<string[]> {
  const reader = await connectClient(brokerUrl, { clientId: `reader-${Date.now()}`, ...credentials });
  const topics: string[] = [];
  reader.on('message', (topic, _payload, packet) => {
    if (packet.retain && topic !== 'gridflex/v1/hub/state') topics.push(topic);
  });
  await subscribe(reader, filter);
  const sentinel = nextMessage(reader, (topic) => topic === 'gridflex/v1/hub/state');
  await subscribe(reader, 'gridflex/v1/hub/state');
  await sentinel;
  reader.end(true);
  return topics;
}
