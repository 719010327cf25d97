import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { addUser, type HubProcess, startHub } from '../live/hub-process.js';
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
            state = (await (await fetch(`${hub.httpUrl}/api/jobs/${job.id}`)).json()) as typeof state;
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
