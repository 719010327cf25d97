// Runs every benchmark in bench/ (each a plain JS file over dist/) in sequence, each in its own process,
// so one benchmark's warm-up or garbage does not colour the next. `npm run bench -- name` runs only matching ones.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const filters = process.argv.slice(2);
const scripts = readdirSync(here)
  .filter((file) => /\.(js|mjs)$/.test(file) && file !== 'run.js' && !file.startsWith('_'))
  .filter((file) => filters.length === 0 || filters.some((filter) => file.includes(filter)))
  .sort();
let failed = 0;
for (const script of scripts) {
  console.log(`\n=== bench/${script}`);
  const run = spawnSync(process.execPath, [join(here, script)], { stdio: 'inherit' });
  if (run.status !== 0) {
    failed++;
    console.log(`bench/${script} exited with ${run.status ?? run.signal}`);
  }
}
process.exitCode = failed === 0 ? 0 : 1;
