// Power-flow speed on the IEEE European LV Test Feeder (906 buses, 55 loads).
// Warm: each solve starts from the previous solution (as a time-stepping run does); the loads are
// perturbed by ±1 % every solve so it really iterates. Cold: each solve starts from the no-load voltages,
// the peer this benchmark compares warm starts against. Day: all 1440 minutes end to end (profiles → results).
import { loadFeeder, PowerFlowSolver, profilePowerKw } from '../dist/hub/feeder/index.js';

const network = loadFeeder('feeders/ieee-eu-lv/csv');
const solver = new PowerFlowSolver(network);
const base = network.loads.map((load) => profilePowerKw(network, load, 566));

function setMinute566(scale) {
  base.forEach((power, index) => {
    solver.loadPKw[index] = power.pKw * scale;
    solver.loadQKvar[index] = power.qKvar * scale;
  });
}

function timePerSolveMs(count, prepare) {
  for (let i = 0; i < 200; i++) {
    prepare(i);
    solver.solve();
  }
  let iterations = 0;
  const start = performance.now();
  for (let i = 0; i < count; i++) {
    prepare(i);
    iterations += solver.solve().iterations;
  }
  return { ms: (performance.now() - start) / count, iterations: iterations / count };
}

const warm = timePerSolveMs(5000, (i) => setMinute566(i % 2 === 0 ? 1.01 : 0.99));
const cold = timePerSolveMs(2000, (i) => {
  solver.resetToNoLoad();
  setMinute566(i % 2 === 0 ? 1.01 : 0.99);
});

solver.resetToNoLoad();
const dayStart = performance.now();
let dayPeakKw = 0;
for (let minute = 1; minute <= 1440; minute++) {
  network.loads.forEach((load, index) => {
    const power = profilePowerKw(network, load, minute);
    solver.loadPKw[index] = power.pKw;
    solver.loadQKvar[index] = power.qKvar;
  });
  dayPeakKw = Math.max(dayPeakKw, solver.solve(`minute ${minute}`).substationPTotalKw);
}
const dayMs = performance.now() - dayStart;

console.log('power flow, IEEE EU LV feeder, minute 566 (906 buses)');
console.log(
  `  warm solve : ${warm.ms.toFixed(4)} ms (${(1000 / warm.ms).toFixed(0)} solves/s, ${warm.iterations.toFixed(1)} sweeps)  target <= 0.3 ms`,
);
console.log(
  `  cold solve : ${cold.ms.toFixed(4)} ms (${(1000 / cold.ms).toFixed(0)} solves/s, ${cold.iterations.toFixed(1)} sweeps)`,
);
console.log(`  warm/cold  : ${(warm.ms / cold.ms).toFixed(2)}x the time of a cold start`);
console.log(`  1440-minute day: ${dayMs.toFixed(1)} ms (peak ${dayPeakKw.toFixed(2)} kW)  target < 1000 ms`);
