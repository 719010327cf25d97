import { readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = dirname(fileURLToPath(import.meta.url));
/** Every `*.html` at the top of hub/dashboard/web is a page of the dashboard the hub serves. */
const pages = Object.fromEntries(
  readdirSync(root)
    .filter((name) => name.endsWith('.html'))
    .map((name) => [name.replace(/\.html$/, ''), join(root, name)]),
);

export default defineConfig({
  root,
  base: './',
  // Works offline: everything is bundled, nothing is fetched from a CDN.
  build: {
    outDir: resolve(root, '../../../dist/dashboard'),
    emptyOutDir: true,
    rollupOptions: { input: pages },
  },
  logLevel: 'warn',
});
