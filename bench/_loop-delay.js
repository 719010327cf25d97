// Preloaded into a hub by `bench/hub-latency.js --loop-delay` (node --import): how much the hub thread's event loop
// was held. Each SIGUSR2 writes, since the one before, the event-loop delay (perf_hooks, 1 ms resolution; ms: p50,
// p99, max), the event-loop utilisation (the share of wall time the loop was busy) and the stalls: gaps of over
// 10 ms between the turns of a 1 ms timer (count, and their wall ms added up; on a loaded machine they include
// the time the process waited for a core), as JSON to the file in GRIDFLEX_LOOP_DELAY_FILE.
import { writeFileSync } from 'node:fs';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';

const file = process.env.GRIDFLEX_LOOP_DELAY_FILE;
if (!file) throw new Error('bench/_loop-delay.js: GRIDFLEX_LOOP_DELAY_FILE is not set');
const STALL_MS = 10;
const histogram = monitorEventLoopDelay({ resolution: 1 });
histogram.enable();
let utilisation = performance.eventLoopUtilization();
let stalls = { count: 0, ms: 0 };
let lastTurnMs = performance.now();
setInterval(() => {
  const nowMs = performance.now();
  const gapMs = nowMs - lastTurnMs;
  lastTurnMs = nowMs;
  if (gapMs <= STALL_MS) return;
  stalls.count += 1;
  stalls.ms += gapMs;
}, 1).unref();
const ms = (ns) => ns / 1e6;
process.on('SIGUSR2', () => {
  const figures = {
    p50: ms(histogram.percentile(50)),
    p99: ms(histogram.percentile(99)),
    max: ms(histogram.max),
    utilisation: performance.eventLoopUtilization(utilisation).utilization,
    stalls,
  };
  writeFileSync(file, JSON.stringify(figures));
  histogram.reset();
  utilisation = performance.eventLoopUtilization();
  stalls = { count: 0, ms: 0 };
});
