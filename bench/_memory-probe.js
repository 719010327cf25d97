// Preloaded into a hub by `bench/broker-overhead.js --memory-probe` (node --import; node preloads it in every
// worker thread too): every second each thread writes its V8 heap (v8.getHeapStatistics: used and total heap,
// external and array-buffer memory; the largest heap spaces by size) to GRIDFLEX_MEMORY_PROBE_DIR/<thread>.json,
// and the main thread adds the process's RssAnon and RssFile (/proc/self/status), so a bench can say which thread
// and which kind of memory holds the hub's RSS.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { getHeapSpaceStatistics, getHeapStatistics } from 'node:v8';
import { isMainThread, threadId } from 'node:worker_threads';

const dir = process.env.GRIDFLEX_MEMORY_PROBE_DIR;
// node's hooks thread, if any, loads no preload; a thread without the dir set has nothing to write to.
if (dir) {
  const mb = (bytes) => Math.round((bytes / 2 ** 20) * 10) / 10;
  const statusMb = (field) => {
    const match = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync('/proc/self/status', 'utf8'));
    return match ? Math.round(Number(match[1]) / 102.4) / 10 : null;
  };
  let peak = {};
  setInterval(() => {
    const heap = getHeapStatistics();
    const spaces = getHeapSpaceStatistics()
      .filter((space) => space.space_size > 2 ** 20)
      .map((space) => `${space.space_name} ${mb(space.space_size)}`);
    const now = {
      usedHeapMb: mb(heap.used_heap_size),
      totalHeapMb: mb(heap.total_heap_size),
      externalMb: mb(heap.external_memory),
      mallocedMb: mb(heap.malloced_memory),
      ...(isMainThread ? { rssAnonMb: statusMb('RssAnon'), rssFileMb: statusMb('RssFile') } : {}),
    };
    peak = Object.fromEntries(
      Object.entries(now).map(([key, value]) => [key, Math.max(peak[key] ?? 0, value)]),
    );
    writeFileSync(
      join(dir, `${isMainThread ? 'main' : `worker-${threadId}`}.json`),
      JSON.stringify({ now, peak, spaces }),
    );
  }, 1000).unref();
}
