import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { addUser, CLI, type HubProcess, startHub } from '../live/hub-process.js';
import { tempDir } from '../mqtt-helpers.js';

/** Every shipped scenario (the table maps, which place boards on plots, are not run scenarios). */
const SHIPPED = readdirSync('scenarios')
  .filter((name) => name.endsWith('.yaml'))
  .filter((name) => !('plots' in (parse(readFileSync(join('scenarios', name), 'utf8')) as object)))
  .sort();

const data = tempDir('gridflex-shipped-upload-');
let hub: HubProcess;
let token: string;

beforeAll(async () => {
  const password = addUser(data.dir, 'facilitator', 'operator');
  hub = await startHub(['--data-dir', data.dir]);
  const login = await fetch(`${hub.httpUrl}/api/login`, {
    method: 'POST',
    body: JSON.stringify({ username: 'facilitator', password }),
  });
  token = ((await login.json()) as { token: string }).token;
});

afterAll(async () => {
  await hub?.stop();
  data.remove();
});

async function post(path: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${hub.httpUrl}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('a misspelt policy is refused the same way by the dashboard check and by gridflex run', () => {
  const yaml = readFileSync('scenarios/table.yaml', 'utf8').replace(
    /^ {2}policy: selfish$/m,
    '  policy: selfsh',
  );
  const expected =
    'defaults.policy: expected one of passive, selfish, nash, cooperative, central, external, found "selfsh"';

  it('the upload check answers 400 naming the file and defaults.policy with every policy', async () => {
    expect(yaml).toContain('policy: selfsh');
    const checked = await post('/api/scenarios/check', { fileName: 'my-street.yaml', yaml, days: 1 });
    expect(checked.status).toBe(400);
    expect(checked.body.error).toBe(`my-street.yaml: ${expected}`);
  });

  it('gridflex run exits 2 with the same words, naming the file', () => {
    const file = join(data.dir, 'my-street.yaml');
    writeFileSync(file, yaml);
    const run = spawnSync(
      process.execPath,
      [CLI, 'run', '--scenario', file, '--days', '1', '--out', join(data.dir, 'out'), '--data-dir', data.dir],
      { encoding: 'utf8' },
    );
    expect(run.status).toBe(2);
    expect(run.stderr.trim()).toBe(`error: ${file}: ${expected}`);
  });
});

describe('every shipped scenario uploads through the dashboard and runs as is', () => {
  it('finds the shipped scenarios', () => {
    expect(SHIPPED).toContain('table-community-battery.yaml');
    expect(SHIPPED).toContain('ieee-eu-lv.yaml');
    expect(SHIPPED).not.toContain('table-map.yaml');
  });

  for (const name of SHIPPED) {
    it(`${name}: checked, run for a day, listed`, async () => {
      const upload = { fileName: name, yaml: readFileSync(join('scenarios', name), 'utf8'), days: 1 };
      const checked = await post('/api/scenarios/check', upload);
      expect(checked.body.error).toBeUndefined();
      expect(checked.status).toBe(200);
      const started = await post('/api/runs', upload);
      expect(started.status).toBe(202);
      const job = started.body.job as { id: string };
      let state: { state: string; runId?: number | null; error?: string | null } = { state: 'running' };
      await expect
        .poll(
          async () => {
            const answer = await fetch(`${hub.httpUrl}/api/jobs/${job.id}`, {
              headers: { authorization: `Bearer ${token}` },
            });
            state = (await answer.json()) as typeof state;
            return state.state;
          },
          { timeout: 120_000, interval: 200 },
        )
        .not.toBe('running');
      expect(state.error ?? null).toBeNull();
      expect(state.state).toBe('done');
      const run = (await (await fetch(`${hub.httpUrl}/api/runs/${state.runId}`)).json()) as Record<
        string,
        unknown
      >;
      expect(JSON.stringify(run)).toContain(name);
    }, 150_000);
  }
});
