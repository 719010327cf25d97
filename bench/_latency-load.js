// Shared by bench/hub-latency.js and bench/broker-overhead.js: the latency load of issue 18 on one broker process.
// 200 boards (each its own MQTT connection and credentials) publish one reading (a plain Homie 5 float) per
// second each, QoS 1, spread evenly over the second, for 15 s; one subscriber measures publish-to-delivery time.
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { connect, percentile } from './_mqtt-peers.js';

export const DEVICES = 200;
export const SECONDS = 15;

/** Resident memory of process `pid` in MB (VmRSS of /proc; Linux only). */
function rssMb(pid) {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : Number.NaN;
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
 * resolves with is returned as `delay`. CPU/msg is the process's CPU time over the load per delivered message.
 */
export async function measureLatency(url, passwords, pid, { beforeLoad, afterLoad } = {}) {
  const subscriber = await connect(url, { clientId: 'latency-sub' });
  await subscriber.subscribeAsync('homie/5/+/lat/value', { qos: 1 });
  const latenciesMs = [];
  subscriber.on('message', (_topic, payload) => {
    latenciesMs.push(performance.now() - Number(payload.toString()));
  });
  const first = await connectAll(url, passwords);
  await Promise.all(first.devices.map((device) => device.endAsync()));
  const { devices, ms: reconnectMs } = await connectAll(url, passwords);
  let peakRssMb = rssMb(pid);
  const cpuBeforeMs = cpuMs(pid);
  await beforeLoad?.();
  const sampler = setInterval(() => {
    peakRssMb = Math.max(peakRssMb, rssMb(pid));
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
  const sorted = latenciesMs.sort((a, b) => a - b);
  return {
    count: sorted.length,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted.at(-1),
    peakRssMb,
    cpuUsPerMessage: (loadCpuMs * 1000) / sorted.length,
    connectMs: first.ms,
    reconnectMs,
    delay,
    load,
  };
}
