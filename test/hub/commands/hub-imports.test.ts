/**
 * What `gridflex hub` imports, for its memory (docs/architecture.md, "Latency and memory"): on its embedded broker
 * it does without the Redis cluster's parts and the MQTT client, which it imports only with --cluster or --broker,
 * and its plan thread (a worker) does without zod. The hub runs with a preloaded probe.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, startHub } from '../live/hub-process.js';
import { tempDir } from '../mqtt-helpers.js';

const data = tempDir('gridflex-hub-imports-');
afterAll(() => data.remove());

/** The packages under node_modules that the hub had loaded as CommonJS (ioredis and mqtt are) when it exited. */
async function commonJsPackagesLoadedByHub(): Promise<Set<string>> {
  const probe = join(data.dir, 'loaded-modules.mjs');
  const list = join(data.dir, 'loaded-modules.txt');
  writeFileSync(
    probe,
    `import { createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';
const require = createRequire(import.meta.url);
process.on('exit', () => writeFileSync(${JSON.stringify(list)}, Object.keys(require.cache).join('\\n')));
`,
  );
  const hub = await startHub(
    ['--data-dir', join(data.dir, 'hub')],
    [process.execPath, '--import', probe, CLI],
  );
  expect(await hub.stop()).toBe(0);
  const packages = readFileSync(list, 'utf8')
    .split('\n')
    .map((file) => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(file)?.[1]);
  return new Set(packages.filter((name) => name !== undefined));
}

/**
 * Every ES module URL the hub's threads loaded, one line per load (a module both threads load is listed twice),
 * through a module hook that sees the loads of the hub's thread and of its plan thread. Returns once `ready` holds
 * for the lines.
 */
async function esModuleLoadsOfHub(ready: (lines: string[]) => boolean): Promise<string[]> {
  const list = join(data.dir, 'loads.txt');
  const hooks = join(data.dir, 'load-hooks.mjs');
  const register = join(data.dir, 'register-hooks.mjs');
  writeFileSync(
    hooks,
    `import { appendFileSync } from 'node:fs';
export async function load(url, context, next) {
  appendFileSync(${JSON.stringify(list)}, url + '\\n');
  return next(url, context);
}
`,
  );
  writeFileSync(
    register,
    `import { register } from 'node:module';
register(${JSON.stringify(pathToFileURL(hooks).href)});
`,
  );
  const hub = await startHub(
    ['--data-dir', join(data.dir, 'hub-threads')],
    [process.execPath, '--import', register, CLI],
  );
  try {
    const lines = () => (existsSync(list) ? readFileSync(list, 'utf8').split('\n') : []);
    // The plan thread loads its modules as the hub starts; the test's timeout bounds the wait.
    while (!ready(lines())) await sleep(100);
    return lines();
  } finally {
    await hub.stop();
  }
}

describe('gridflex hub on its embedded broker', () => {
  it('loads neither the Redis cluster parts nor the MQTT client', async () => {
    const loaded = await commonJsPackagesLoadedByHub();
    // The probe sees the CommonJS packages the hub does use.
    expect(loaded).toContain('aedes-persistence');
    expect(loaded).toContain('ws');
    for (const unused of ['ioredis', 'mqemitter-redis', 'aedes-persistence-redis', 'mqtt'])
      expect(loaded).not.toContain(unused);
  });

  it('loads zod in its own thread only: the plan thread does without it', async () => {
    const loadsOf = (lines: string[], file: string) => lines.filter((url) => url.endsWith(file)).length;
    // The plan thread loads the policies' registry too: once both threads have, the plan thread's imports are in.
    const lines = await esModuleLoadsOfHub((loaded) => loadsOf(loaded, '/dist/hub/agents/registry.js') === 2);
    expect(loadsOf(lines, '/node_modules/zod/v4/core/schemas.js')).toBe(1);
  });
});
