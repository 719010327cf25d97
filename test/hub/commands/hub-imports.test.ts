/**
 * A lone `gridflex hub` on its embedded broker does without the Redis cluster's parts and the MQTT client, which
 * it imports only with --cluster or --broker (memory: docs/architecture.md, "Latency and memory"). The hub runs
 * with a preloaded module that writes the CommonJS modules it loaded (ioredis and mqtt are CommonJS) as it exits.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, startHub } from '../live/hub-process.js';
import { tempDir } from '../mqtt-helpers.js';

const data = tempDir('gridflex-hub-imports-');
afterAll(() => data.remove());

/** The packages under node_modules that the hub had loaded when it exited. */
async function packagesLoadedByHub(): Promise<Set<string>> {
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

describe('gridflex hub on its embedded broker', () => {
  it('loads neither the Redis cluster parts nor the MQTT client', async () => {
    const loaded = await packagesLoadedByHub();
    // The probe sees the CommonJS packages the hub does use.
    expect(loaded).toContain('aedes-persistence');
    expect(loaded).toContain('ws');
    for (const unused of ['ioredis', 'mqemitter-redis', 'aedes-persistence-redis', 'mqtt'])
      expect(loaded).not.toContain(unused);
  });
});
