/**
 * The dashboard's files go over the wire compressed (brotli or gzip, as the client accepts) with validators:
 * hashed assets immutable, pages revalidated by ETag or Last-Modified (304 without a body). Real HTTP
 * requests to a running hub, and a page load in Chromium.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { type IncomingHttpHeaders, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DASHBOARD_DIR } from '../../../hub/dashboard/http-server.js';
import { type HubProcess, startHub, writeTestMap } from '../live/hub-process.js';
import { collectPageErrors, launchChromium } from './browser.js';

const dir = mkdtempSync(join(tmpdir(), 'gridflex-compression-'));
let browser: Browser;
let hub: HubProcess;

beforeAll(async () => {
  const map = writeTestMap(dir);
  const hubFlags = ['--scenario', map, '--data-dir', join(dir, 'data'), '--step-ms', '100'];
  [browser, hub] = await Promise.all([launchChromium(), startHub(hubFlags)]);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await hub?.stop();
  rmSync(dir, { recursive: true, force: true });
});

interface RawAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** One request with exactly these headers, the body as it came over the wire (no decoding). */
function get(path: string, headers: Record<string, string>, method = 'GET'): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const sent = request(`${hub.httpUrl}${path}`, { method, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }),
      );
    });
    sent.on('error', reject);
    sent.end();
  });
}

function decoded(answer: RawAnswer): Buffer {
  const encoding = answer.headers['content-encoding'];
  if (encoding === 'br') return brotliDecompressSync(answer.body);
  if (encoding === 'gzip') return gunzipSync(answer.body);
  expect(encoding).toBeUndefined();
  return answer.body;
}

/** The main page's script, a hashed asset, as index.html names it. */
function mainScriptPath(): string {
  const html = readFileSync(join(DASHBOARD_DIR, 'index.html'), 'utf8');
  const src = /<script[^>]+src="([^"]+\.js)"/.exec(html)?.[1];
  if (!src) throw new Error('index.html names no script');
  return new URL(src, 'http://hub/').pathname;
}

describe('dashboard assets over the wire', () => {
  it.each([
    ['/', 'index.html'],
    ['main script', ''],
  ])('%s: brotli, gzip or plain by Accept-Encoding, the same bytes once decoded', async (_label, page) => {
    const path = page === '' ? mainScriptPath() : '/';
    const onDisk = readFileSync(join(DASHBOARD_DIR, page === '' ? path : page));
    const br = await get(path, { 'accept-encoding': 'gzip, deflate, br' });
    const gzip = await get(path, { 'accept-encoding': 'gzip' });
    const plain = await get(path, {});
    expect([br.headers['content-encoding'], gzip.headers['content-encoding']]).toEqual(['br', 'gzip']);
    for (const answer of [br, gzip, plain]) {
      expect(answer.status).toBe(200);
      expect(answer.headers.vary).toBe('Accept-Encoding');
      expect(Number(answer.headers['content-length'])).toBe(answer.body.length);
      expect(decoded(answer).equals(onDisk)).toBe(true);
    }
    expect(br.body.length).toBeLessThan(gzip.body.length);
    expect(gzip.body.length).toBeLessThan(plain.body.length);
  });

  it('honours q=0 and *', async () => {
    const path = mainScriptPath();
    const refused = await get(path, { 'accept-encoding': 'br;q=0, gzip;q=0' });
    expect(refused.headers['content-encoding']).toBeUndefined();
    const anyButBr = await get(path, { 'accept-encoding': '*, br;q=0' });
    expect(anyButBr.headers['content-encoding']).toBe('gzip');
    const any = await get(path, { 'accept-encoding': '*' });
    expect(any.headers['content-encoding']).toBe('br');
  });

  it('hashed assets are immutable; pages are revalidated: 304 without a body on ETag or Last-Modified', async () => {
    const asset = await get(mainScriptPath(), {});
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const page = await get('/', { 'accept-encoding': 'gzip' });
    expect(page.headers['cache-control']).toBe('no-cache');
    const etag = page.headers.etag as string;
    const lastModified = page.headers['last-modified'] as string;
    expect(etag).toMatch(/^"[\w-]+"$/);

    const byEtag = await get('/', { 'if-none-match': etag, 'accept-encoding': 'gzip' });
    expect([byEtag.status, byEtag.body.length, byEtag.headers.etag]).toEqual([304, 0, etag]);
    const byDate = await get('/', { 'if-modified-since': lastModified });
    expect([byDate.status, byDate.body.length]).toEqual([304, 0]);
    // If-None-Match decides over If-Modified-Since: a stale tag gets the page.
    const stale = await get('/', { 'if-none-match': '"stale"', 'if-modified-since': lastModified });
    expect(stale.status).toBe(200);
    expect(decoded(stale).equals(readFileSync(join(DASHBOARD_DIR, 'index.html')))).toBe(true);
    const before = await get('/', {
      'if-modified-since': new Date(Date.parse(lastModified) - 1000).toUTCString(),
    });
    expect(before.status).toBe(200);
  });

  it('HEAD gives the headers of GET and no body', async () => {
    const path = mainScriptPath();
    const head = await get(path, { 'accept-encoding': 'br' }, 'HEAD');
    const full = await get(path, { 'accept-encoding': 'br' });
    expect(head.body.length).toBe(0);
    expect(head.headers['content-length']).toBe(full.headers['content-length']);
    expect(head.headers['content-encoding']).toBe('br');
  });

  it('Chromium loads the live page from compressed assets and it goes online', async () => {
    const page = await browser.newPage();
    const errors = collectPageErrors(page);
    const encodings = new Map<string, string | undefined>();
    page.on('response', (response) => {
      if (response.url().endsWith('.js'))
        encodings.set(response.url(), response.headers()['content-encoding']);
    });
    await page.goto(hub.httpUrl);
    await page.locator('[data-connection="online"]').waitFor();
    expect(encodings.size).toBeGreaterThan(0);
    for (const [url, encoding] of encodings) expect(['br', 'gzip'], url).toContain(encoding);
    // Nothing failed to load or decode (the dashboard's own console output is other tests' business).
    expect(errors.filter((error) => /ERR_|Failed to load/.test(error))).toEqual([]);
    await page.close();
  });
});
