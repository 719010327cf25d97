// How long `gridflex --help` and a snapshot power flow take from process start to exit, now that only the
// subcommand that runs is imported; beside `node -e ''` (the floor) and the old eager start (every
// subcommand's module imported first, bench/_cli-eager.js) in the same run. Median of ROUNDS runs each,
// interleaved so a busy machine slows every variant alike.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROUNDS = 9;
const out = mkdtempSync(join(tmpdir(), 'gridflex-bench-cli-'));
const powerflow = [
  'powerflow',
  '--feeder',
  'feeders/ieee-eu-lv/csv',
  '--minute',
  '566',
  '--out',
  join(out, 'pf.csv'),
];
const eager = ['--import', './bench/_cli-eager.js', 'dist/hub/cli.js'];
const variants = {
  "node -e ''": ['-e', ''],
  'gridflex --help': ['dist/hub/cli.js', '--help'],
  'eager --help': [...eager, '--help'],
  'gridflex powerflow': ['dist/hub/cli.js', ...powerflow],
  'eager powerflow': [...eager, ...powerflow],
};

/** Wall time, and the CPU time (user + system, from GNU time) that a machine busy with others inflates less. */
function run(args) {
  const start = performance.now();
  const child = spawnSync('/usr/bin/time', ['-f', '%U %S', process.execPath, ...args], { encoding: 'utf8' });
  const wallMs = performance.now() - start;
  if (child.status !== 0) throw new Error(`node ${args.join(' ')} exited ${child.status}: ${child.stderr}`);
  const [user, system] = child.stderr.trim().split('\n').at(-1).split(' ').map(Number);
  return { wallMs, cpuMs: (user + system) * 1000 };
}

const samples = Object.fromEntries(Object.keys(variants).map((name) => [name, []]));
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, args] of Object.entries(variants)) samples[name].push(run(args));
}
rmSync(out, { recursive: true, force: true });

const median = (values) => values.toSorted((a, b) => a - b)[Math.floor(values.length / 2)];
const figures = Object.fromEntries(
  Object.entries(samples).map(([name, runs]) => [
    name,
    { wall: median(runs.map((r) => r.wallMs)), cpu: median(runs.map((r) => r.cpuMs)) },
  ]),
);
const floor = figures["node -e ''"];
console.log(`CLI start to exit, median of ${ROUNDS} runs; × node -e '' in the same run:`);
for (const [name, { wall, cpu }] of Object.entries(figures)) {
  console.log(
    `  ${name.padEnd(20)} wall ${wall.toFixed(0).padStart(5)} ms ${(wall / floor.wall).toFixed(2).padStart(5)}×` +
      `   cpu ${cpu.toFixed(0).padStart(5)} ms ${(cpu / floor.cpu).toFixed(2).padStart(5)}×`,
  );
}
const faster = (eager, lazy) => (figures[eager].wall / figures[lazy].wall).toFixed(2);
console.log(
  `lazy vs eager (wall): --help ${faster('eager --help', 'gridflex --help')}× faster, ` +
    `powerflow ${faster('eager powerflow', 'gridflex powerflow')}× faster`,
);
