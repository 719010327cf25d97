// What the street's eBus meters (hub/live/extensions/ebus-street.ts) add to the wire: the live messages and bytes
// (topic and payload) per clock step under ebus/5/#, beside the hub's own gridflex/v1/# of the same steps, on the
// default table and on the 55-home IEEE street (scenarios/table-map-ieee.yaml). A subscriber counts both for a
// while after the hub is up; retained copies (the first step's) are left out.
//
//   node bench/ebus-street.js [--seconds 15] [--step-ms 250]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import mqtt from 'mqtt';
import { CLI } from './_mqtt-peers.js';

const { values } = parseArgs({
  options: { seconds: { type: 'string', default: '15' }, 'step-ms': { type: 'string', default: '250' } },
});

/** Starts a hub on `map` (default table when undefined) and resolves with its MQTT URL and process. */
async function startHub(map, dataDir) {
  const args = [CLI, 'hub', '--host', '127.0.0.1', '--mqtt-port', '0', '--ws-port', '0', '--http-port', '0'];
  args.push('--data-dir', dataDir, '--step-ms', values['step-ms'], ...(map ? ['--scenario', map] : []));
  const hub = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'ignore'] });
  let out = '';
  const url = await new Promise((resolve) =>
    hub.stdout.on('data', (chunk) => {
      out += chunk;
      const match = /hub ready: mqtt=(\S+)/.exec(out);
      if (match) resolve(match[1]);
    }),
  );
  return { hub, url };
}

/** Live messages and bytes per step on ebus/5 and gridflex/v1 while the hub runs for `seconds`. */
async function measure(map) {
  const dataDir = mkdtempSync(join(tmpdir(), 'gridflex-bench-ebus-'));
  const { hub, url } = await startHub(map, dataDir);
  const client = await mqtt.connectAsync(url, { clientId: 'bench-ebus' });
  const totals = { ebus: { messages: 0, bytes: 0 }, gridflex: { messages: 0, bytes: 0 } };
  let steps = -1;
  client.on('message', (topic, payload, packet) => {
    if (packet.retain) return;
    // Counting starts at the first live clock: every step after it is whole.
    if (topic === 'gridflex/v1/clock') steps++;
    if (steps < 0) return;
    const total = topic.startsWith('ebus/') ? totals.ebus : totals.gridflex;
    total.messages++;
    total.bytes += topic.length + payload.length;
  });
  await client.subscribeAsync(['ebus/5/#', 'gridflex/v1/#']);
  await new Promise((resolve) => setTimeout(resolve, Number(values.seconds) * 1000));
  client.end(true);
  hub.kill('SIGTERM');
  await new Promise((resolve) => hub.once('exit', resolve));
  rmSync(dataDir, { recursive: true, force: true });
  return { steps, totals };
}

for (const map of [undefined, 'scenarios/table-map-ieee.yaml']) {
  const { steps, totals } = await measure(map);
  const per = ({ messages, bytes }) =>
    `${(messages / steps).toFixed(1)} msgs, ${(bytes / steps / 1024).toFixed(2)} KiB`;
  console.log(
    `${map ?? 'default table'}: ${steps} steps; per step ebus/5 ${per(totals.ebus)}, gridflex/v1 ${per(totals.gridflex)}; ` +
      `eBus / hub: ${(totals.ebus.messages / totals.gridflex.messages).toFixed(2)}× the messages, ` +
      `${(totals.ebus.bytes / totals.gridflex.bytes).toFixed(3)}× the bytes`,
  );
}
