// `npm install` runs this. In a clone it compiles TypeScript to dist/. In a production install from a
// packed tarball (`npm install --omit=dev` on a Raspberry Pi), TypeScript is absent and dist/ ships
// ready-built, so there is nothing to do.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
let tsc;
try {
  tsc = require.resolve('typescript/bin/tsc');
} catch {
  if (!existsSync('dist/hub/cli.js')) {
    console.error(
      'gridflex: TypeScript is not installed and dist/ is missing; run `npm install` with dev dependencies',
    );
    process.exit(1);
  }
  process.exit(0);
}
const build = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.json'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
// The dashboard's pages (Vite, a dev dependency like TypeScript).
const web = spawnSync(process.execPath, ['scripts/build-web.js'], { stdio: 'inherit' });
process.exit(web.status ?? 1);
