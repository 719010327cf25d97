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

function runMs(args) {
  const start = performance.now();
  const run = spawnSync(process.execPath, args, { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`node ${args.join(' ')} exited ${run.status}: ${run.stderr}`);
  return performance.now() - start;
}

const samples = Object.fromEntries(Object.keys(variants).map((name) => [name, []]));
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, args] of Object.entries(variants)) samples[name].push(runMs(args));
}
rmSync(out, { recursive: true, force: true });

const median = (values) => values.toSorted((a, b) => a - b)[Math.floor(values.length / 2)];
const ms = Object.fromEntries(Object.entries(samples).map(([name, values]) => [name, median(values)]));
const floor = ms["node -e ''"];
console.log(`CLI start to exit, median of ${ROUNDS} runs (ms; × node -e '' = ${floor.toFixed(0)} ms):`);
for (const [name, value] of Object.entries(ms)) {
  console.log(`  ${name.padEnd(20)} ${value.toFixed(0).padStart(6)} ms  ${(value / floor).toFixed(2)}×`);
}
console.log(
  `lazy vs eager: --help ${(ms['eager --help'] / ms['gridflex --help']).toFixed(2)}× faster, ` +
    `powerflow ${(ms['eager powerflow'] / ms['gridflex powerflow']).toFixed(2)}× faster`,
);
