/**
 * An operator's login cannot read the hub's files through a scenario upload, and a YAML alias bomb is a
 * clear refusal (issue 21). Before: `year: /etc/passwd` in an upload was accepted, the run failed quoting
 * the file's first line, and `GET /api/jobs/<id>` showed it to anyone; an alias bomb was an HTTP 500 and
 * `gridflex run` exit 1 without the file's name.
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, CLI, type HubProcess, startHub } from '../hub/live/hub-process.js';
import { tempDir } from '../hub/mqtt-helpers.js';

const data = tempDir('gridflex-hostile-files-');
/** A file the operator may not read, in the shape a year CSV's header would have. */
const SECRET = 'secret-header-line,do-not-echo';
const secretFile = join(data.dir, 'secret.csv');
const TABLE = readFileSync('scenarios/table.yaml', 'utf8');
/** Each level repeats the one before ten times: 10^9 strings if expanded. */
const ALIAS_BOMB = [
  'a: &a ["x","x","x","x","x","x","x","x","x","x"]',
  ...'bcdefghi'.split('').map((name, index) => {
    const previous = 'abcdefghi'[index];
    return `${name}: &${name} [${Array(10).fill(`*${previous}`).join(',')}]`;
  }),
].join('\n');

let hub: HubProcess;
const tokens: Record<string, string> = {};

async function logIn(username: string, role: string): Promise<void> {
  const password = addUser(data.dir, username, role);
  const login = await fetch(`${hub.httpUrl}/api/login`, {
    method: 'POST',
    body: JSON.stringify({ username, password }),
  });
  tokens[username] = ((await login.json()) as { token: string }).token;
}

async function call(
  method: string,
  path: string,
  username: string | null,
  body?: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${hub.httpUrl}${path}`, {
    method,
    headers: username ? { authorization: `Bearer ${tokens[username]}` } : {},
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** The table scenario with one more top-level line. */
const withLine = (line: string) => TABLE.replace(/^seed: .*$/m, (seed) => `${seed}\n${line}`);

/** `gridflex run` on a scenario; asynchronous, so the test's HTTP connections to the hub stay served meanwhile. */
function runCli(scenarioFile: string): Promise<{ status: number | null; output: string }> {
  const out = join(data.dir, 'out');
  const args = [CLI, 'run', '--scenario', scenarioFile, '--days', '1', '--out', out, '--data-dir', data.dir];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  return new Promise((done) => child.on('close', (status) => done({ status, output })));
}

beforeAll(async () => {
  writeFileSync(secretFile, `${SECRET}\n1,2\n`);
  hub = await startHub(['--data-dir', data.dir]);
  await logIn('facilitator', 'operator');
  await logIn('resident-1', 'resident:home-1');
});

afterAll(async () => {
  await hub?.stop();
  data.remove();
});

describe('paths in an uploaded scenario', () => {
  const outside = [
    ['an absolute path', `year: ${secretFile}`],
    ['a path up from the uploads folder', 'year: ../secret.csv'],
    ['the hub credentials', 'year: ../credentials.json'],
    ['a system file', 'year: /etc/passwd'],
  ];
  for (const [what, line] of outside) {
    it(`refuses ${what}, naming the key and not quoting the file`, async () => {
      const yaml = withLine(line as string);
      for (const path of ['/api/scenarios/check', '/api/runs']) {
        const answer = await call('POST', path, 'facilitator', { fileName: 'mine.yaml', yaml, days: 1 });
        expect(answer.status, path).toBe(400);
        expect(answer.body.error, path).toMatch(
          /^mine\.yaml: (year|market\.catalogue): expected a path inside the shipped/,
        );
        expect(JSON.stringify(answer.body)).not.toMatch(/secret-header|root:|principals/);
      }
    });
  }

  it('still reads the shipped data: a shipped year by its relative path', async () => {
    const yaml = withLine('year: data/uk-representative-year.csv');
    const answer = await call('POST', '/api/scenarios/check', 'facilitator', { fileName: 'mine.yaml', yaml });
    expect(answer.body.error).toBeUndefined();
    expect(answer.status).toBe(200);
  });

  it('are held by gridflex run too once the file is in the uploads folder (as the job the hub starts reads it)', async () => {
    // The hub made the uploads folder (and its marker) at the first upload above.
    const upload = join(data.dir, 'uploads', 'copied-by-hand.yaml');
    writeFileSync(upload, withLine(`year: ${secretFile}`));
    const run = await runCli(upload);
    expect(run.status).toBe(2);
    expect(run.output).toContain(`${upload}: year: expected a path inside the shipped`);
    expect(run.output).not.toContain('secret-header');
    // The same file elsewhere is the user's own: it is read, and a wrong CSV is named without its contents.
    const own = join(data.dir, 'own.yaml');
    writeFileSync(own, withLine(`year: ${secretFile}`));
    const ownRun = await runCli(own);
    expect(ownRun.status).toBe(2);
    expect(ownRun.output).toContain(`${secretFile}: missing column`);
    expect(ownRun.output).not.toContain('secret-header');
  });
});

describe('run jobs', () => {
  it("answer only the operator's login, as the upload does", async () => {
    const started = await call('POST', '/api/runs', 'facilitator', {
      fileName: 'mine.yaml',
      yaml: TABLE,
      days: 1,
    });
    expect(started.status).toBe(202);
    const id = (started.body.job as { id: string }).id;
    const anonymous = await call('GET', `/api/jobs/${id}`, null);
    expect(anonymous.status).toBe(401);
    expect(JSON.stringify(anonymous.body)).not.toContain('mine.yaml');
    expect((await call('GET', `/api/jobs/${id}`, 'resident-1')).status).toBe(403);
    await expect
      .poll(async () => (await call('GET', `/api/jobs/${id}`, 'facilitator')).body.state, {
        timeout: 120_000,
        interval: 200,
      })
      .toBe('done');
  }, 150_000);
});

describe('a YAML alias bomb', () => {
  it('is a 400 naming the upload on the dashboard', async () => {
    const answer = await call('POST', '/api/scenarios/check', 'facilitator', {
      fileName: 'bomb.yaml',
      yaml: ALIAS_BOMB,
    });
    expect(answer.status).toBe(400);
    expect(answer.body.error).toMatch(/^bomb\.yaml: refused: its YAML aliases/);
  });

  it('is exit 2 naming the file in gridflex run', async () => {
    const file = join(data.dir, 'bomb.yaml');
    writeFileSync(file, ALIAS_BOMB);
    const run = await runCli(file);
    expect(run.status).toBe(2);
    expect(run.output.trim()).toMatch(
      new RegExp(`^error: ${file}: refused: its YAML aliases \\(\\*name\\) expand past 100`),
    );
  });
});
