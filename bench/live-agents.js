// The residents' agents on the live table: wall time per live step over a simulated day on the default table
// (every asset online; homes re-plan each half-hour with the selfish LP, 48 half-hours ahead), against its peer
// in the same step, the power flow of the table street. The live hub steps every 500 ms by default.
import { getHighs } from '../dist/hub/agents/registry.js';
import { SimClock } from '../dist/hub/clock.js';
import { loadFeeder } from '../dist/hub/feeder/index.js';
import { HomeAgents } from '../dist/hub/table/home-agents.js';
import { LiveFeeder } from '../dist/hub/table/live-feeder.js';
import { LiveMarket } from '../dist/hub/table/live-market.js';
import { loadTableMap } from '../dist/hub/table/map-config.js';
import { TableState } from '../dist/hub/table/table-state.js';

const map = loadTableMap('scenarios/table-map.yaml');
const network = loadFeeder(map.feederDir);
const table = new TableState(map);
for (const asset of table.assets) table.setOnline(asset.asset, true);
const agents = new HomeAgents(map, table, network, await getHighs());
const feeder = new LiveFeeder(network, table, map.sharedBattery);
const market = new LiveMarket();
const clock = new SimClock({ start: new Date('2026-01-15T00:00:00Z'), stepMinutes: 6, mode: 'accelerated' });

const stepsPerDay = 240;
const agentMs = [];
const flowMs = [];
let plans = 0;
for (let day = 0; day < 2; day++) {
  for (let index = 0; index < stepsPerDay; index++) {
    const now = clock.advance();
    let start = performance.now();
    const step = await agents.step(now, market);
    const elapsed = performance.now() - start;
    start = performance.now();
    feeder.solveStep(now);
    const flow = performance.now() - start;
    // The first day warms up HiGHS and the JIT; the second is measured.
    if (day === 1) {
      agentMs.push(elapsed);
      flowMs.push(flow);
      plans += step.plansMade;
    }
  }
}
agents.dispose();

const mean = (values) => values.reduce((sum, value) => sum + value, 0) / values.length;
const percentile = (values, p) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) * p)];
const flowMean = mean(flowMs);
console.log(
  `live table, one simulated day (${stepsPerDay} steps of 6 min), ${plans} plans by 4 homes with assets`,
);
console.log(`  power flow a step        ${flowMean.toFixed(2)} ms`);
console.log(
  `  agents a step (mean)     ${mean(agentMs).toFixed(2)} ms  (${(mean(agentMs) / flowMean).toFixed(1)}x the power flow)`,
);
console.log(
  `  agents a step (p95, max) ${percentile(agentMs, 0.95).toFixed(2)} / ${Math.max(...agentMs).toFixed(2)} ms  (${((100 * Math.max(...agentMs)) / 500).toFixed(1)} % of a 500 ms step at most)`,
);
