import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, createLogger } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const outDir = mkdtempSync(join(tmpdir(), 'gridflex-bundle-'));
const warnings: string[] = [];

beforeAll(async () => {
  // The served pages' own build, into a temporary folder, with every warning Vite prints collected.
  const logger = createLogger('warn');
  logger.warn = (message) => warnings.push(message);
  logger.warnOnce = (message) => warnings.push(message);
  await build({
    configFile: 'hub/dashboard/web/vite.config.ts',
    build: { outDir, emptyOutDir: true },
    customLogger: logger,
    logLevel: 'warn',
  });
});

afterAll(() => rmSync(outDir, { recursive: true, force: true }));

const assets = () => readdirSync(join(outDir, 'assets'));

describe('dashboard bundle', () => {
  it('builds with no warning and no chunk over Vite’s 500 kB limit', () => {
    expect(warnings).toEqual([]);
    const scripts = assets().filter((name) => name.endsWith('.js'));
    expect(scripts.length).toBeGreaterThan(0);
    for (const name of scripts) {
      expect(statSync(join(outDir, 'assets', name)).size, name).toBeLessThanOrEqual(500 * 1000);
    }
  });

  it('puts mqtt, zod and uPlot in vendor chunks the live page loads from its own server', () => {
    const vendor = (prefix: string) =>
      assets().find((name) => name.startsWith(prefix) && name.endsWith('.js'));
    const mqtt = vendor('vendor-mqtt-');
    const zod = vendor('vendor-zod-');
    const uplot = vendor('vendor-uplot-');
    expect([mqtt, zod, uplot].every(Boolean), assets().join(', ')).toBe(true);
    const live = readFileSync(join(outDir, 'index.html'), 'utf8');
    for (const chunk of [mqtt, zod, uplot]) expect(live).toContain(`./assets/${chunk}`);
    // Offline: no page refers to anything but its own assets.
    for (const page of ['index.html', 'history.html', 'report.html']) {
      expect(readFileSync(join(outDir, page), 'utf8')).not.toMatch(/(src|href)="(https?:)?\/\//);
    }
    // The history page needs none of the live view's libraries.
    expect(readFileSync(join(outDir, 'history.html'), 'utf8')).not.toContain('vendor-mqtt');
  });
});
