// Does the live table keep up on the IEEE street? Wall time per live step (the residents' agents, then the power
// flow) on the 55-home IEEE European LV street of scenarios/table-map-ieee.yaml, under every policy of the
// registry, beside its peers in the same run: the step length (the map's clock.stepMs, 1000 ms) and the power
// flow alone. Every board is online, PV follows the winter sun, each resident has the preferences the batch
// street (scenarios/ieee-eu-lv-30.yaml) draws for its home, prices are the hub's at start. After a warm-up
// (HiGHS, the JIT, every home's first plan) a simulated day is measured; homes re-plan each half-hour.
// Each policy runs alone, then the map's running policy with the shadow runs the hub keeps by default
// (`live.shadows` absent: the registry's default shadow runs, each with its own power flow); once at the map's
// street limit (the transformer's rating, which this street never reaches) and once at a limit that binds, where
// cooperative and central have to coordinate (their worst case).
//
// Columns: wall ms per step (mean, p95, max), the process's CPU ms in its costliest step (on a shared machine a
// wall time far above it is other processes' doing), the running street's power flow, the share of steps where
// homes re-plan and their max, the step length and the worst step over it, and the running street's peak.
//
//   node bench/live-street.js [--hours 24] [--warmup-hours 3] [--policy name]... [--limit-kw kW]... [--no-shadows]
import { parseArgs } from 'node:util';
import { DEFAULT_LIVE_SHADOWS, getHighs, POLICY_NAMES } from '../dist/hub/agents/registry.js';
import { SimClock } from '../dist/hub/clock.js';
import { loadFeeder } from '../dist/hub/feeder/index.js';
import { loadScenario } from '../dist/hub/scenarios/index.js';
import { HomeAgents } from '../dist/hub/table/home-agents.js';
import { LiveFeeder } from '../dist/hub/table/live-feeder.js';
import { LiveMarket } from '../dist/hub/table/live-market.js';
import { sunShare } from '../dist/hub/table/live-weather.js';
import { checkMapAgainstFeeder, loadTableMap } from '../dist/hub/table/map-config.js';
import { ShadowRun } from '../dist/hub/table/shadow-runs.js';
import { TableState } from '../dist/hub/table/table-state.js';

const MAP_FILE = 'scenarios/table-map-ieee.yaml';
/** The batch street whose draw of assets and residents the map's homes share. */
const SCENARIO_FILE = 'scenarios/ieee-eu-lv-30.yaml';
/** A panel's output at full sun, kW (the demo boards' mini panels see 60 % light at noon). */
const PV_NOON_KW = 4 * 0.6;
/** A street limit that binds (the street peaks at 160–190 kW without one, EVs charging in the evening or the cheap night), kW. */
const TIGHT_LIMIT_KW = 120;

const { values } = parseArgs({
  options: {
    hours: { type: 'string', default: '24' },
    'warmup-hours': { type: 'string', default: '3' },
    policy: { type: 'string', multiple: true },
    'no-shadows': { type: 'boolean', default: false },
    'limit-kw': { type: 'string', multiple: true },
  },
});
const map = loadTableMap(MAP_FILE);
const network = loadFeeder(map.feederDir);
checkMapAgainstFeeder(map, network);
const highs = await getHighs();
const stepMs = map.clock.stepMs;
const stepsPerHour = 60 / map.clock.stepMinutes;
const warmupSteps = Math.round(Number(values['warmup-hours']) * stepsPerHour);
const measuredSteps = Math.round(Number(values.hours) * stepsPerHour);
const policies = values.policy ?? POLICY_NAMES;
const residents = residentPreferences();

/** Wall ms of each shadow run in the current step, by policy (ShadowRun.step timed from outside). */
const shadowMs = new Map();
const shadowStep = ShadowRun.prototype.step;
ShadowRun.prototype.step = async function timedStep(inputs, clock) {
  const start = performance.now();
  const flow = await shadowStep.call(this, inputs, clock);
  shadowMs.set(this.book.figures.policy, performance.now() - start);
  return flow;
};

/** Steps one table under `policy` (with `shadows` beside it) and times each live step after the warm-up. */
async function run(policy, shadows, limitKw) {
  const table = new TableState(map);
  for (const asset of table.assets) table.setOnline(asset.asset, true);
  const agents = new HomeAgents(map, table, network, highs, {
    policy,
    shadows,
    ...(limitKw === undefined ? {} : { limitKw }),
  });
  for (const [home, preferences] of residents) agents.setPreferences(home, preferences);
  const feeder = new LiveFeeder(network, table, map.sharedBattery);
  const market = new LiveMarket();
  const clock = new SimClock({
    start: new Date(map.clock.start),
    stepMinutes: map.clock.stepMinutes,
    mode: 'realtime',
    stepMs,
  });
  const steps = { totalMs: [], cpuMs: [], flowMs: [], replan: [], plans: 0, peakKw: 0, worst: undefined };
  for (let index = 0; index < warmupSteps + measuredSteps; index++) {
    const now = clock.advance();
    const light = sunShare(now.minuteOfDay);
    for (const asset of table.assets)
      if (asset.kind === 'pv') table.setPower(asset.asset, -PV_NOON_KW * light);
    shadowMs.clear();
    const cpu = process.cpuUsage();
    const start = performance.now();
    const acted = await agents.step(now, market);
    const planned = performance.now();
    const flow = feeder.solveStep(now);
    const end = performance.now();
    const cpuUsed = process.cpuUsage(cpu);
    if (index < warmupSteps) continue;
    steps.peakKw = Math.max(steps.peakKw, flow.summary.substationPKw);
    if (end - start > max(steps.totalMs)) {
      const shadowsMs = [...shadowMs.values()].reduce((sum, value) => sum + value, 0);
      steps.worst = { time: now.simTime, running: planned - start - shadowsMs, shadows: new Map(shadowMs) };
    }
    steps.totalMs.push(end - start);
    steps.cpuMs.push((cpuUsed.user + cpuUsed.system) / 1000);
    steps.flowMs.push(end - planned);
    // What the hub then sends each step (not in the step's time above): the feeder's and homes' payloads.
    const json = performance.now();
    for (const body of [flow.summary, flow.buses, flow.lines, flow.homes, ...acted.decisions])
      JSON.stringify(body);
    jsonMs.push(performance.now() - json);
    steps.replan.push(acted.plansMade > 0);
    steps.plans += acted.plansMade;
  }
  agents.dispose();
  return steps;
}

/** The batch street's residents (ready-by, EV target, comfort floor, weights) as each would send them. */
function residentPreferences() {
  const { scenario } = loadScenario(SCENARIO_FILE);
  const byLoad = new Map(scenario.homes.map((home) => [home.feederLoad, home.spec.preferences]));
  const preferences = new Map();
  for (const plot of map.plots) {
    const resident = plot.baseLoad === undefined ? undefined : byLoad.get(plot.baseLoad);
    if (plot.home === undefined || resident === undefined) continue;
    preferences.set(plot.home, {
      costWeight: resident.weights.cost,
      carbonWeight: resident.weights.carbon,
      autarkyWeight: resident.weights.autarky,
      comfortMinCelsius: resident.comfortMinC,
      comfortMaxCelsius: resident.comfortMaxC,
      evReadyByMinute: resident.evReadyByMinute,
      evTargetSocPct: resident.evTargetSocPct,
    });
  }
  return preferences;
}

const max = (list) => list.reduce((best, value) => Math.max(best, value), 0);
const mean = (list) => list.reduce((sum, value) => sum + value, 0) / Math.max(1, list.length);
const percentile = (list, p) => [...list].sort((a, b) => a - b)[Math.floor((list.length - 1) * p)] ?? 0;
const ms = (value) => value.toFixed(1);
const flows = [];
/** Mean step of the hub's default (the running policy with its shadow runs), per section. */
const hubMeanMs = [];
const jsonMs = [];

function header(title) {
  console.log(`\n${title}`);
  console.log(
    `  ${'policy'.padEnd(21)}${'mean'.padStart(7)}${'p95'.padStart(7)}${'max'.padStart(7)}${'cpu max'.padStart(8)}${'flow'.padStart(6)}` +
      `${'re-plan steps'.padStart(14)}${'their max'.padStart(10)}${'step'.padStart(6)}${'max/step'.padStart(9)}` +
      `  keeps up          peak kW`,
  );
}

/** One row: wall ms per live step (agents + power flow), mean flow ms, re-plan share and max, vs the step. */
function row(label, steps) {
  const total = steps.totalMs;
  const replans = total.filter((_, index) => steps.replan[index]);
  const worst = max(total);
  flows.push(...steps.flowMs);
  // A step over the length whose CPU time fits was slowed by other processes (the machine is shared).
  const keepsUp =
    worst <= stepMs
      ? 'yes'
      : max(steps.cpuMs) <= stepMs
        ? 'no (its cpu fits)'
        : mean(total) <= stepMs
          ? 'no (mean fits)'
          : 'no';
  console.log(
    `  ${label.padEnd(21)}${ms(mean(total)).padStart(7)}${ms(percentile(total, 0.95)).padStart(7)}` +
      `${ms(worst).padStart(7)}${ms(max(steps.cpuMs)).padStart(8)}${ms(mean(steps.flowMs)).padStart(6)}` +
      `${`${((100 * replans.length) / total.length).toFixed(0)} %`.padStart(14)}${ms(max(replans)).padStart(10)}` +
      `${String(stepMs).padStart(6)}${`${(worst / stepMs).toFixed(2)}x`.padStart(9)}  ${keepsUp.padEnd(17)}` +
      `${steps.peakKw.toFixed(0).padStart(8)}`,
  );
}

/** Every policy alone, then the running policy with the shadow runs the hub keeps, at one street limit. */
async function section(title, limitKw) {
  header(title);
  for (const policy of policies) row(policy, await run(policy, [], limitKw));
  if (values['no-shadows']) return;
  const running = map.live.policy;
  const shadows = map.live.shadows ?? DEFAULT_LIVE_SHADOWS;
  const steps = await run(running, shadows, limitKw);
  row(`${running} + ${shadows.length} shadows`, steps);
  hubMeanMs.push(mean(steps.totalMs));
  const { worst } = steps;
  if (!worst) return;
  const parts = [...worst.shadows].map(([policy, value]) => `${policy} ${ms(value)}`);
  console.log(
    `    its worst step (${worst.time.slice(11, 16)}), ms: running ${running} ${ms(worst.running)} + shadows: ` +
      `${parts.join(', ')} (each with its power flow)`,
  );
}

const homes = map.plots.filter((plot) => plot.home !== undefined).length;
const transformerKva = network.transformers.reduce((sum, t) => sum + t.ratedKva, 0);
console.log(
  `live street: ${MAP_FILE}, ${homes} homes, ${map.assets.length} assets; a step of ${map.clock.stepMinutes} ` +
    `simulated min every ${stepMs} ms; ${warmupSteps} steps warm-up, then ${measuredSteps} measured (${values.hours} h)`,
);
console.log(
  `wall ms per live step (the agents of every street, then the running street's power flow); a re-plan step is ` +
    `one where homes plan (each half-hour; selfish only when something changed)`,
);
const limits =
  values['limit-kw'] === undefined ? [undefined, TIGHT_LIMIT_KW] : values['limit-kw'].map(Number);
for (const limitKw of limits) {
  await section(
    limitKw === undefined
      ? `street limit ${transformerKva} kVA (the transformer, the map's default): it never binds on this street`
      : `street limit ${limitKw} kW (live.limitKw): it binds, so cooperative and central coordinate (their worst case)`,
    limitKw,
  );
}
if (!values['no-shadows']) {
  const shadows = map.live.shadows ?? DEFAULT_LIVE_SHADOWS;
  console.log(
    `\n  ${map.live.policy} + ${shadows.length} shadows: ${map.live.policy} running with the hub's shadow runs of ` +
      `${shadows.join(', ')} (each with its own power flow, inside "agents"); peak is the running street's`,
  );
  // hub/live/hub-runtime.ts schedule(): the next step's timer starts when a step has finished.
  console.log(
    `  the hub waits stepMs after each step has finished, so at these mean steps (${hubMeanMs.map(ms).join(', ')} ms) ` +
      `its clock runs at least ${hubMeanMs.map((value) => `${((100 * value) / stepMs).toFixed(1)} %`).join(', ')} slow`,
  );
}
console.log(
  `power flow alone (${network.buses.length} buses, ${network.loads.length} home loads + ${map.plots.length} plots): ` +
    `mean ${mean(flows).toFixed(2)} ms, max ${max(flows).toFixed(2)} ms a step; the step is ${stepMs} ms`,
);
console.log(
  `the step's payloads as JSON (feeder summary, buses, lines, ${homes} homes and their decisions; the hub sends ` +
    `them after the step): mean ${mean(jsonMs).toFixed(2)} ms, max ${max(jsonMs).toFixed(2)} ms`,
);
