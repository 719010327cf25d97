// A year of the IEEE EU LV street (55 homes, scenarios/ieee-eu-lv.yaml) at 30-minute steps with the power
// flow at every step: `selfish` (one HiGHS LP per flexible home per day, 36 h horizon) against its peer in
// the same process, `passive` (no control). Prints each run's split (power flow, optimisation, bookkeeping)
// and the selfish/passive time ratio. Target: selfish under 20 s on a 2-core machine.
import { loadRunInputs } from '../dist/hub/sim/inputs.js';
import { runYear } from '../dist/hub/sim/runner.js';

const scenario = process.argv[2] ?? 'scenarios/ieee-eu-lv.yaml';
const loadStart = performance.now();
const inputs = loadRunInputs(scenario);
const loadMs = performance.now() - loadStart;

const seconds = (ms) => `${(ms / 1000).toFixed(2)} s`;
const share = (part, whole) => `${((100 * part) / whole).toFixed(0)} %`;

function report(result) {
  const t = result.timing;
  console.log(
    `${result.policy.padEnd(8)} ${seconds(t.totalMs).padStart(8)} | power flow ${seconds(t.powerFlowMs)} (${share(t.powerFlowMs, t.totalMs)}, ${((1000 * t.powerFlowMs) / t.powerFlowSolves).toFixed(0)} us/solve) | optimisation ${seconds(t.optimisationMs)} (${share(t.optimisationMs, t.totalMs)}, ${t.plans} plans) | bookkeeping ${seconds(t.bookkeepingMs)} (${share(t.bookkeepingMs, t.totalMs)})`,
  );
  console.log(
    `         bills £${result.totals.billsGbp.toFixed(0)}, transformer peak ${result.network.transformerPeakKw.toFixed(1)} kW, voltage ${result.network.minVoltageV.toFixed(1)}–${result.network.maxVoltageV.toFixed(1)} V`,
  );
}

console.log(
  `${inputs.scenario.name}: ${inputs.scenario.homes.length} homes, ${inputs.scenario.days} days at ${inputs.scenario.stepMinutes} min (inputs loaded in ${seconds(loadMs)})`,
);
const selfish = await runYear(inputs, 'selfish');
report(selfish);
const passive = await runYear(inputs, 'passive');
report(passive);
console.log(
  `ratio selfish/passive: total ${(selfish.timing.totalMs / passive.timing.totalMs).toFixed(2)}x, ` +
    `power flow ${(selfish.timing.powerFlowMs / passive.timing.powerFlowMs).toFixed(2)}x; ` +
    `selfish ${selfish.timing.totalMs < 20000 ? 'meets' : 'misses'} the 20 s target`,
);
