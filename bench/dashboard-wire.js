// The live dashboard's first load: bytes over the wire and first contentful paint in headless Chromium,
// compressed (what Chromium asks for: brotli or gzip) beside uncompressed (Accept-Encoding: identity) in
// the same run, from the same hub, over loopback and over a throttled link (a venue's Wi-Fi); also the load
// event, which waits for the scripts (FCP does not). Median of ROUNDS loads each, interleaved, each in a
// fresh browser context (an empty cache).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { startHub } from './_mqtt-peers.js';

const ROUNDS = 7;
/** 20 Mbit/s down, 5 up, 20 ms round trip: a shared Wi-Fi at an outreach event. */
const VENUE_WIFI = {
  offline: false,
  latency: 20,
  downloadThroughput: 20e6 / 8,
  uploadThroughput: 5e6 / 8,
};

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

async function loadOnce(compressed, link) {
  const context = await browser.newContext();
  const page = await context.newPage();
  if (!compressed) await page.setExtraHTTPHeaders({ 'accept-encoding': 'identity' });
  if (link) {
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', link);
  }
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

const variants = [];
for (const link of [null, VENUE_WIFI]) {
  for (const compressed of [true, false]) variants.push({ compressed, link, runs: [] });
}
try {
  for (let round = 0; round < ROUNDS; round++) {
    for (const variant of variants) variant.runs.push(await loadOnce(variant.compressed, variant.link));
  }
} finally {
  await browser.close();
  await hub.stop();
  rmSync(dataDir, { recursive: true, force: true });
}

const median = (values) => values.toSorted((a, b) => a - b)[Math.floor(values.length / 2)];
console.log(`Live dashboard first load, median of ${ROUNDS} (Chromium, empty cache):`);
for (const linkName of ['loopback', 'venue Wi-Fi 20 Mbit/s 20 ms']) {
  const [on, off] = variants.filter((variant) => (variant.link === null) === (linkName === 'loopback'));
  const row = (variant) => ({
    kB: median(variant.runs.map((run) => run.wireBytes)) / 1000,
    fcp: median(variant.runs.map((run) => run.fcpMs)),
    load: median(variant.runs.map((run) => run.loadMs)),
  });
  const a = row(on);
  const b = row(off);
  console.log(`  ${linkName}:`);
  console.log(
    `    compressed    ${a.kB.toFixed(1).padStart(7)} kB over the wire  FCP ${a.fcp.toFixed(0).padStart(5)} ms  load ${a.load.toFixed(0).padStart(5)} ms`,
  );
  console.log(
    `    uncompressed  ${b.kB.toFixed(1).padStart(7)} kB over the wire  FCP ${b.fcp.toFixed(0).padStart(5)} ms  load ${b.load.toFixed(0).padStart(5)} ms`,
  );
  console.log(
    `    compressed/uncompressed: bytes ${(a.kB / b.kB).toFixed(2)}×, FCP ${(a.fcp / b.fcp).toFixed(2)}×, load ${(a.load / b.load).toFixed(2)}×`,
  );
}
console.log(
  `  (page and assets as decoded: ${(median(variants[0].runs.map((run) => run.bodyBytes)) / 1000).toFixed(1)} kB)`,
);
