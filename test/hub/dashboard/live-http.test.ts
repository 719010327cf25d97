import { mkdirSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CredentialStore } from '../../../hub/auth/credentials.js';
import { startDashboardServer } from '../../../hub/dashboard/http-server.js';
import { SessionStore } from '../../../hub/dashboard/sessions.js';
import { loadFeeder } from '../../../hub/feeder/index.js';
import type { HubSnapshot } from '../../../hub/live/hub-runtime.js';
import { loadTableMap } from '../../../hub/table/map-config.js';
import { tempDir } from '../mqtt-helpers.js';

const data = tempDir('gridflex-http-');
const pages = join(data.dir, 'pages');
let server: Server;
let base: string;
let regulatorPassword: string;
let boardPassword: string;
let operatorPassword: string;
const logLines: string[] = [];

beforeAll(async () => {
  mkdirSync(join(pages, 'assets'), { recursive: true });
  writeFileSync(join(pages, 'index.html'), '<!doctype html><title>live</title>');
  writeFileSync(join(pages, 'assets', 'main-abc123.js'), 'console.log(1)');
  writeFileSync(join(data.dir, 'secret.txt'), 'not for the web');
  const credentials = CredentialStore.open(data.dir);
  regulatorPassword = await credentials.add('reg', { role: 'regulator' });
  boardPassword = await credentials.add('pv-1', { role: 'device', deviceId: 'pv-1' });
  operatorPassword = await credentials.add('facilitator', { role: 'operator' });
  const map = loadTableMap('scenarios/table-map.yaml');
  const started = await startDashboardServer({
    port: 0,
    host: '127.0.0.1',
    staticDir: pages,
    context: {
      snapshot: () => ({ clock: { step: 7 } }) as unknown as HubSnapshot,
      endpoints: { mqttUrl: 'mqtt://127.0.0.1:1883', wsUrl: 'ws://127.0.0.1:8883' },
      network: loadFeeder(map.feederDir),
      map,
      dataDir: data.dir,
      credentials,
      sessions: new SessionStore(),
      log: (level, message) => logLines.push(`${level} ${message}`),
    },
  });
  server = started.server;
  base = `http://127.0.0.1:${started.port}`;
});

afterAll(async () => {
  await new Promise((done) => server?.close(done));
  data.remove();
});

const login = (body: unknown) =>
  fetch(`${base}/api/login`, { method: 'POST', body: JSON.stringify(body) }).then(async (response) => ({
    status: response.status,
    body: (await response.json()) as Record<string, unknown>,
  }));

describe('dashboard HTTP server', () => {
  it('serves the built pages at / with hashed assets cacheable and pages not', async () => {
    const page = await fetch(`${base}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('cache-control')).toBe('no-cache');
    expect(await page.text()).toContain('<title>live</title>');
    const asset = await fetch(`${base}/assets/main-abc123.js`);
    expect(asset.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(asset.headers.get('cache-control')).toContain('immutable');
  });

  it('refuses paths outside the pages folder, unknown files and wrong methods with JSON errors', async () => {
    for (const path of ['/..%2fsecret.txt', '/%2e%2e/secret.txt', '/assets/../../secret.txt', '/nope.html']) {
      const response = await fetch(`${base}${path}`);
      expect(response.status, path).toBe(404);
      expect(await response.text()).not.toContain('not for the web');
    }
    const post = await fetch(`${base}/api/state`, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(await post.json()).toEqual({ error: 'POST is not allowed on /api/state' });
  });

  it('serves the live state with the endpoints, and the street layout from the feeder coordinates', async () => {
    expect(await (await fetch(`${base}/api/state`)).json()).toEqual({
      clock: { step: 7 },
      endpoints: { mqttUrl: 'mqtt://127.0.0.1:1883', wsUrl: 'ws://127.0.0.1:8883' },
    });
    const layout = (await (await fetch(`${base}/api/feeder`)).json()) as {
      feeder: string;
      buses: { bus: string; x: number; y: number }[];
      lines: { line: string; fromBus: string; toBus: string; lengthM: number; ampacityAmps: number | null }[];
      transformer: { lvBus: string; ratedKva: number };
      plots: { plot: string; bus: string }[];
    };
    expect(layout.feeder).toBe('table-street');
    expect(layout.buses).toHaveLength(13);
    expect(layout.buses.find((bus) => bus.bus === '13')).toEqual({ bus: '13', x: 50, y: 12 });
    expect(layout.lines).toHaveLength(12);
    expect(layout.lines[0]).toEqual({
      line: 'LINE1',
      fromBus: '1',
      toBus: '2',
      lengthM: 20,
      ampacityAmps: 185,
    });
    expect(layout.transformer).toMatchObject({ lvBus: '1', ratedKva: 50 });
    expect(layout.plots.find((plot) => plot.plot === 'plot-3')).toEqual({
      plot: 'plot-3',
      bus: '13',
      phase: 'C',
      home: 'home-3',
    });
  });

  it('tells the page a hub user’s role on login, and refuses wrong passwords, boards and malformed bodies', async () => {
    const answer = await login({ username: 'reg', password: regulatorPassword });
    expect(answer).toMatchObject({ status: 200, body: { username: 'reg', role: 'regulator' } });
    expect(answer.body.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Date.parse(String(answer.body.expiresAt)) - Date.now()).toBeGreaterThan(11.9 * 3600_000);
    expect(await login({ username: 'reg', password: 'guess' })).toEqual({
      status: 401,
      body: { error: 'unknown user or wrong password' },
    });
    expect((await login({ username: 'nobody', password: 'guess' })).status).toBe(401);
    // A board's credentials are for MQTT only: no dashboard session.
    expect((await login({ username: 'pv-1', password: boardPassword })).status).toBe(401);
    expect((await login({ username: 'reg' })).body).toEqual({
      error: 'expected {"username": "...", "password": "..."}',
    });
    const notJson = await fetch(`${base}/api/login`, { method: 'POST', body: '{"username":' });
    expect(notJson.status).toBe(400);
    expect(((await notJson.json()) as { error: string }).error).toMatch(/^request body is not JSON: /);
    const huge = await fetch(`${base}/api/login`, { method: 'POST', body: 'x'.repeat(10_000) });
    expect(huge.status).toBe(413);
  });

  it('keeps a session until logout, and refuses deleting or starting runs without an operator’s', async () => {
    const token = String((await login({ username: 'facilitator', password: operatorPassword })).body.token);
    const regulatorToken = String((await login({ username: 'reg', password: regulatorPassword })).body.token);
    const bearer = (value: string) => ({ authorization: `Bearer ${value}` });
    const session = await fetch(`${base}/api/session`, { headers: bearer(token) });
    expect(await session.json()).toMatchObject({ username: 'facilitator', role: 'operator' });

    const refusals: [string, RequestInit, number, string][] = [
      ['/api/runs/1', { method: 'DELETE' }, 401, 'log in as the operator to delete runs'],
      ['/api/runs', { method: 'POST', body: '{}' }, 401, 'log in as the operator to start runs'],
      [
        '/api/scenarios/check',
        { method: 'POST', body: '{}' },
        401,
        'log in as the operator to check scenarios',
      ],
      [
        '/api/runs/1',
        { method: 'DELETE', headers: bearer('x'.repeat(43)) },
        401,
        'log in as the operator to delete runs',
      ],
      [
        '/api/runs/1',
        { method: 'DELETE', headers: bearer(regulatorToken) },
        403,
        'reg (regulator) may not delete runs: log in as the operator',
      ],
    ];
    for (const [path, init, status, error] of refusals) {
      const response = await fetch(`${base}${path}`, init);
      expect(response.status, path).toBe(status);
      expect(await response.json()).toEqual({ error });
    }
    expect(logLines).toContain('warn DELETE /api/runs/1: refused (401): no session token');
    expect(logLines).toContain('warn DELETE /api/runs/1: refused (403): reg (regulator)');
    // The operator gets past the session check (to the run history, which has no run 1 here).
    const allowed = await fetch(`${base}/api/runs/1`, { method: 'DELETE', headers: bearer(token) });
    expect(allowed.status).toBe(404);

    const logout = await fetch(`${base}/api/logout`, { method: 'POST', headers: bearer(token) });
    expect(await logout.json()).toEqual({ loggedOut: true });
    expect((await fetch(`${base}/api/session`, { headers: bearer(token) })).status).toBe(401);
    const after = await fetch(`${base}/api/runs/1`, { method: 'DELETE', headers: bearer(token) });
    expect(after.status).toBe(401);
  });
});
