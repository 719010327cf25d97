// The live dashboard's first load: bytes over the wire and first contentful paint in headless Chromium,
// compressed (what Chromium asks for: brotli or gzip) beside uncompressed (Accept-Encoding: identity) in
// the same run, from the same hub, over loopback; also the load event, which waits for the scripts (FCP does
// not). Median of ROUNDS loads each, interleaved, each in a fresh browser context (an empty cache). (A link
// throttled through CDP's Network.emulateNetworkConditions loaded no slower than loopback here, so it is not
// offered as a figure.)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { startHub } from './_mqtt-peers.js';

const ROUNDS = 7;

const dataDir = mkdtempSync(join(tmpdir(), 'gridflex-bench-wire-'));
const hub = await startHub(dataDir, ['--scenario', 'scenarios/table-map.yaml']);
// The same flags as the dashboard tests (test/hub/dashboard/browser.ts): no background traffic, runs as root.
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  headless: true,
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
  ],
});

async function loadOnce(compressed) {
  const context = await browser.newContext();
  const page = await context.newPage();
  if (!compressed) await page.setExtraHTTPHeaders({ 'accept-encoding': 'identity' });
  await page.goto(hub.httpUrl, { waitUntil: 'load' });
  await page.waitForFunction(() => performance.getEntriesByName('first-contentful-paint').length > 0);
  const figures = await page.evaluate(() => {
    const entries = [
      ...performance.getEntriesByType('navigation'),
      ...performance.getEntriesByType('resource'),
    ];
    return {
      fcpMs: performance.getEntriesByName('first-contentful-paint')[0].startTime,
      loadMs: performance.getEntriesByType('navigation')[0].loadEventEnd,
      wireBytes: entries.reduce((sum, entry) => sum + entry.transferSize, 0),
      bodyBytes: entries.reduce((sum, entry) => sum + entry.decodedBodySize, 0),
    };
  });
  await context.close();
  return figures;
}

const variants = [true, false].map((compressed) => ({ compressed, runs: [] }));
try {
  for (let round = 0; round < ROUNDS; round++) {
    for (const variant of variants) variant.runs.push(await loadOnce(variant.compressed));
  }
} finally {
  await browser.close();
  await hub.stop();
  rmSync(dataDir, { recursive: true, force: true });
}

const median = (values) => values.toSorted((a, b) => a - b)[Math.floor(values.length / 2)];
const row = (variant) => ({
  kB: median(variant.runs.map((run) => run.wireBytes)) / 1000,
  fcp: median(variant.runs.map((run) => run.fcpMs)),
  load: median(variant.runs.map((run) => run.loadMs)),
  decodedKb: median(variant.runs.map((run) => run.bodyBytes)) / 1000,
});
const [a, b] = variants.map(row);
const line = (name, figures) =>
  `  ${name.padEnd(13)} ${figures.kB.toFixed(1).padStart(7)} kB over the wire  ` +
  `FCP ${figures.fcp.toFixed(0).padStart(5)} ms  load ${figures.load.toFixed(0).padStart(5)} ms`;
console.log(`Live dashboard first load over loopback, median of ${ROUNDS} (Chromium, empty cache):`);
console.log(line('compressed', a));
console.log(line('uncompressed', b));
console.log(
  `  compressed/uncompressed: bytes ${(a.kB / b.kB).toFixed(2)}×, FCP ${(a.fcp / b.fcp).toFixed(2)}×, ` +
    `load ${(a.load / b.load).toFixed(2)}×  (page and assets decoded: ${a.decodedKb.toFixed(1)} kB)`,
);
