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

/**
 * The big libraries in chunks of their own: no page's chunk passes Vite's 500 kB warning, and a rebuild of
 * the pages' own code leaves the vendor chunks' hashed names (and the browser's cached copies) unchanged.
 */
export const VENDOR_CHUNKS: readonly { name: string; test: RegExp }[] = [
  { name: 'vendor-mqtt', test: /[\\/]node_modules[\\/]mqtt[\\/]/ },
  { name: 'vendor-zod', test: /[\\/]node_modules[\\/]zod[\\/]/ },
  { name: 'vendor-uplot', test: /[\\/]node_modules[\\/]uplot[\\/]/ },
];

export default defineConfig({
  root,
  base: './',
  // Works offline: everything is bundled, nothing is fetched from a CDN.
  build: {
    outDir: resolve(root, '../../../dist/dashboard'),
    emptyOutDir: true,
    rolldownOptions: {
      input: pages,
      output: { codeSplitting: { groups: VENDOR_CHUNKS.map((chunk) => ({ ...chunk })) } },
    },
  },
  logLevel: 'warn',
});
