import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { viteSingleFile } from 'vite-plugin-singlefile';

const root = dirname(fileURLToPath(import.meta.url));

/**
 * The take-away year report: report.html built as ONE self-contained file (scripts, styles inlined) that
 * `gridflex report` and the hub fill with a run's data. It opens from file:// with no network.
 */
export default defineConfig({
  root,
  base: './',
  plugins: [viteSingleFile({ removeViteModuleLoader: true })],
  build: {
    outDir: resolve(root, '../../../dist/report-template'),
    emptyOutDir: true,
    rollupOptions: { input: join(root, 'report.html') },
  },
  logLevel: 'warn',
});
