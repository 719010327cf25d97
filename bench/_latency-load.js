// Shared by bench/hub-latency.js and bench/broker-overhead.js: the latency load of issue 18 on one broker process.
// 200 boards (each its own MQTT connection and credentials) publish one reading (a plain Homie 5 float) per
// second each, QoS 1, spread evenly over the second, for 15 s; one subscriber measures publish-to-delivery time.
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { connect, percentile } from './_mqtt-peers.js';

export const DEVICES = 200;
export const SECONDS = 15;

/** Resident memory of process `pid` in MB: all (VmRSS), anonymous (RssAnon: heaps) and file pages (RssFile). */
function rssMb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const mb = (field) => {
    const match = new RegExp(`${field}:\\s+(\\d+) kB`).exec(status);
    return match ? Number(match[1]) / 1024 : Number.NaN;
  };
  return { all: mb('VmRSS'), anon: mb('RssAnon'), file: mb('RssFile') };
}

/** The dashboard's subscriptions (hub/dashboard/web/lib/hub-client.ts): the hub's world and every board. */
const DASHBOARD_FILTERS = ['gridflex/v1/#', 'homie/5/+/$state', 'homie/5/+/+/+'];

/**
 * Connects `count` MQTT-over-WebSocket clients to `wsUrl` with the dashboard's subscriptions; each keeps the
 * delivery time of the boards' readings it receives and counts the hub's own messages (a step's burst).
 */
async function connectDashboards(wsUrl, count) {
  const latenciesMs = [];
  let hubMessages = 0;
  const clients = [];
  for (let index = 0; index < count; index++) {
    const client = await connect(wsUrl, { clientId: `dashboard-${index}` });
    await client.subscribeAsync(DASHBOARD_FILTERS, { qos: 1 });
    client.on('message', (topic, payload, packet) => {
      if (packet.retain) return;
      if (topic.endsWith('/lat/value')) latenciesMs.push(performance.now() - Number(payload.toString()));
      else if (topic.startsWith('gridflex/')) hubMessages += 1;
    });
    clients.push(client);
  }
  return {
    latenciesMs,
    hubMessages: () => hubMessages,
    end: () => Promise.all(clients.map((c) => c.endAsync())),
  };
}

/** CPU time process `pid` has used so far, in ms (utime + stime of /proc/<pid>/stat; Linux only). */
function cpuMs(pid) {
  // Fields after the command name in parentheses, which may itself hold spaces.
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  const ticksPerSecond = 100;
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond;
}

/** Connects every board at once; resolves with the clients and the wall time until the last CONNACK. */
async function connectAll(url, passwords) {
  const startMs = performance.now();
  const devices = await Promise.all(
    [...passwords].map(([username, password]) => connect(url, { clientId: username, username, password })),
  );
  return { devices, ms: performance.now() - startMs };
}

/**
 * Runs the load on the broker at `url` (process `pid`) with the boards of `passwords` (connected once, dropped,
 * connected again); `beforeLoad` and `afterLoad` (optional) run just before and after it, and what `afterLoad`
 * resolves with is returned as `delay`. CPU/msg is the process's CPU time over the load per board message the
 * subscriber received. With `dashboards` (a count) and `wsUrl`, that many dashboard clients over WebSocket watch
 * the boards and the hub's steps too (`dashboard`: their p50/p99 of the boards' readings, the hub's messages).
 */
export async function measureLatency(
  url,
  passwords,
  pid,
  { beforeLoad, afterLoad, wsUrl, dashboards = 0 } = {},
) {
  const subscriber = await connect(url, { clientId: 'latency-sub' });
  await subscriber.subscribeAsync('homie/5/+/lat/value', { qos: 1 });
  const latenciesMs = [];
  subscriber.on('message', (_topic, payload) => {
    latenciesMs.push(performance.now() - Number(payload.toString()));
  });
  const first = await connectAll(url, passwords);
  await Promise.all(first.devices.map((device) => device.endAsync()));
  const { devices, ms: reconnectMs } = await connectAll(url, passwords);
  const watchers = dashboards > 0 ? await connectDashboards(wsUrl, dashboards) : null;
  const peak = rssMb(pid);
  await beforeLoad?.();
  const cpuBeforeMs = cpuMs(pid);
  const sampler = setInterval(() => {
    const now = rssMb(pid);
    // Each at its own peak: the anonymous and file pages need not peak together.
    for (const key of Object.keys(peak)) peak[key] = Math.max(peak[key], now[key]);
  }, 500);
  const timers = [];
  await new Promise((done) => {
    devices.forEach((device, index) => {
      const topic = `homie/5/${device.options.username}/lat/value`;
      const send = () => device.publish(topic, String(performance.now()), { qos: 1 });
      // Stagger the boards evenly over the second, as independent boards would be.
      timers.push(
        setTimeout(
          () => {
            send();
            timers.push(setInterval(send, 1000));
          },
          (index * 1000) / DEVICES,
        ),
      );
    });
    setTimeout(done, SECONDS * 1000);
  });
  for (const timer of timers) clearInterval(timer);
  clearInterval(sampler);
  const loadCpuMs = cpuMs(pid) - cpuBeforeMs;
  const delay = await afterLoad?.();
  const load = loadavg()[0];
  await Promise.all(devices.map((device) => device.endAsync()));
  await subscriber.endAsync();
  const hubMessages = watchers?.hubMessages();
  await watchers?.end();
  const sorted = latenciesMs.sort((a, b) => a - b);
  const watched = watchers?.latenciesMs.sort((a, b) => a - b);
  return {
    count: sorted.length,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted.at(-1),
    peakRssMb: peak.all,
    peakAnonMb: peak.anon,
    peakFileMb: peak.file,
    dashboard: watched && { p50: percentile(watched, 50), p99: percentile(watched, 99), hubMessages },
    cpuUsPerMessage: (loadCpuMs * 1000) / sorted.length,
    connectMs: first.ms,
    reconnectMs,
    delay,
    load,
  };
}
