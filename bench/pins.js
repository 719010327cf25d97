// What pinning costs a live power flow: wall ms per LiveFeeder.solveStep on the 55-home IEEE street
// (scenarios/table-map-ieee.yaml) with no pins, beside the same solve with every home's demand and PV output
// pinned (TableState.pinned, what hub/live/extensions/pins.ts sets each step) to the model's own figures, so
// both solve the same flow and the difference is the pinning alone; measured in the same run, alternating, over
// the same simulated minutes. Prints each, their ratio, the solver iterations of each (each solve warm-starts
// from the one before, so the one that goes first in a step takes more; they alternate by step) and the largest
// gap between the two flows' substation power (none when the pinning puts the model's figures in).
//
//   node bench/pins.js [--steps 480]
import { parseArgs } from 'node:util';
import { SimClock } from '../dist/hub/clock.js';
import { loadFeeder } from '../dist/hub/feeder/index.js';
import { LiveFeeder } from '../dist/hub/table/live-feeder.js';
import { loadTableMap } from '../dist/hub/table/map-config.js';
import { TableState } from '../dist/hub/table/table-state.js';

const { values } = parseArgs({ options: { steps: { type: 'string', default: '480' } } });
const steps = Number(values.steps);
const map = loadTableMap('scenarios/table-map-ieee.yaml');
const table = new TableState(map);
const feeder = new LiveFeeder(loadFeeder(map.feederDir), table);
const clock = new SimClock({ start: new Date('2026-01-15T00:00:00Z'), stepMinutes: 3, mode: 'accelerated' });
const homePlots = map.plots.filter((plot) => plot.home !== undefined).map((plot) => plot.plot);
/** Every home pinned to the model's own demand and PV output at this minute. */
const pinnedToModel = (snapshot) =>
  new Map(
    homePlots.map((plot) => [
      plot,
      { baseLoadPKw: feeder.modelBaseLoadPKw(plot, snapshot), pvPKw: feeder.modelPvPKw(plot) },
    ]),
  );
const none = new Map();

const iterations = { none: 0, pinned: 0 };
const substationKw = { none: 0, pinned: 0 };
let maxGapKw = 0;
const msOf = (pins, snapshot, key) => {
  table.pinned = pins;
  const start = process.hrtime.bigint();
  const step = feeder.solveStep(snapshot);
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (key) {
    iterations[key] += step.summary.iterations;
    substationKw[key] = step.summary.substationPKw;
  }
  return ms;
};
// Warm-up: the JIT and the solver's first factorisation.
for (let i = 0; i < 20; i++) {
  const snapshot = clock.advance();
  msOf(i % 2 ? pinnedToModel(snapshot) : none, snapshot);
}
const totals = { none: 0, pinned: 0 };
for (let i = 0; i < steps; i++) {
  const snapshot = clock.advance();
  const pins = pinnedToModel(snapshot);
  // Each solve starts from the one before (the solver's warm start): alternate which goes first.
  if (i % 2) {
    totals.none += msOf(none, snapshot, 'none');
    totals.pinned += msOf(pins, snapshot, 'pinned');
  } else {
    totals.pinned += msOf(pins, snapshot, 'pinned');
    totals.none += msOf(none, snapshot, 'none');
  }
  maxGapKw = Math.max(maxGapKw, Math.abs(substationKw.pinned - substationKw.none));
}
const perStep = (ms) => (ms / steps).toFixed(3);
console.log(`IEEE street, ${homePlots.length} homes, ${steps} steps`);
console.log(`solve, no pins:                   ${perStep(totals.none)} ms (${iterations.none} iterations)`);
console.log(
  `solve, every home's demand + PV:  ${perStep(totals.pinned)} ms (${iterations.pinned} iterations)`,
);
console.log(`ratio pinned / none:              ${(totals.pinned / totals.none).toFixed(3)}`);
console.log(`largest substation gap between the two flows: ${maxGapKw.toExponential(1)} kW`);
