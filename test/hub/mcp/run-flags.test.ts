import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const dataDir = mkdtempSync(join(tmpdir(), 'gridflex-mcp-flags-'));
const out = join(dataDir, 'out');
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** `gridflex mcp --scenario …` with stdin closed: a refused flag must exit before any MCP traffic. */
const mcpRun = (...args: string[]) =>
  spawnSync('node', ['dist/hub/cli.js', 'mcp', '--data-dir', dataDir, ...args], {
    encoding: 'utf8',
    input: '',
  });

const table = ['--scenario', 'scenarios/table.yaml'];

describe('gridflex mcp --scenario refuses bad flags with exit 2, naming the flag', () => {
  it.each([
    [[...table, '--out', out], 'error: --home: give the home the agent acts for, e.g. home-3'],
    [[...table, '--home', 'home-3'], 'error: --out: give the folder finish_run writes the results to'],
    [
      [...table, '--home', 'home-99', '--out', out],
      'error: --home: "home-99" is not a home of scenarios/table.yaml (homes: home-1, home-2, home-3, home-4, home-5, home-6, home-7, home-8)',
    ],
    [
      [...table, '--home', 'home-3', '--out', out, '--policy', 'greedy'],
      'error: --policy: unknown policy "greedy"; expected one of passive, selfish, nash, cooperative, central, external',
    ],
    [
      [...table, '--home', 'home-3', '--out', out, '--network-data', 'all'],
      'error: --network-data: expected one of street, own-home, none, found "all"',
    ],
    [
      [...table, '--home', 'home-3', '--out', out, '--days', '0'],
      'error: --days: must be an integer in 1..366, found "0"',
    ],
    [
      [...table, '--home', 'home-3', '--out', out, '--limit-kw', '-5'],
      'error: --limit-kw: must be a number in 1..1000000, found "-5"',
    ],
    [
      [...table, '--home', 'home-3', '--out', out, '--http-port', '99999'],
      'error: --http-port: "99999" is not a port number (0-65535)',
    ],
    [
      ['--scenario', 'scenarios/nowhere.yaml', '--home', 'home-3', '--out', out],
      'error: scenarios/nowhere.yaml: scenario file not found or not readable',
    ],
  ])('%j', (args, message) => {
    const result = mcpRun(...args);
    expect(result.stderr.trim()).toBe(message);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(existsSync(out), 'nothing written to --out').toBe(false);
  });
});
