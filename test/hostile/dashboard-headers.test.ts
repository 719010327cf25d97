/**
 * The dashboard tells browsers what its pages may do (issue 21): a Content-Security-Policy that runs only
 * the hub's own scripts, nosniff, and no framing. The pages still work under that policy in a real
 * Chromium: a CSP violation is a console error, and the pages log none.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectPageErrors, launchChromium } from '../hub/dashboard/browser.js';
import { type HubProcess, startHub, writeTestMap } from '../hub/live/hub-process.js';

const dir = mkdtempSync(join(tmpdir(), 'gridflex-hostile-headers-'));
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

function expectSecurityHeaders(headers: Headers | Record<string, string>, what: string): void {
  const get = (name: string) => (headers instanceof Headers ? headers.get(name) : headers[name]);
  const csp = get('content-security-policy') ?? '';
  expect(csp, what).toContain("script-src 'self'");
  expect(csp, what).toContain("frame-ancestors 'none'");
  expect(csp, what).not.toContain('unsafe-inline');
  expect(get('x-content-type-options'), what).toBe('nosniff');
  expect(get('x-frame-options'), what).toBe('DENY');
}

/** Whether an inline script the page did not ship runs (a stored XSS would be one). */
function inlineScriptRuns(page: Page): Promise<boolean> {
  return page.evaluate(() => {
    const script = document.createElement('script');
    script.textContent = 'document.body.dataset.injected = "ran"';
    document.body.append(script);
    return document.body.dataset.injected === 'ran';
  });
}

describe('dashboard headers', () => {
  it('go with every answer: pages, assets, API answers and errors', async () => {
    for (const path of ['/', '/history.html', '/draw.html', '/api/state', '/api/runs', '/no-such-page']) {
      const response = await fetch(`${hub.httpUrl}${path}`);
      expectSecurityHeaders(response.headers, path);
    }
    const login = await fetch(`${hub.httpUrl}/api/login`, { method: 'POST', body: '{}' });
    expect(login.status).toBe(400);
    expectSecurityHeaders(login.headers, 'POST /api/login');
  });

  it('leave every page working in Chromium with no CSP violation, and refuse an injected inline script', async () => {
    const pages: [string, (page: Page) => Promise<unknown>][] = [
      ['/', (page) => page.locator('[data-connection="online"]').waitFor()],
      // The projector view: bars sized and flows animated by style (set through the CSSOM).
      [
        '/?show=1',
        (page) =>
          page.locator('.show-street svg.street [data-flow-line]').first().waitFor({ state: 'attached' }),
      ],
      ['/history.html', (page) => page.getByText('No runs yet').waitFor()],
      ['/draw.html', (page) => page.getByText('the street has no homes yet').waitFor()],
    ];
    for (const [path, ready] of pages) {
      const page = await browser.newPage();
      const errors = collectPageErrors(page);
      const response = await page.goto(`${hub.httpUrl}${path}`);
      expectSecurityHeaders(response?.headers() ?? {}, path);
      await ready(page);
      expect(await inlineScriptRuns(page), path).toBe(false);
      const violations = errors.filter((error) => /Content Security Policy/.test(error));
      expect(violations, path).toHaveLength(1); // the injected script, refused; the page's own parts pass
      expect(
        errors.filter((error) => !violations.includes(error)),
        path,
      ).toEqual([]);
      await page.close();
    }
  });
});
