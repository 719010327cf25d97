import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { parse, stringify } from 'yaml';

export const CLI = resolve('dist/hub/cli.js');
export const DEVICE_CLI = resolve('dist/devices/cli.js');
/** The `gridflex` bin (package.json): a shell launcher that execs node on dist/hub/cli.js. */
export const LAUNCHER = resolve('bin/gridflex');

/** A running `gridflex hub` process and where it serves. */
export interface HubProcess {
  process: ChildProcess;
  mqttUrl: string;
  wsUrl: string;
  httpUrl: string;
  /** Every stderr line so far (the hub's log). */
  log: string[];
  /** Resolves with the first log line matching `pattern` (already logged or still to come). */
  logLine(pattern: RegExp): Promise<string>;
  /** SIGTERM, then resolves with the exit code. */
  stop(): Promise<number | null>;
}

/**
 * Starts `gridflex hub` on loopback with the given flags and waits for its "hub ready" line. Its ports are any free
 * ones unless `flags` name them (the later flag wins). `launch` is the command line before `hub` (by default node
 * running dist/hub/cli.js; e.g. `[LAUNCHER]`, the `gridflex` bin).
 */
export function startHub(flags: string[], launch: string[] = [process.execPath, CLI]): Promise<HubProcess> {
  const anyFreePorts = ['--mqtt-port', '0', '--ws-port', '0', '--http-port', '0'];
  const [command = process.execPath, ...before] = launch;
  const child = spawn(command, [...before, 'hub', '--host', '127.0.0.1', ...anyFreePorts, ...flags], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log: string[] = [];
  const waiters: { pattern: RegExp; resolve: (line: string) => void }[] = [];
  let partial = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    partial += chunk.toString();
    const lines = partial.split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      log.push(line);
      for (const waiter of [...waiters]) {
        if (waiter.pattern.test(line)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(line);
        }
      }
    }
  });
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  return new Promise((resolveHub, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /hub ready: mqtt=(\S+) ws=(\S+) http=(\S+)/.exec(out);
      if (!match) return;
      resolveHub({
        process: child,
        mqttUrl: match[1] as string,
        wsUrl: match[2] as string,
        httpUrl: match[3] as string,
        log,
        logLine: (pattern) => {
          const found = log.find((line) => pattern.test(line));
          if (found !== undefined) return Promise.resolve(found);
          return new Promise((done) => waiters.push({ pattern, resolve: done }));
        },
        stop: () => {
          child.kill('SIGTERM');
          return exited;
        },
      });
    });
    exited.then((code) =>
      reject(new Error(`hub exited with ${code} before it was ready:\n${log.join('\n')}`)),
    );
  });
}

/** A free TCP port on loopback (for a broker that must come back on the same port). */
export function freePort(): Promise<number> {
  return new Promise((done, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => done(port));
    });
  });
}

/** Runs `gridflex device add` and returns the config file path and the board's password. */
export function addDevice(
  dataDir: string,
  id: string,
  kind: string,
  plot: string,
  brokerUrl: string,
  extra: string[] = [],
): { file: string; password: string } {
  const file = execFileSync(
    process.execPath,
    [
      CLI,
      'device',
      'add',
      id,
      '--kind',
      kind,
      '--plot',
      plot,
      '--data-dir',
      dataDir,
      '--broker-url',
      brokerUrl,
      ...extra,
    ],
    { encoding: 'utf8' },
  ).trim();
  const config = parse(readFileSync(file, 'utf8')) as { broker: { password: string } };
  return { file, password: config.broker.password };
}

/** Runs `gridflex user add` for a workshop role and returns the password it prints once. */
export function addUser(dataDir: string, username: string, role: string): string {
  const out = execFileSync(
    process.execPath,
    [CLI, 'user', 'add', username, '--role', role, '--data-dir', dataDir],
    { encoding: 'utf8' },
  );
  const password = /password: (\S+)/.exec(out)?.[1];
  if (password === undefined) throw new Error(`gridflex user add ${username} printed no password: ${out}`);
  return password;
}

/** Rewrites fields of a device config YAML (e.g. a faster reconnect for tests). */
export function patchConfig(file: string, patch: Record<string, unknown>): void {
  const config = parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  writeFileSync(file, stringify({ ...config, ...patch }), { mode: 0o600 });
}

/**
 * The shipped table map on the test feeder, its clock starting at `startIso` (its own start when omitted), with
 * `live` (the map's `live:` section, e.g. `{ policy: 'selfish', limitKw: 9 }`) appended.
 */
export function writeLiveMap(dir: string, live: Record<string, string | number>, startIso?: string): string {
  const file = join(dir, 'table-map.yaml');
  let text = readFileSync('scenarios/table-map.yaml', 'utf8').replace(
    /^feeder: .*$/m,
    `feeder: ${resolve('feeders/table-street')}`,
  );
  if (startIso !== undefined) text = text.replace(/start: .*$/m, `start: "${startIso}"`);
  const section = Object.entries(live).map(([key, value]) => `  ${key}: ${value}\n`);
  writeFileSync(file, `${text}\nlive:\n${section.join('')}`);
  return file;
}

/** A table map for tests: the default street, with the clock starting in the evening and slow simulated time. */
export function writeTestMap(dir: string): string {
  const file = join(dir, 'table-map.yaml');
  const text = readFileSync('scenarios/table-map.yaml', 'utf8')
    .replace(/^feeder: .*$/m, `feeder: ${resolve('feeders/table-street')}`)
    .replace(/start: .*$/m, 'start: "2026-01-15T18:00:00Z"')
    .replace(/stepMinutes: .*$/m, 'stepMinutes: 0.1')
    // Big EV batteries that stay empty: they charge at full power for the whole test.
    .replace(/kind: ev, /g, 'kind: ev, capacityKwh: 200, initialSocPct: 0, ');
  writeFileSync(file, text);
  return file;
}
