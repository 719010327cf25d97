// Builds the dashboard's web pages with Vite into dist/dashboard/: `vite.config.ts` (the served pages)
// first, then every other `vite.*.config.ts` in hub/dashboard/web (e.g. the single-file report template).
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'vite';

const webDir = 'hub/dashboard/web';
const configs = readdirSync(webDir)
  .filter((name) => /^vite(\..+)?\.config\.ts$/.test(name))
  .sort((a, b) => (a === 'vite.config.ts' ? -1 : b === 'vite.config.ts' ? 1 : a.localeCompare(b)));
for (const config of configs) {
  await build({ configFile: join(webDir, config), logLevel: 'warn' });
}
